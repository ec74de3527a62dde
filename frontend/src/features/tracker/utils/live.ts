// Which words the live badge says: live, delayed (with the age of the last minute), market closed, holiday,
// or a past session. Server time counts, not this computer's: a demo replays a day on a shifted clock.
import type { MarketStatus } from "@/api/get-market-status";
import { formatDayShort, formatMinuteIST, istDay } from "@/lib/format";

export type LiveState =
  | { kind: "live"; latest: string }
  | { kind: "delayed"; latest: string; ageMinutes: number }
  | { kind: "closed"; detail: string }
  | { kind: "holiday"; name: string }
  | { kind: "past"; date: string }
  | { kind: "unknown" };

/** A minute older than this during the session is "delayed" (the job runs a few seconds into each minute). */
export const LIVE_WITHIN_MINUTES = 2;

interface LiveInputs {
  status: MarketStatus | null | undefined;
  /** When the status answer arrived (this computer's clock), to move the server's "now" forward. */
  statusReceivedAt: number;
  nowMs: number;
  /** The day on screen, and its latest stored minute. */
  date: string;
  latestMinute: string | undefined;
}

export function serverNow(status: MarketStatus, receivedAt: number, nowMs: number): number {
  return Date.parse(status.now) + Math.max(0, nowMs - receivedAt);
}

export function liveState({ status, statusReceivedAt, nowMs, date, latestMinute }: LiveInputs): LiveState {
  if (!status) return { kind: "unknown" };
  const now = serverNow(status, statusReceivedAt, nowMs);
  if (date !== istDay(now)) return { kind: "past", date };
  const { market } = status;
  switch (market.state) {
    case "holiday":
      return { kind: "holiday", name: market.holiday ?? "exchange holiday" };
    case "weekend":
      return { kind: "closed", detail: "weekend" };
    case "pre-open":
      return {
        kind: "closed",
        detail: market.session ? `opens ${formatMinuteIST(market.session.open)} IST` : "before the open",
      };
    case "closed":
      return {
        kind: "closed",
        detail: market.next_open
          ? `next open ${formatDayShort(istDay(market.next_open))} ${formatMinuteIST(market.next_open)} IST`
          : "after the close",
      };
    case "open": {
      if (!latestMinute) return { kind: "delayed", latest: "", ageMinutes: Number.POSITIVE_INFINITY };
      const ageMinutes = Math.max(0, Math.floor((now - Date.parse(latestMinute)) / 60_000));
      return ageMinutes <= LIVE_WITHIN_MINUTES
        ? { kind: "live", latest: latestMinute }
        : { kind: "delayed", latest: latestMinute, ageMinutes };
    }
  }
}

/** Whether new minutes can arrive for the day on screen (then the stream is opened). */
export function expectsNewMinutes(state: LiveState): boolean {
  return state.kind === "live" || state.kind === "delayed";
}

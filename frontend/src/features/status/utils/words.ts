// The status page's plain words: what each check is, the market's state, and one sentence for the whole.
import type { MarketStatus } from "@/api/get-market-status";
import { formatDayShort, formatMinuteIST, istDay } from "@/lib/format";
import type { HealthReport } from "../api/get-health-ready";

export const CHECK_NAMES: Record<string, string> = {
  database: "Database",
  cache: "Cache",
  scheduler: "Minute scheduler",
  last_minute: "Latest data",
  broker_token: "Upstox token",
  calendar: "Exchange calendar",
};

export function marketWords(status: MarketStatus): string {
  const { market } = status;
  const hours = market.session
    ? `${formatMinuteIST(market.session.open)}–${formatMinuteIST(market.session.close)} IST`
    : "";
  const next = market.next_open
    ? `; next open ${formatDayShort(istDay(market.next_open))} ${formatMinuteIST(market.next_open)} IST`
    : "";
  switch (market.state) {
    case "open":
      return `Open (${hours})`;
    case "pre-open":
      return `Not open yet today (${hours})`;
    case "closed":
      return `Closed${next}`;
    case "holiday":
      return `Holiday${market.holiday ? `: ${market.holiday}` : ""}${next}`;
    case "weekend":
      return `Closed for the weekend${next}`;
  }
}

export interface Verdict {
  tone: "ok" | "warn" | "fail";
  text: string;
}

/** One sentence for someone who reads nothing else. */
export function overallVerdict(
  health: HealthReport | undefined,
  status: MarketStatus | null | undefined,
): Verdict | null {
  if (!health && !status) return null;
  if (health?.status === "fail") {
    return { tone: "fail", text: "Something is not working: see the server checks below." };
  }
  if (status?.poller?.paused_for_token || status?.token?.present === false) {
    return {
      tone: "warn",
      text: "Data collection needs a new Upstox token: an administrator can renew it on the Broker page.",
    };
  }
  if (status?.market.calendar && !status.market.calendar.confirmed) {
    return { tone: "warn", text: "Today's trading calendar is not confirmed: see Market and data below." };
  }
  if (status?.market.state === "open" && !status.data.fresh) {
    return { tone: "warn", text: "The market is open but the latest data is behind: new minutes are late." };
  }
  if (status?.market.state === "open")
    return { tone: "ok", text: "Everything is working: new minutes arrive as they happen." };
  if (status)
    return {
      tone: "ok",
      text: "Everything is working. The market is closed, so no new minutes arrive until it opens.",
    };
  return { tone: "ok", text: "The server is working." };
}

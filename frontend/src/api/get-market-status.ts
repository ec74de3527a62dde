// GET /api/v1/status: the market's state (open, closed, holiday…), how fresh the data is, today's runs and gaps.
// The live badge and the status page read it: the status page every 30 s, the tracker and the chain once on
// open (the tracker inside its opening answer, GET /api/v1/tracker, which seeds this query) and again only when
// the state can change by itself (the session opens or closes) or rarely while the live stream is not
// delivering. Its OpenAPI entry has no answer model yet, so the shape is checked here and written down once; it
// moves into the generated types when the backend publishes it.
import { queryOptions, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useEffect } from "react";
import { ApiError, apiFetch } from "@/lib/api-client";
import {
  clampDelay,
  POLL_AFTER_TURN_MAX_MS,
  POLL_AFTER_TURN_MIN_MS,
  RARE_REFRESH_MS,
  rareRefreshMs,
  type Random,
} from "@/lib/poll";

export type MarketState = "open" | "pre-open" | "closed" | "holiday" | "weekend";

export interface MarketStatus {
  now: string;
  mode: string;
  replay_of: string | null;
  market: {
    state: MarketState;
    holiday: string | null;
    session: { open: string; close: string } | null;
    next_open: string | null;
    /** Who says whether today trades (absent from older backends). */
    calendar?: MarketCalendar;
  };
  data: {
    last_minute: string | null;
    age_minutes: number | null;
    expected_minute: string | null;
    fresh: boolean;
  };
  today: {
    runs: number;
    ok: number;
    partial: number;
    failed: number;
    skipped: number;
    /** Minutes filled afterwards from Upstox's 1-minute candles (absent from older backends). */
    backfilled?: number;
    gaps: { from: string; to: string; minutes: number; reason: string }[];
    last_error: string | null;
  } | null;
  poller: {
    enabled: boolean;
    leader: boolean;
    paused_for_token: boolean;
    pending_writes: number;
    pending_bytes: number;
    dropped_writes: number;
    catching_up: boolean;
  } | null;
  token: { present: boolean } | null;
  /** The newest minute's comparison of Upstox's rounded greeks with the engine's (absent: none yet). */
  upstox_greeks?: UpstoxGreeksCheck | null;
}

export interface MarketCalendar {
  source: "operator" | "upstox" | "bundled" | "provisional" | "weekday-rule";
  confirmed: boolean;
  note: string;
  year: string | null;
  special_session: boolean;
}

/** Per greek: Upstox's value minus ours, the largest over the chain and where, the median, how many compared. */
export interface GreekGap {
  largest: number;
  strike: number;
  side: "CE" | "PE";
  median: number;
  compared: number;
}

export interface UpstoxGreeksCheck {
  minute: string;
  /** "NIFTY:2026-12-01" → greek → gap */
  targets: Record<string, Partial<Record<"iv" | "delta" | "gamma" | "theta" | "vega", GreekGap>>>;
}

const STATES: readonly string[] = ["open", "pre-open", "closed", "holiday", "weekend"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks what the badge depends on; the rest is optional (older or newer backends may differ). */
export function parseMarketStatus(body: unknown): MarketStatus {
  if (!isRecord(body) || typeof body.now !== "string" || !isRecord(body.market) || !isRecord(body.data)) {
    throw new Error('expected {"now", "market": {...}, "data": {...}}');
  }
  if (typeof body.market.state !== "string" || !STATES.includes(body.market.state)) {
    throw new Error(`unknown market state ${JSON.stringify(body.market.state)}`);
  }
  return {
    ...(body as unknown as MarketStatus),
    today: isRecord(body.today) ? (body.today as unknown as MarketStatus["today"]) : null,
    poller: isRecord(body.poller) ? (body.poller as unknown as MarketStatus["poller"]) : null,
    token: isRecord(body.token) ? (body.token as unknown as MarketStatus["token"]) : null,
    upstox_greeks: isRecord(body.upstox_greeks) ? (body.upstox_greeks as unknown as UpstoxGreeksCheck) : null,
  };
}

/** Resolves null when this backend has no status route yet (404), so callers can say "not available". */
export async function getMarketStatus(signal?: AbortSignal): Promise<MarketStatus | null> {
  try {
    return await apiFetch("/api/v1/status", { signal: signal ?? null, parse: parseMarketStatus });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The answer and when it arrived (this computer's clock), to move the server's "now" forward. */
export interface MarketStatusAnswer {
  status: MarketStatus | null;
  receivedAt: number;
}

/** The query's value for a status that has just arrived (also how the tracker's bundle seeds it). */
export function marketStatusAnswer(status: MarketStatus | null): MarketStatusAnswer {
  return { status, receivedAt: Date.now() };
}

export function marketStatusQueryOptions() {
  return queryOptions({
    queryKey: ["market-status"],
    queryFn: async ({ signal }): Promise<MarketStatusAnswer> => marketStatusAnswer(await getMarketStatus(signal)),
    refetchInterval: 30_000,
  });
}

/** The status page: refreshed every 30 s (people look at it briefly). */
export function useMarketStatus(enabled = true) {
  return useQuery({ ...marketStatusQueryOptions(), enabled });
}

/**
 * For the live badge: asked on page open, then only as `useStatusRefresh` decides. `enabled` false holds the
 * request back (the tracker, while its bundle may bring the status).
 */
export function useBadgeStatus(enabled = true) {
  return useQuery({
    ...marketStatusQueryOptions(),
    enabled,
    refetchInterval: false,
    refetchOnWindowFocus: false,
    staleTime: RARE_REFRESH_MS,
  });
}

/**
 * How far the server's clock is ahead of this one, for timing polls after its minute turns. Live: none (both
 * follow real time, and `now` is when the answer was built, up to a minute before it was sent). A demo replays
 * a day on a shifted clock: the shift, to within that minute.
 */
export function serverClockOffset(answer: MarketStatusAnswer | undefined): number {
  const status = answer?.status;
  if (!answer || !status || status.mode === "live") return 0;
  return Date.parse(status.now) - answer.receivedAt;
}

/** The next moment the market's state changes by itself (it opens or closes), on the server's clock. */
export function nextStateChange(status: MarketStatus): string | null {
  const { market } = status;
  if (market.state === "open") return market.session?.close ?? null;
  if (market.state === "pre-open") return market.session?.open ?? null;
  return market.next_open;
}

/**
 * Milliseconds until the status should be asked again, or null for not until something else changes.
 * Always a few seconds (5–25 s, random) after the next open or close; besides that every 5–6 min while the
 * market is open and `quiet` is false (the stream is not delivering), or while no status could be had.
 */
export function nextStatusCheckMs(
  answer: MarketStatusAnswer | undefined,
  nowMs: number,
  quiet: boolean,
  random: Random = Math.random,
): number | null {
  const status = answer?.status;
  let delay: number | null = quiet || (status && status.market.state !== "open") ? null : rareRefreshMs(random);
  const change = status ? nextStateChange(status) : null;
  if (answer && status && change && Date.parse(change) > Date.parse(status.now)) {
    const after = POLL_AFTER_TURN_MIN_MS + random() * (POLL_AFTER_TURN_MAX_MS - POLL_AFTER_TURN_MIN_MS);
    // `now` may be up to a minute older than the answer, so this errs late, never early.
    const at = answer.receivedAt + (Date.parse(change) - Date.parse(status.now)) + after;
    delay = Math.min(delay ?? Number.POSITIVE_INFINITY, at - nowMs);
  }
  return delay === null ? null : clampDelay(delay);
}

/** Asks for the status again when `nextStatusCheckMs` says (a new timer after each answer or failure). */
export function useStatusRefresh(query: UseQueryResult<MarketStatusAnswer>, quiet: boolean): void {
  const { data, dataUpdatedAt, errorUpdatedAt, refetch } = query;
  useEffect(() => {
    const delay = nextStatusCheckMs(data, Date.now(), quiet);
    if (delay === null) return;
    const timer = setTimeout(() => {
      void refetch();
    }, delay);
    return () => {
      clearTimeout(timer);
    };
  }, [data, dataUpdatedAt, errorUpdatedAt, quiet, refetch]);
}

// GET /api/v1/status: the market's state (open, closed, holiday…), how fresh the data is, today's runs and gaps.
// The live badge and the status page read it. Its OpenAPI entry has no answer model yet, so the shape is
// checked here and written down once; it moves into the generated types when the backend publishes it.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { ApiError, apiFetch } from "@/lib/api-client";

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
    gaps: { from: string; to: string; minutes: number; reason: string }[];
    last_error: string | null;
  } | null;
  poller: {
    enabled: boolean;
    leader: boolean;
    paused_for_token: boolean;
    pending_writes: number;
    catching_up: boolean;
  } | null;
  token: { present: boolean } | null;
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

export function marketStatusQueryOptions() {
  return queryOptions({
    queryKey: ["market-status"],
    queryFn: async ({ signal }) => ({ status: await getMarketStatus(signal), receivedAt: Date.now() }),
    refetchInterval: 30_000,
  });
}

export function useMarketStatus(enabled = true) {
  return useQuery({ ...marketStatusQueryOptions(), enabled });
}

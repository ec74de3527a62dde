// GET /api/v1/greeks/summary: the tracker's day, as columns (one entry per minute), for one band and view.
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { Summary, SummaryQuery } from "@/api/types";
import type { MarketChoice } from "@/components/MarketSelect";
import { apiFetch, queryString } from "@/lib/api-client";
import type { TrackerParams } from "../utils/params";

/** Performance marks around a full load (the browser test measures data arrival → drawn). */
export const MARK_DATA_ARRIVED = "tracker:data-arrived";

export type ResolvedSummaryQuery = SummaryQuery & { expiry: string; date: string };

/** The summary a view asks for, once its index, date and expiry are resolved (`resolveMarket`); null before. */
export function summaryQueryFor(market: MarketChoice | null, params: TrackerParams): ResolvedSummaryQuery | null {
  if (!market) return null;
  return {
    instrument: market.instrument,
    expiry: market.expiry,
    date: market.date,
    delta_min: params.deltaMin,
    delta_max: params.deltaMax,
    selection: params.selection,
    interval: params.interval,
    baseline: params.baseline,
  };
}

export function summaryPath(query: SummaryQuery): string {
  return `/api/v1/greeks/summary${queryString(query)}`;
}

export async function getGreeksSummary(query: SummaryQuery, signal?: AbortSignal): Promise<Summary> {
  const summary = await apiFetch<Summary>(summaryPath(query), { signal: signal ?? null });
  performance.mark(MARK_DATA_ARRIVED);
  return summary;
}

export function greeksSummaryQueryKey(query: ResolvedSummaryQuery) {
  return ["greeks-summary", query] as const;
}

export function greeksSummaryQueryOptions(query: ResolvedSummaryQuery) {
  return queryOptions({
    queryKey: greeksSummaryQueryKey(query),
    queryFn: ({ signal }) => getGreeksSummary(query, signal),
    // A new band or date keeps the old day on screen (marked as updating) until the new one arrives.
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    // New minutes come through the stream (or the once-a-minute poll), not on focus.
    refetchOnWindowFocus: false,
  });
}

/** Live minutes arrive through the stream (stream-minutes.ts) and are merged into this query's day. */
export function useGreeksSummary(query: ResolvedSummaryQuery | null) {
  return useQuery({
    ...greeksSummaryQueryOptions(query ?? { instrument: "", expiry: "", date: "" }),
    enabled: query !== null,
  });
}

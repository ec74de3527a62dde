// GET /api/v1/greeks/strike: one contract's day, minute by minute, with change since baseline and minute change.
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { StrikeAnswer, StrikeQuery } from "@/api/types";
import { apiFetch, queryString } from "@/lib/api-client";

export function strikePath(query: StrikeQuery, format?: "csv"): string {
  return `/api/v1/greeks/strike${queryString({ ...query, format })}`;
}

export function getStrike(query: StrikeQuery, signal?: AbortSignal): Promise<StrikeAnswer> {
  return apiFetch<StrikeAnswer>(strikePath(query), { signal: signal ?? null });
}

export function strikeQueryOptions(query: StrikeQuery) {
  return queryOptions({
    queryKey: ["strike", query],
    queryFn: ({ signal }) => getStrike(query, signal),
    staleTime: 30_000,
    refetchOnWindowFocus: false,
  });
}

export function useStrike(query: StrikeQuery | null) {
  return useQuery({
    ...strikeQueryOptions(query ?? { instrument: "", strike: 0, side: "CE" }),
    enabled: query !== null,
  });
}

// GET /api/v1/chain: every strike around the money at one stored minute, both sides, greeks with their source.
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { Chain, ChainQuery } from "@/api/types";
import { apiFetch, queryString } from "@/lib/api-client";

export function getChain(query: ChainQuery, signal?: AbortSignal): Promise<Chain> {
  return apiFetch<Chain>(`/api/v1/chain${queryString(query)}`, { signal: signal ?? null });
}

export function chainQueryOptions(query: ChainQuery) {
  return queryOptions({
    queryKey: ["chain", query],
    queryFn: ({ signal }) => getChain(query, signal),
    // While the replay moves, the previous minute stays on screen until the next one is here.
    placeholderData: keepPreviousData,
    // A past minute never changes; the latest one does, once a minute.
    staleTime: query.at ? Number.POSITIVE_INFINITY : 30_000,
    // Today's chain is asked again once a minute while the market is open (ChainPage), not on focus.
    refetchOnWindowFocus: false,
  });
}

export function useChain(query: ChainQuery | null) {
  return useQuery({ ...chainQueryOptions(query ?? { instrument: "" }), enabled: query !== null });
}

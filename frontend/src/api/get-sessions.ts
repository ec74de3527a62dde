// GET /api/v1/sessions: the days with stored data for an index, each with its expiries (the date picker offers
// only these days, the expiry list only that day's expiries).
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch, queryString } from "@/lib/api-client";
import type { SessionsAnswer } from "./types";

export function getSessions(instrument: string, signal?: AbortSignal): Promise<SessionsAnswer> {
  return apiFetch<SessionsAnswer>(`/api/v1/sessions${queryString({ instrument })}`, { signal: signal ?? null });
}

export function sessionsQueryOptions(instrument: string) {
  return queryOptions({
    queryKey: ["sessions", instrument],
    queryFn: ({ signal }) => getSessions(instrument, signal),
    // Today's minute count grows during the session; once a minute is plenty for the picker.
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
}

export function useSessions(instrument: string | undefined) {
  return useQuery({ ...sessionsQueryOptions(instrument ?? ""), enabled: Boolean(instrument) });
}

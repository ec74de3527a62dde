// GET /api/v1/sessions: the days with stored data for an index, each with its expiries (the date picker offers
// only these days, the expiry list only that day's expiries).
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch, queryString } from "@/lib/api-client";
import { RARE_REFRESH_MS, rareRefreshMs } from "@/lib/poll";
import type { SessionsAnswer } from "./types";

export function getSessions(instrument: string, signal?: AbortSignal): Promise<SessionsAnswer> {
  return apiFetch<SessionsAnswer>(`/api/v1/sessions${queryString({ instrument })}`, { signal: signal ?? null });
}

/** Five to six minutes, drawn once per page: open pages do not refresh in step. */
const SESSIONS_REFRESH_MS = rareRefreshMs();

export function sessionsQueryOptions(instrument: string) {
  return queryOptions({
    queryKey: ["sessions", instrument],
    queryFn: ({ signal }) => getSessions(instrument, signal),
    // The picker needs the days and their expiries, which change once a day: the screens ask again at once
    // when a new day starts (tracker: useFollowNewDay), so a slow refresh is enough for the minute counts.
    staleTime: RARE_REFRESH_MS,
    refetchInterval: SESSIONS_REFRESH_MS,
    refetchOnWindowFocus: false,
  });
}

/** `enabled` false holds the request back (the tracker, while its bundle may bring the days). */
export function useSessions(instrument: string | undefined, enabled = true) {
  return useQuery({ ...sessionsQueryOptions(instrument ?? ""), enabled: enabled && Boolean(instrument) });
}

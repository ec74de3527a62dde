// GET /api/v1/instruments: the tracked indices and their expiries (the tracker and the chain both pick from it).
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-client";
import type { InstrumentsAnswer } from "./types";

export function getInstruments(signal?: AbortSignal): Promise<InstrumentsAnswer> {
  return apiFetch<InstrumentsAnswer>("/api/v1/instruments", { signal: signal ?? null });
}

export function instrumentsQueryOptions() {
  return queryOptions({
    queryKey: ["instruments"],
    queryFn: ({ signal }) => getInstruments(signal),
    // The universe changes rarely (an admin adds an index); a new expiry appears at most once a day.
    staleTime: 5 * 60_000,
    refetchOnWindowFocus: false,
  });
}

/** `enabled` false holds the request back (the tracker, while its bundle may bring the list). */
export function useInstruments(enabled = true) {
  return useQuery({ ...instrumentsQueryOptions(), enabled });
}

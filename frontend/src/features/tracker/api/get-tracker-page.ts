// GET /api/v1/tracker: what the tracker needs on open (the market's status, the indices, the index's days and
// the day's summary) in one request, instead of four passes through the server with a waterfall (the summary
// after the days after the indices). Its parts seed the query cache under the keys the screen's own hooks use;
// after open, every part is asked on its own as before (a new band, day or index; the slow refreshes).
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { instrumentsQueryOptions } from "@/api/get-instruments";
import {
  marketStatusAnswer,
  marketStatusQueryOptions,
  parseMarketStatus,
  type MarketStatus,
} from "@/api/get-market-status";
import { sessionsQueryOptions } from "@/api/get-sessions";
import type { TrackerAnswer, TrackerQuery } from "@/api/types";
import { resolveMarket } from "@/components/MarketSelect";
import { apiFetch, queryString } from "@/lib/api-client";
import type { TrackerParams } from "../utils/params";
import { greeksSummaryQueryKey, MARK_DATA_ARRIVED, summaryQueryFor } from "./get-greeks-summary";

export type TrackerPart = "status" | "instruments" | "sessions" | "summary";

const PARTS: readonly TrackerPart[] = ["status", "instruments", "sessions", "summary"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the envelope (each part an object or null); each part is checked where it is used. */
export function parseTrackerPage(body: unknown): TrackerAnswer {
  if (!isRecord(body)) throw new Error("expected an object");
  for (const part of PARTS) {
    if (!(part in body) || (body[part] !== null && !isRecord(body[part])))
      throw new Error(`no part ${JSON.stringify(part)}`);
  }
  return {
    ...(body as unknown as TrackerAnswer),
    errors: isRecord(body.errors) ? (body.errors as TrackerAnswer["errors"]) : {},
  };
}

/**
 * The bundle's question for a view: the index, and the address's expiry and date only when it has them (the
 * server picks what /greeks/summary picks: the latest day with data, that day's nearest expiry), with the band
 * and view as the summary query sends them.
 */
export function trackerPageQuery(params: TrackerParams): TrackerQuery {
  return {
    instrument: params.instrument,
    expiry: params.expiry,
    date: params.date,
    delta_min: params.deltaMin,
    delta_max: params.deltaMax,
    selection: params.selection,
    interval: params.interval,
    baseline: params.baseline,
  };
}

export function trackerPagePath(query: TrackerQuery): string {
  return `/api/v1/tracker${queryString(query)}`;
}

export function getTrackerPage(query: TrackerQuery, signal?: AbortSignal): Promise<TrackerAnswer> {
  return apiFetch(trackerPagePath(query), { signal: signal ?? null, parse: parseTrackerPage });
}

/**
 * Puts the parts into the cache as their own queries would have (seeded now, so each is fresh for its usual
 * stale time). The days go under the index their answer names. The summary goes under the key the screen will
 * ask for, worked out from the seeded indices and days exactly as the screen works it out (`resolveMarket`,
 * `summaryQueryFor`), and only when the server picked the same index, expiry and date; otherwise the screen asks
 * for it itself. A missing part (or a status that does not parse) is left out, so its own query asks for it and
 * shows its error as before. Answers which parts were seeded.
 */
export function seedTrackerPage(queryClient: QueryClient, answer: TrackerAnswer, params: TrackerParams): TrackerPart[] {
  const seeded: TrackerPart[] = [];
  let status: MarketStatus | null = null;
  try {
    status = answer.status === null ? null : parseMarketStatus(answer.status);
  } catch {
    // Asked again on its own, whose fetcher reports the unexpected shape.
  }
  if (status) {
    queryClient.setQueryData(marketStatusQueryOptions().queryKey, marketStatusAnswer(status));
    seeded.push("status");
  }
  const { instruments, sessions, summary } = answer;
  if (instruments) {
    queryClient.setQueryData(instrumentsQueryOptions().queryKey, instruments);
    seeded.push("instruments");
  }
  if (sessions) {
    queryClient.setQueryData(sessionsQueryOptions(sessions.instrument).queryKey, sessions);
    seeded.push("sessions");
  }
  // The screen asks for the days of the address's index, else of the first tracked one.
  const wantedInstrument = params.instrument ?? instruments?.instruments[0]?.symbol;
  const wantedSessions = wantedInstrument !== undefined && sessions?.instrument === wantedInstrument ? sessions : null;
  if (summary && instruments && wantedSessions) {
    const query = summaryQueryFor(resolveMarket(instruments.instruments, wantedSessions.sessions, params), params);
    if (query?.instrument === summary.instrument && query.expiry === summary.expiry && query.date === summary.date) {
      queryClient.setQueryData(greeksSummaryQueryKey(query), summary);
      performance.mark(MARK_DATA_ARRIVED);
      seeded.push("summary");
    }
  }
  return seeded;
}

/** The bundle's question and the view it was asked for; "none": no bundle. */
type Opening = { query: TrackerQuery; params: TrackerParams } | "none";

/**
 * The screen's first open: asks for the bundle and seeds the cache. Answers false while it is on its way (the
 * screen's own queries wait meanwhile), true once it has settled however it did (all parts, some missing, or
 * the request failed: an older server without the route, a network error, a 5xx), and true at once when the
 * bundle is not used. It is used only on a page that has no indices yet (a fresh load): coming from the chain,
 * which has them, the screen asks only for what is not cached, as before. Later changes of the view never use
 * it. When the address names no index the server answers for the first one it lists, the index the screen
 * shows then.
 */
export function useTrackerPageOpen(params: TrackerParams): boolean {
  const queryClient = useQueryClient();
  const [opening] = useState<Opening>(() =>
    queryClient.getQueryData(instrumentsQueryOptions().queryKey) !== undefined
      ? "none"
      : { query: trackerPageQuery(params), params },
  );
  const request = typeof opening === "object" ? opening : null;
  const bundle = useQuery({
    queryKey: ["tracker-page", request?.query],
    queryFn: async ({ signal }) => {
      if (!request) return [];
      const answer = await getTrackerPage(request.query, signal);
      // Only which parts were seeded stays in this query: the parts live in their own.
      return seedTrackerPage(queryClient, answer, request.params);
    },
    enabled: request !== null,
    // Once: a failure falls back to the parts' own requests (which retry as they always did).
    retry: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  return opening === "none" || (request !== null && !bundle.isPending);
}

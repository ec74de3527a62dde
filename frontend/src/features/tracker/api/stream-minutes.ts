// GET /api/v1/stream: Server-Sent Events, one `minute` event with the new rows each time a minute is stored, and a
// `refresh` event when earlier minutes of the day were filled in (the server caught up after a restart).
// The browser's EventSource reconnects by itself and resumes from the last event id; when the stream cannot
// be had at all (a proxy that buffers, the endpoint refusing), the tracker falls back to polling.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { StreamQuery, Summary } from "@/api/types";
import { API_CREDENTIALS, apiUrl, queryString } from "@/lib/api-client";
import { mergeSummary } from "../utils/series";
import { greeksSummaryQueryKey, type ResolvedSummaryQuery } from "./get-greeks-summary";

export type StreamState = "off" | "connecting" | "open" | "polling";

/** Errors in a row, without the stream ever opening in between, before polling takes over. */
const FAILURES_BEFORE_POLLING = 3;

export function streamPath(query: ResolvedSummaryQuery): string {
  const params: StreamQuery = {
    instrument: query.instrument,
    expiry: query.expiry,
    date: query.date,
    delta_min: query.delta_min,
    delta_max: query.delta_max,
    selection: query.selection,
    baseline: query.baseline,
    interval: query.interval,
  };
  return `/api/v1/stream${queryString(params)}`;
}

export function parseMinuteEvent(data: string): Summary | null {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value === "object" && value !== null && "minutes" in value && "series" in value) return value as Summary;
  } catch {
    // A malformed event is skipped; the next one (or the poll) brings the data.
  }
  return null;
}

/**
 * Keeps the summary query's day current while `enabled`; answers how the updates arrive. `onMinute` hears
 * each minute that arrives (the page asks for the days again when one belongs to a day it does not know).
 */
export function useMinuteStream(
  query: ResolvedSummaryQuery | null,
  enabled: boolean,
  onMinute?: (update: Summary) => void,
): StreamState {
  const queryClient = useQueryClient();
  const heard = useRef(onMinute);
  useEffect(() => {
    heard.current = onMinute;
  });
  // The state of the stream at `path`; a new path starts again at "connecting".
  const [reported, setReported] = useState<{ path: string; state: StreamState } | null>(null);
  const path = query && enabled ? streamPath(query) : null;
  const supported = typeof EventSource !== "undefined";

  useEffect(() => {
    if (!path || !query || !supported) return;
    // On the API's origin when it is another one, with the session cookie.
    const source = new EventSource(apiUrl(path), { withCredentials: API_CREDENTIALS === "include" });
    let failures = 0;
    const key = greeksSummaryQueryKey(query);
    const report = (state: StreamState) => {
      setReported({ path, state });
    };

    source.addEventListener("open", () => {
      failures = 0;
      report("open");
    });
    source.addEventListener("minute", (event) => {
      const update = parseMinuteEvent((event as MessageEvent<string>).data);
      if (!update) return;
      queryClient.setQueryData<Summary>(key, (day) => (day ? mergeSummary(day, update) : day));
      heard.current?.(update);
    });
    source.addEventListener("refresh", () => {
      // The day's earlier minutes changed (its baseline among them): read the whole day again.
      void queryClient.invalidateQueries({ queryKey: key });
    });
    source.addEventListener("error", () => {
      failures += 1;
      // CLOSED: the browser gave up (the answer was not a stream); CONNECTING: it will retry by itself.
      if (source.readyState === EventSource.CLOSED || failures >= FAILURES_BEFORE_POLLING) {
        source.close();
        report("polling");
        // The session may have ended: the next load finds out and the sign-in guard takes over.
        void queryClient.invalidateQueries({ queryKey: key });
      } else {
        report("connecting");
      }
    });
    return () => {
      source.close();
    };
    // `path` captures every parameter of `query`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, queryClient, supported]);

  if (!path) return "off";
  if (!supported) return "polling";
  return reported?.path === path ? reported.state : "connecting";
}

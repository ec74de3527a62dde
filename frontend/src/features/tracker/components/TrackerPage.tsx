// The greeks tracker (home screen): the controls, a live badge, one chart per greek and the minute table.
// Everything that describes the view is in the address; a new view keeps the old one on screen meanwhile.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useInstruments } from "@/api/get-instruments";
import { useMarketStatus } from "@/api/get-market-status";
import { useSessions } from "@/api/get-sessions";
import type { Summary } from "@/api/types";
import { ErrorBoundary } from "@/components/ErrorBoundary";
import { ErrorNotice } from "@/components/ErrorNotice";
import { resolveMarket, type MarketChoice } from "@/components/MarketSelect";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { ApiError } from "@/lib/api-client";
import { formatDay, formatDayShort, formatMinuteIST } from "@/lib/format";
import { MARK_DATA_ARRIVED, useGreeksSummary, type ResolvedSummaryQuery } from "../api/get-greeks-summary";
import { useMinuteStream } from "../api/stream-minutes";
import { expectsNewMinutes, liveState } from "../utils/live";
import { parseTrackerParams, trackerSearch, type TrackerParams } from "../utils/params";
import { LiveBadge } from "./LiveBadge";
import { TrackerCharts } from "./TrackerCharts";
import { TrackerControls } from "./TrackerControls";
import { TrackerTable } from "./TrackerTable";
import "./tracker.css";

export const MARK_RENDERED = "tracker:rendered";
export const MEASURE_RENDER = "tracker:render";
const POLL_MS = 30_000;

export function TrackerPage() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => parseTrackerParams(search), [search]);
  const instruments = useInstruments();
  const wantedInstrument = params.instrument ?? instruments.data?.instruments[0]?.symbol;
  const sessions = useSessions(wantedInstrument);
  const market = resolveMarket(instruments.data?.instruments, sessions.data?.sessions, params);

  const update = (change: Partial<TrackerParams> | Partial<MarketChoice>, options: { replace?: boolean } = {}) => {
    setSearch(trackerSearch({ ...params, ...change }), { replace: options.replace ?? false });
  };

  const query: ResolvedSummaryQuery | null = market
    ? {
        instrument: market.instrument,
        expiry: market.expiry,
        date: market.date,
        delta_min: params.deltaMin,
        delta_max: params.deltaMax,
        selection: params.selection,
        interval: params.interval,
        baseline: params.baseline,
      }
    : null;

  const status = useMarketStatus();
  const summary = useGreeksSummary(query);
  const day = summary.data;
  const live = useLiveState(day, status.data);
  const streamState = useMinuteStream(query, expectsNewMinutes(live) && !summary.isPlaceholderData);
  const polling = streamState === "polling" && expectsNewMinutes(live);
  usePolling(query, polling);

  const listsError = instruments.error ?? sessions.error;
  return (
    <Page
      title="Greeks tracker"
      lead="How the greeks of calls and puts inside a delta band have moved since the baseline minute and since the previous minute."
    >
      {listsError ? <ErrorNotice error={listsError} title="Could not load the indices and days with data" onRetry={() => void (instruments.error ? instruments.refetch() : sessions.refetch())} /> : null}
      <TrackerControls
        params={params}
        market={market ?? { instrument: wantedInstrument }}
        instruments={instruments.data?.instruments ?? []}
        sessions={sessions.data?.sessions}
        onChange={update}
      />
      <div className="tracker-status" aria-live="polite">
        <LiveBadge state={live} stream={streamState} />
        {day ? <ViewSummary summary={day} /> : null}
        {summary.isFetching && day ? <span className="updating">Updating…</span> : null}
      </div>
      {sessions.data?.sessions.length === 0 ? (
        <p className="notice notice--info">
          No day has stored data for {wantedInstrument} yet. Data appears here from the first minute the app stores
          during a session (09:15–15:30 IST on trading days).
        </p>
      ) : null}
      {summary.error ? (
        <SummaryError
          error={summary.error}
          onRetry={() => void summary.refetch()}
          onLatest={(date) => {
            update({ date, expiry: undefined });
          }}
          latest={sessions.data?.sessions[0]?.date}
        />
      ) : null}
      {day ? (
        <TrackerView summary={day} params={params} onKindsChange={(kinds) => {
          update({ kinds });
        }} />
      ) : summary.isPending && sessions.data?.sessions.length !== 0 ? (
        <TrackerSkeleton metrics={params.metrics.length} />
      ) : null}
    </Page>
  );
}

function useLiveState(day: Summary | undefined, status: ReturnType<typeof useMarketStatus>["data"]) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 15_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  if (!day) return { kind: "unknown" } as const;
  return liveState({
    status: status?.status,
    statusReceivedAt: status?.receivedAt ?? now,
    nowMs: now,
    date: day.date,
    latestMinute: day.latest_minute,
  });
}

/** Without the stream, the day is loaded again every 30 s while new minutes can arrive. */
function usePolling(query: ResolvedSummaryQuery | null, on: boolean) {
  const queryClient = useQueryClient();
  const key = query ? JSON.stringify(query) : null;
  useEffect(() => {
    if (!on || !key) return;
    const timer = setInterval(() => {
      void queryClient.invalidateQueries({ queryKey: ["greeks-summary", JSON.parse(key) as ResolvedSummaryQuery] });
    }, POLL_MS);
    return () => {
      clearInterval(timer);
    };
  }, [on, key, queryClient]);
}

function ViewSummary({ summary }: { summary: Summary }) {
  const late = summary.baseline.late_by_minutes;
  return (
    <p className="view-summary">
      {summary.instrument} {formatDayShort(summary.expiry)} expiry · {formatDay(summary.date)} · band{" "}
      {summary.band.delta_min.toFixed(2)}–{summary.band.delta_max.toFixed(2)} ({summary.band.selection}) · baseline{" "}
      {formatMinuteIST(summary.baseline.minute)}
      {late > 0 ? ` (first stored minute, ${String(late)} min after the time asked)` : ""} · latest{" "}
      {formatMinuteIST(summary.latest_minute)} IST
    </p>
  );
}

function TrackerView({
  summary,
  params,
  onKindsChange,
}: {
  summary: Summary;
  params: TrackerParams;
  onKindsChange: (kinds: TrackerParams["kinds"]) => void;
}) {
  // Data arrival → charts and table committed and drawn: measured on the next frame after React's effects.
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      if (performance.getEntriesByName(MARK_DATA_ARRIVED, "mark").length === 0) return;
      performance.mark(MARK_RENDERED);
      performance.measure(MEASURE_RENDER, MARK_DATA_ARRIVED, MARK_RENDERED);
      performance.clearMarks(MARK_DATA_ARRIVED);
    });
    return () => {
      cancelAnimationFrame(frame);
    };
  }, [summary]);

  return (
    <>
      <ErrorBoundary>
        <TrackerCharts summary={summary} metrics={params.metrics} />
      </ErrorBoundary>
      <ErrorBoundary>
        <TrackerTable summary={summary} metrics={params.metrics} kinds={params.kinds} onKindsChange={onKindsChange} />
      </ErrorBoundary>
    </>
  );
}

/** The shapes of the charts and the table, at their sizes, so nothing below moves when the day arrives. */
function TrackerSkeleton({ metrics }: { metrics: number }) {
  return (
    <>
      <section className="panel" aria-label="Charts loading">
        <Skeleton label="Loading the day…" lines={1} />
        <div className="chart-grid">
          {Array.from({ length: metrics }, (_, index) => (
            <div key={index} className="chart-card chart-card--skeleton" aria-hidden="true">
              <span className="skeleton__line skeleton__line--title" />
              <div className="chart-placeholder" />
              <span className="skeleton__line skeleton__line--readout" />
            </div>
          ))}
        </div>
      </section>
      <section className="panel" aria-label="Table loading">
        <Skeleton label="" lines={2} />
        <div className="table-viewport table-viewport--tracker table-viewport--placeholder" aria-hidden="true" />
      </section>
    </>
  );
}

function SummaryError({
  error,
  onRetry,
  onLatest,
  latest,
}: {
  error: unknown;
  onRetry: () => void;
  onLatest: (date: string) => void;
  latest: string | undefined;
}) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <ErrorNotice error={error} title="No data for this view">
        <p>Pick another day in the calendar: it offers only the days with stored data.</p>
        {latest ? (
          <button type="button" className="button" onClick={() => {
            onLatest(latest);
          }}>
            Show the latest day ({formatDayShort(latest)})
          </button>
        ) : null}
      </ErrorNotice>
    );
  }
  if (error instanceof ApiError && error.status === 422) {
    return <ErrorNotice error={error} title="The view asks for something the server cannot do" onRetry={onRetry} />;
  }
  return <ErrorNotice error={error} title="Could not load the tracker" onRetry={onRetry} />;
}

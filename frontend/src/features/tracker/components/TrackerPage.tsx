// The greeks tracker (home screen): the controls, a live badge, one chart per greek and the minute table.
// Everything that describes the view is in the address; a new view keeps the old one on screen meanwhile.
// On open it sends one request for its data, GET /api/v1/tracker (status, indices, days and the day's summary in
// one answer, seeded into the queries below; get-tracker-page.ts), besides who is signed in (the sign-in guard)
// and then the stream; for an address without an index (the home page) the server answers for the first index
// it lists, the one shown then. A part the bundle lacks, or every part when the bundle fails (an older server, an error), is asked
// on its own as before; so is everything after open (a new band, day or index).
// Steady state costs the server the stream only: the badge's age is worked out here from the newest minute and
// the clock, the market's status is asked again only when the session opens or closes (docs/scaling.md).
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useInstruments } from "@/api/get-instruments";
import { serverClockOffset, useBadgeStatus, useStatusRefresh, type MarketStatusAnswer } from "@/api/get-market-status";
import { useSessions } from "@/api/get-sessions";
import type { SessionsAnswer, Summary } from "@/api/types";
import { ErrorBoundary } from "@/components/ErrorBoundary";
import { ErrorNotice } from "@/components/ErrorNotice";
import { resolveMarket, type MarketChoice } from "@/components/MarketSelect";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { WhenVisible } from "@/components/WhenVisible";
import { ApiError } from "@/lib/api-client";
import { formatDay, formatDayShort, formatMinuteIST, istDay } from "@/lib/format";
import { useMinutePoll } from "@/lib/poll";
import {
  greeksSummaryQueryKey,
  MARK_DATA_ARRIVED,
  summaryQueryFor,
  useGreeksSummary,
  type ResolvedSummaryQuery,
} from "../api/get-greeks-summary";
import { useTrackerPageOpen } from "../api/get-tracker-page";
import { useMinuteStream } from "../api/stream-minutes";
import { expectsNewMinutes, liveState } from "../utils/live";
import { parseTrackerParams, trackerSearch, type TrackerParams } from "../utils/params";
import { LiveBadge } from "./LiveBadge";
import { TrackerCharts } from "./TrackerCharts";
import { TrackerControls } from "./TrackerControls";
import "./tracker.css";

// The minute table (and TanStack Table and Virtual with it) loads when a person scrolls to it: it is below the
// fold on every screen, and the first screen's code stays within its budget (docs/deploy.md, "Compressed assets").
const TrackerTable = lazy(async () => ({ default: (await import("./TrackerTable")).TrackerTable }));

export const MARK_RENDERED = "tracker:rendered";
export const MEASURE_RENDER = "tracker:render";

export function TrackerPage() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => parseTrackerParams(search), [search]);
  // On a fresh open, one bundle brings what the queries below would ask for: they wait for it, then run as usual
  // (what it seeded is fresh; what it lacked they ask for themselves).
  const opened = useTrackerPageOpen(params);
  const instruments = useInstruments(opened);
  const wantedInstrument = params.instrument ?? instruments.data?.instruments[0]?.symbol;
  const sessions = useSessions(wantedInstrument, opened);
  const market = resolveMarket(instruments.data?.instruments, sessions.data?.sessions, params);

  const update = (change: Partial<TrackerParams> | Partial<MarketChoice>, options: { replace?: boolean } = {}) => {
    setSearch(trackerSearch({ ...params, ...change }), { replace: options.replace ?? false });
  };

  // The bundle seeds the summary under this same key (seedTrackerPage works it out with summaryQueryFor too).
  const query = opened ? summaryQueryFor(market, params) : null;

  const status = useBadgeStatus(opened);
  const summary = useGreeksSummary(query);
  const day = summary.data;
  const live = useLiveState(day, status.data);
  const knownDays = sessions.data;
  const refetchSessions = sessions.refetch;
  const streamState = useMinuteStream(query, expectsNewMinutes(live) && !summary.isPlaceholderData, (update) => {
    // A minute of a day the picker does not offer yet: a new day has begun.
    if (knownDays && !knownDays.sessions.some((session) => session.date === update.date)) void refetchSessions();
  });
  // While the stream delivers live minutes the status is not asked again until the session closes.
  useStatusRefresh(status, streamState === "open" && live.kind === "live");
  const offset = serverClockOffset(status.data);
  const polling = streamState === "polling" && expectsNewMinutes(live);
  usePolling(query, polling, offset);
  useFollowNewDay(sessions.data, status.data, () => void refetchSessions());

  const listsError = instruments.error ?? sessions.error;
  return (
    <Page
      title="Greeks tracker"
      lead="How the greeks of calls and puts inside a delta band have moved since the baseline minute and since the previous minute."
    >
      {listsError ? (
        <ErrorNotice
          error={listsError}
          title="Could not load the indices and days with data"
          onRetry={() => void (instruments.error ? instruments.refetch() : sessions.refetch())}
        />
      ) : null}
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
        <TrackerView
          summary={day}
          params={params}
          onKindsChange={(kinds) => {
            update({ kinds });
          }}
        />
      ) : summary.isPending && sessions.data?.sessions.length !== 0 ? (
        <TrackerSkeleton metrics={params.metrics.length} />
      ) : null}
    </Page>
  );
}

/** The badge's state, worked out again every 15 s from the newest minute and the clock (no request). */
function useLiveState(day: Summary | undefined, status: MarketStatusAnswer | undefined) {
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

/**
 * Without the stream, the day is loaded again once a minute, 5–25 s after the minute turns (the browser sends
 * If-None-Match with the ETag of the day it has, so an unchanged day costs a 304).
 */
function usePolling(query: ResolvedSummaryQuery | null, on: boolean, offsetMs: number) {
  const queryClient = useQueryClient();
  useMinutePoll(
    on && query !== null,
    () => {
      if (query) void queryClient.invalidateQueries({ queryKey: greeksSummaryQueryKey(query) });
    },
    offsetMs,
  );
}

/**
 * The market is open but the days with data do not include today yet (a new day, or the page opened before its
 * first minute): ask for the days once a minute until today appears; the view then moves to it by itself.
 */
function useFollowNewDay(
  days: SessionsAnswer | undefined,
  answer: MarketStatusAnswer | undefined,
  refetch: () => void,
) {
  const status = answer?.status;
  // An "open" answer is about the day of its `now`: it is asked again when the session closes.
  const today = status ? istDay(status.now) : null;
  const waiting = Boolean(
    days && status?.market.state === "open" && today && !days.sessions.some((session) => session.date === today),
  );
  useMinutePoll(waiting, refetch, serverClockOffset(answer));
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
        <WhenVisible className="tracker-table-slot" placeholder={<Skeleton label="Minute table" lines={6} />}>
          <Suspense fallback={<Skeleton label="Loading the minute table…" lines={6} />}>
            <TrackerTable
              summary={summary}
              metrics={params.metrics}
              kinds={params.kinds}
              onKindsChange={onKindsChange}
            />
          </Suspense>
        </WhenVisible>
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
          <button
            type="button"
            className="button"
            onClick={() => {
              onLatest(latest);
            }}
          >
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

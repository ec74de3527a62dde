// The status page, for anyone: is the market open, is the data up to date, did today's collection have gaps,
// does the app have its Upstox token, and is the server healthy, in plain words.
import { Link } from "react-router";
import { useBrokerStatus } from "@/api/get-broker-status";
import { useMe } from "@/api/get-me";
import { useMarketStatus, type MarketStatus, type UpstoxGreeksCheck } from "@/api/get-market-status";
import type { BrokerStatus } from "@/api/types";
import { Badge, type BadgeTone } from "@/components/Badge";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { ApiError } from "@/lib/api-client";
import { formatAge, formatDayShort, formatInstantIST, formatMinuteIST, formatTimeIST, istDay } from "@/lib/format";
import { useHealthReady, type CheckStatus, type HealthReport } from "../api/get-health-ready";
import { CHECK_NAMES, marketWords, overallVerdict } from "../utils/words";
import "./status.css";

export function StatusPage() {
  const health = useHealthReady();
  const market = useMarketStatus();
  const report = market.data?.status;
  const signedOut = market.error instanceof ApiError && market.error.status === 401;
  const verdict = overallVerdict(health.data, report);
  const me = useMe();
  const admin = me.data?.user.role === "admin";
  const broker = useBrokerStatus(admin);

  return (
    <Page title="Status" lead="Whether Market Edge is working right now and its data is up to date, in plain words.">
      {health.isPending && market.isPending ? <Skeleton label="Checking…" /> : null}
      {verdict ? (
        <p className={`verdict verdict--${verdict.tone}`} role="status">
          {verdict.text}
        </p>
      ) : null}
      {report ? <MarketAndData status={report} /> : null}
      {signedOut ? (
        <p className="notice notice--info">Sign in to see how fresh the data is and today's collection.</p>
      ) : market.error ? (
        <ErrorNotice
          error={market.error}
          title="Could not get the data's status"
          onRetry={() => void market.refetch()}
        />
      ) : null}
      {market.data && !report ? (
        <p className="notice notice--info">This server does not report the data's status yet.</p>
      ) : null}
      {report?.today ? <Today status={report} /> : null}
      {report?.upstox_greeks ? <GreeksCheck check={report.upstox_greeks} /> : null}
      {admin && broker.data ? <TokenDetails broker={broker.data} /> : null}
      {health.error !== null ? (
        <ErrorNotice
          error={health.error}
          title="Could not get the backend's status"
          onRetry={() => void health.refetch()}
        />
      ) : null}
      {health.data ? (
        <HealthReportView report={health.data} checkedAt={health.dataUpdatedAt} refreshing={health.isFetching} />
      ) : null}
    </Page>
  );
}

function MarketAndData({ status }: { status: MarketStatus }) {
  const market = marketWords(status);
  const last = status.data.last_minute;
  const tone: BadgeTone = status.data.fresh ? "live" : status.market.state === "open" ? "warn" : "neutral";
  return (
    <section className="panel" aria-labelledby="status-market">
      <h2 id="status-market" className="panel__title">
        Market and data
      </h2>
      <dl className="facts">
        <div>
          <dt>Market</dt>
          <dd>{market}</dd>
        </div>
        {status.market.calendar ? (
          <div>
            <dt>Calendar</dt>
            <dd>
              {status.market.calendar.note}{" "}
              <Badge tone={status.market.calendar.confirmed ? "neutral" : "warn"}>
                {status.market.calendar.confirmed ? "confirmed" : "not confirmed"}
              </Badge>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Latest stored minute</dt>
          <dd>
            {last ? (
              <>
                {formatDayShort(istDay(last))} {formatMinuteIST(last)} IST
                {status.data.age_minutes !== null && status.data.age_minutes >= 0
                  ? ` (${formatAge(status.data.age_minutes)})`
                  : ""}{" "}
                <Badge tone={tone}>
                  {status.data.fresh
                    ? "up to date"
                    : status.market.state === "open"
                      ? "behind"
                      : "as of the last session"}
                </Badge>
              </>
            ) : (
              "nothing stored yet"
            )}
          </dd>
        </div>
        <div>
          <dt>Upstox token</dt>
          <dd>
            {status.token?.present ? "present" : "missing: an administrator connects it on the Broker page"}
            {status.poller?.paused_for_token ? "; collection is paused until a new token is stored" : ""}
          </dd>
        </div>
        {status.mode !== "live" ? (
          <div>
            <dt>Mode</dt>
            <dd>
              {status.mode === "demo-replay" && status.replay_of
                ? `Demo: replaying the session of ${formatDayShort(status.replay_of)} on a simulated market`
                : "Demo: a simulated market"}
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

function Today({ status }: { status: MarketStatus }) {
  const today = status.today;
  if (!today) return null;
  return (
    <section className="panel" aria-labelledby="status-today">
      <h2 id="status-today" className="panel__title">
        Today's collection
      </h2>
      {today.runs === 0 ? (
        <p>
          No minute collected yet today{status.market.state === "open" ? "." : " (the market has not been open today)."}
        </p>
      ) : (
        <p>
          {today.runs} minutes collected: {today.ok} complete, {today.partial} partial, {today.failed} failed
          {today.skipped ? `, ${String(today.skipped)} skipped` : ""}.
        </p>
      )}
      {today.backfilled ? (
        <p>{today.backfilled} minutes were filled afterwards from Upstox's 1-minute candles.</p>
      ) : null}
      {today.gaps.length === 0 ? (
        <p>No gaps so far.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption>Gaps: minutes of today's session with no data</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Minutes</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {today.gaps.map((gap) => (
                <tr key={gap.from}>
                  <td>{formatMinuteIST(gap.from)}</td>
                  <td>{formatMinuteIST(gap.to)}</td>
                  <td className="num">{gap.minutes}</td>
                  <td className="table__detail">{gap.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {today.last_error ? <p className="panel__meta">Last error: {today.last_error}</p> : null}
      <p className="panel__meta">As of {formatInstantIST(status.now)}.</p>
    </section>
  );
}

const GREEKS = ["iv", "delta", "gamma", "theta", "vega"] as const;

/** Upstox sends its greeks rounded; every greek shown is our engine's. How far apart they were, latest minute. */
function GreeksCheck({ check }: { check: UpstoxGreeksCheck }) {
  const targets = Object.entries(check.targets);
  return (
    <section className="panel" aria-labelledby="status-greeks">
      <h2 id="status-greeks" className="panel__title">
        Upstox's greeks against ours
      </h2>
      <p>
        Every greek shown is computed by Market Edge's engine at full precision; Upstox's rounded values are only
        compared. The largest gap of each greek at {formatMinuteIST(check.minute)} IST (Upstox minus ours), and where it
        is; the median gap when you point at it.
      </p>
      <div className="table-scroll">
        <table className="table">
          <caption>Largest gap per greek, over the options Upstox gave an IV for</caption>
          <thead>
            <tr>
              <th scope="col">Index and expiry</th>
              {GREEKS.map((greek) => (
                <th scope="col" key={greek}>
                  {GREEK_NAMES[greek]}
                </th>
              ))}
              <th scope="col">Options</th>
            </tr>
          </thead>
          <tbody>
            {targets.map(([target, greeks]) => (
              <tr key={target}>
                <th scope="row">{target.replace(":", " ")}</th>
                {GREEKS.map((greek) => {
                  const gap = greeks[greek];
                  return (
                    <td key={greek} className="num" title={gap ? `median ${formatGap(gap.median)}` : undefined}>
                      {!gap
                        ? "–"
                        : gap.largest === 0
                          ? "0"
                          : `${formatGap(gap.largest)} · ${String(gap.strike)} ${gap.side}`}
                    </td>
                  );
                })}
                <td className="num">{Math.max(0, ...GREEKS.map((greek) => greeks[greek]?.compared ?? 0))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const GREEK_NAMES: Record<(typeof GREEKS)[number], string> = {
  iv: "IV",
  delta: "Delta",
  gamma: "Gamma",
  theta: "Theta",
  vega: "Vega",
};

function formatGap(value: number): string {
  if (value === 0) return "0";
  return Math.abs(value) >= 0.01 ? value.toFixed(3) : value.toExponential(1);
}

/** For administrators: the broker token in a few lines, with the way to the Broker page. */
function TokenDetails({ broker }: { broker: BrokerStatus }) {
  const token = broker.token;
  return (
    <section className="panel" aria-labelledby="status-token">
      <h2 id="status-token" className="panel__title">
        Upstox token (administrators)
      </h2>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            {broker.usable
              ? "working"
              : broker.connected
                ? `stored but not usable (${token?.status ?? "unknown"})`
                : "none stored"}
          </dd>
        </div>
        {token ? (
          <div>
            <dt>Kind and validity</dt>
            <dd>
              {token.kind}, valid until {formatInstantIST(token.valid_until)}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Without a token from</dt>
          <dd>
            {broker.without_token_from
              ? formatInstantIST(broker.without_token_from)
              : "not before the next session ends"}
          </dd>
        </div>
        <div>
          <dt>Next renewal check</dt>
          <dd>{broker.renewal.next_at ? formatInstantIST(broker.renewal.next_at) : "none scheduled"}</dd>
        </div>
      </dl>
      <p>
        <Link to="/broker">Manage the Upstox connection</Link>
      </p>
    </section>
  );
}

/** The status as a word, coloured, with a mark (✓ ! ✕ from CSS) so colour is never the only cue. */
function StatusText({ status }: { status: CheckStatus }) {
  return <span className={`status status--${status}`}>{status}</span>;
}

function HealthReportView({
  report,
  checkedAt,
  refreshing,
}: {
  report: HealthReport;
  checkedAt: number;
  refreshing: boolean;
}) {
  const checks = Object.entries(report.checks);
  return (
    <section className="panel" aria-labelledby="status-overall">
      <div className="panel__head">
        <h2 id="status-overall" className="panel__title">
          Server: <StatusText status={report.status} />
        </h2>
        <p className="panel__meta" aria-live="polite">
          {refreshing ? "Checking…" : `Checked at ${formatTimeIST(checkedAt)}`}
        </p>
      </div>
      {checks.length === 0 ? (
        <p>The backend reported no checks.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Readiness checks</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {checks.map(([name, check]) => (
                <tr key={name}>
                  <th scope="row">{CHECK_NAMES[name] ?? name}</th>
                  <td>
                    <StatusText status={check.status} />
                  </td>
                  <td className="table__detail">{check.detail || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

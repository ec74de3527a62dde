// One small chart per greek, all on the same minutes with one crosshair: the change since the baseline for
// CE, PE and net, the spot on its own scale, and net's minute change as bars. Under each, the values at the
// crosshair (or the latest minute) as text.
import { memo, useMemo, useState } from "react";
import type { Summary } from "@/api/types";
import { TimeChart, type ChartLine } from "@/components/charts/TimeChart";
import { ErrorBoundary } from "@/components/ErrorBoundary";
import { SignedNumber } from "@/components/SignedNumber";
import { formatMinuteIST, formatNumber, formatSigned } from "@/lib/format";
import { METRICS, type MetricKey } from "../utils/metrics";
import { chartData, columnValues, latestRow } from "../utils/series";

const LINES: readonly ChartLine[] = [
  { label: "CE change", color: "ce", scale: "y", style: "line" },
  { label: "PE change", color: "pe", scale: "y", style: "line" },
  { label: "Net change", color: "net", scale: "y", style: "line" },
  { label: "Spot", color: "spot", scale: "spot", style: "dashed" },
  { label: "Net minute change, rise", color: "up", scale: "bars", style: "bars" },
  { label: "Net minute change, fall", color: "down", scale: "bars", style: "bars" },
];

const SYNC_KEY = "tracker";

export function TrackerCharts({ summary, metrics }: { summary: Summary; metrics: readonly MetricKey[] }) {
  const [cursor, setCursor] = useState<number | null>(null);
  const baseline = formatMinuteIST(summary.baseline.minute);
  return (
    <section className="panel" aria-labelledby="tracker-charts-title">
      <div className="panel__head">
        <h2 id="tracker-charts-title" className="panel__title">
          Change since {baseline} IST
        </h2>
        <ul className="legend" aria-label="Chart key">
          <li className="legend__item legend__item--ce">CE calls</li>
          <li className="legend__item legend__item--pe">PE puts</li>
          <li className="legend__item legend__item--net">Net CE + PE</li>
          <li className="legend__item legend__item--spot">Spot (right scale)</li>
          <li className="legend__item legend__item--bars">Net minute change (bars: ▲ rise, ▼ fall)</li>
        </ul>
      </div>
      <div className="chart-grid">
        {metrics.map((metric) => (
          <ErrorBoundary key={metric}>
            <GreekChart summary={summary} metric={metric} cursor={cursor} onCursor={setCursor} />
          </ErrorBoundary>
        ))}
      </div>
    </section>
  );
}

interface GreekChartProps {
  summary: Summary;
  metric: MetricKey;
  cursor: number | null;
  onCursor: (row: number | null) => void;
}

function GreekChart({ summary, metric, cursor, onCursor }: GreekChartProps) {
  const info = METRICS[metric];
  const data = useMemo(() => chartData(summary, metric), [summary, metric]);
  const latest = latestRow(summary);
  const row = cursor ?? latest;
  const unit = info.changeUnit ? ` (${info.changeUnit})` : "";
  const description = useMemo(() => describeChart(summary, metric), [summary, metric]);
  return (
    <figure className="chart-card">
      <figcaption className="chart-card__title">
        {info.label}
        <span className="chart-card__unit">{unit}</span>
      </figcaption>
      <MemoChart
        label={`${info.label}: change since the baseline for CE, PE and net, with the spot and net's minute change`}
        description={description}
        data={data}
        onCursor={onCursor}
      />
      <Readout summary={summary} metric={metric} row={row} />
    </figure>
  );
}

const MemoChart = memo(
  function MemoChart(props: {
    label: string;
    description: string;
    data: ReturnType<typeof chartData>;
    onCursor: (row: number | null) => void;
  }) {
    return <TimeChart {...props} lines={LINES} syncKey={SYNC_KEY} height={170} />;
  },
  (before, after) => before.data === after.data && before.description === after.description,
);

function Readout({ summary, metric, row }: { summary: Summary; metric: MetricKey; row: number }) {
  const info = METRICS[metric];
  const minute = summary.minutes[row];
  if (row < 0 || minute === undefined) return <p className="readout">No data yet.</p>;
  const value = (side: "ce" | "pe" | "net", kind: "change" | "minute_change") =>
    columnValues(summary, side, metric, kind)[row] ?? null;
  return (
    <dl className="readout">
      <div>
        <dt>Time</dt>
        <dd>{formatMinuteIST(minute)}</dd>
      </div>
      <div className="readout__ce">
        <dt>CE</dt>
        <dd>
          <SignedNumber value={value("ce", "change")} decimals={info.decimals} />
        </dd>
      </div>
      <div className="readout__pe">
        <dt>PE</dt>
        <dd>
          <SignedNumber value={value("pe", "change")} decimals={info.decimals} />
        </dd>
      </div>
      <div className="readout__net">
        <dt>Net</dt>
        <dd>
          <SignedNumber value={value("net", "change")} decimals={info.decimals} />
        </dd>
      </div>
      <div>
        <dt>Net min. chg</dt>
        <dd>
          <SignedNumber value={value("net", "minute_change")} decimals={info.decimals} />
        </dd>
      </div>
      <div>
        <dt>Spot</dt>
        <dd>{formatNumber(summary.spot[row], 2)}</dd>
      </div>
    </dl>
  );
}

/** The chart's text alternative: what it covers and where each line ended. */
export function describeChart(summary: Summary, metric: MetricKey): string {
  const info = METRICS[metric];
  const row = latestRow(summary);
  const first = summary.minutes[0];
  const minute = summary.minutes[row];
  if (row < 0 || !first || !minute) return "No stored minutes yet.";
  const change = (side: "ce" | "pe" | "net") =>
    formatSigned(columnValues(summary, side, metric, "change")[row], info.decimals);
  return (
    `From ${formatMinuteIST(first)} to ${formatMinuteIST(minute)} IST. At ${formatMinuteIST(minute)}: ` +
    `CE ${change("ce")}, PE ${change("pe")}, net ${change("net")}${info.changeUnit ? ` ${info.changeUnit}` : ""}; ` +
    `spot ${formatNumber(summary.spot[row], 2)}. Every minute is in the table below.`
  );
}

// One strike's day: for the side picked, the change since the baseline of its price, IV and greeks, with the
// minute change as bars and the spot on its own scale; a CSV of the whole day.
import { useMemo } from "react";
import type { StrikeAnswer, StrikeQuery } from "@/api/types";
import { TimeChart, type ChartLine } from "@/components/charts/TimeChart";
import { Segmented } from "@/components/Choice";
import { ErrorBoundary } from "@/components/ErrorBoundary";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Skeleton } from "@/components/Skeleton";
import { formatMinuteIST, formatNumber, formatSigned } from "@/lib/format";
import { apiUrl } from "@/lib/api-client";
import { strikePath, useStrike } from "../api/get-strike";
import { STRIKE_METRICS, strikeChartData, type OptionSide } from "../utils/chain";

interface StrikePanelProps {
  query: StrikeQuery;
  onSide: (side: OptionSide) => void;
  onClose: () => void;
}

export function StrikePanel({ query, onSide, onClose }: StrikePanelProps) {
  const strike = useStrike(query);
  const title = `${formatNumber(query.strike, 0)} ${query.side}`;
  return (
    <section className="panel" aria-labelledby="strike-title">
      <div className="panel__head">
        <h2 id="strike-title" className="panel__title">
          {title}: change since {strike.data ? formatMinuteIST(strike.data.baseline.minute) : "09:15"} IST
        </h2>
        <div className="actions">
          <Segmented<OptionSide>
            legend="Side"
            hideLegend
            options={[
              { value: "CE", label: "CE (call)" },
              { value: "PE", label: "PE (put)" },
            ]}
            value={query.side}
            onChange={onSide}
          />
          <a className="button button--quiet" href={apiUrl(strikePath(query, "csv"))} download>
            Download CSV
          </a>
          <button type="button" className="button button--quiet" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {strike.isPending ? <Skeleton label={`Loading ${title}…`} lines={6} /> : null}
      {strike.error ? (
        <ErrorNotice error={strike.error} title={`Could not load ${title}`} onRetry={() => void strike.refetch()} />
      ) : null}
      {strike.data ? <StrikeCharts answer={strike.data} /> : null}
    </section>
  );
}

function StrikeCharts({ answer }: { answer: StrikeAnswer }) {
  const colour = answer.side === "CE" ? "ce" : "pe";
  const lines: readonly ChartLine[] = useMemo(
    () => [
      { label: `${answer.side} change`, color: colour, scale: "y", style: "line" },
      { label: "Spot", color: "spot", scale: "spot", style: "dashed" },
      { label: "Minute change, rise", color: "up", scale: "bars", style: "bars" },
      { label: "Minute change, fall", color: "down", scale: "bars", style: "bars" },
    ],
    [answer.side, colour],
  );
  return (
    <>
      <ul className="legend" aria-label="Chart key">
        <li className={`legend__item legend__item--${colour}`}>{answer.side} change since baseline</li>
        <li className="legend__item legend__item--spot">Spot (right scale)</li>
        <li className="legend__item legend__item--bars">Minute change (bars: ▲ rise, ▼ fall)</li>
      </ul>
      <div className="chart-grid">
        {STRIKE_METRICS.map((metric) => (
          <ErrorBoundary key={metric.key}>
            <StrikeMetricChart answer={answer} metric={metric} lines={lines} />
          </ErrorBoundary>
        ))}
      </div>
    </>
  );
}

function StrikeMetricChart({
  answer,
  metric,
  lines,
}: {
  answer: StrikeAnswer;
  metric: (typeof STRIKE_METRICS)[number];
  lines: readonly ChartLine[];
}) {
  const data = useMemo(() => strikeChartData(answer, metric.key, metric.scale), [answer, metric]);
  const last = answer.minutes.length - 1;
  const series = answer.series[metric.key];
  const scaled = (value: number | null | undefined) =>
    value === null || value === undefined ? null : value * metric.scale;
  const description =
    last < 0
      ? "No stored minutes."
      : `At ${formatMinuteIST(answer.minutes[last] ?? "")}: level ${formatNumber(scaled(series.level[last]), metric.decimals)}, ` +
        `change since the baseline ${formatSigned(scaled(series.change[last]), metric.decimals)}.`;
  return (
    <figure className="chart-card">
      <figcaption className="chart-card__title">
        {metric.label}
        {metric.unit ? <span className="chart-card__unit">({metric.unit})</span> : null}
      </figcaption>
      <TimeChart
        label={`${answer.side} ${formatNumber(answer.strike, 0)} ${metric.label}: change since the baseline, with the minute change`}
        description={description}
        data={data}
        lines={lines}
        syncKey="strike"
        height={150}
      />
      <p className="readout">{description}</p>
    </figure>
  );
}

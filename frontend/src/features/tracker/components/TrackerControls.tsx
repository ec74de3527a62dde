// The tracker's controls: what to read (index, date, expiry), the delta band and how strikes are chosen,
// the row interval, the baseline minute and which greeks to show.
import { useId, useState } from "react";
import type { Instrument, Interval, Selection, TradingSession } from "@/api/types";
import { Chips, Segmented } from "@/components/Choice";
import { MarketSelect, type MarketChoice } from "@/components/MarketSelect";
import { METRICS, METRIC_HINTS, METRIC_KEYS, type MetricKey } from "../utils/metrics";
import { DEFAULT_BASELINE, INTERVALS, type TrackerParams } from "../utils/params";
import { DeltaBandControl } from "./DeltaBandControl";

interface TrackerControlsProps {
  params: TrackerParams;
  market: Partial<MarketChoice>;
  instruments: readonly Instrument[];
  sessions: readonly TradingSession[] | undefined;
  onChange: (change: Partial<TrackerParams>, options?: { replace?: boolean }) => void;
}

const SELECTION_OPTIONS: readonly { value: Selection; label: string; hint: string }[] = [
  { value: "dynamic", label: "Dynamic", hint: "strikes chosen again every minute" },
  { value: "fixed", label: "Fixed", hint: "the strikes in the band at the baseline, all day" },
];

const INTERVAL_OPTIONS = INTERVALS.map((interval) => ({ value: interval, label: `${interval} min` }));

export function TrackerControls({ params, market, instruments, sessions, onChange }: TrackerControlsProps) {
  return (
    <section className="panel controls" aria-label="What the tracker shows">
      <div className="controls__row">
        <MarketSelect
          instruments={instruments}
          sessions={sessions}
          value={market}
          onChange={(change) => {
            onChange(change);
          }}
        />
        <BaselineField
          value={params.baseline}
          onChange={(baseline) => {
            onChange({ baseline });
          }}
        />
        <Segmented<Interval>
          legend="Rows every"
          options={INTERVAL_OPTIONS}
          value={params.interval}
          onChange={(interval) => {
            onChange({ interval });
          }}
        />
      </div>
      <div className="controls__row">
        <DeltaBandControl
          value={{ min: params.deltaMin, max: params.deltaMax }}
          onChange={(band) => {
            onChange({ deltaMin: band.min, deltaMax: band.max }, { replace: true });
          }}
        />
        <Segmented<Selection>
          legend="Band membership"
          options={SELECTION_OPTIONS}
          value={params.selection}
          onChange={(selection) => {
            onChange({ selection });
          }}
        />
        <Chips<MetricKey>
          legend="Greeks shown"
          options={METRIC_KEYS.map((key) => ({ value: key, label: METRICS[key].label, hint: METRIC_HINTS[key] }))}
          value={params.metrics}
          onChange={(metrics) => {
            onChange({ metrics });
          }}
        />
      </div>
    </section>
  );
}

/** The baseline minute (IST, 09:15 to 15:30), applied when the field is left or Enter is pressed. */
function BaselineField({ value, onChange }: { value: string; onChange: (baseline: string) => void }) {
  const id = useId();
  const hintId = useId();
  const [typed, setTyped] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setTyped(value);
  }
  const commit = () => {
    const valid = /^\d{2}:\d{2}$/.test(typed) && typed >= DEFAULT_BASELINE && typed <= "15:30";
    if (!valid) {
      setTyped(value);
      return;
    }
    if (typed !== value) onChange(typed);
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Baseline (IST)
      </label>
      <input
        id={id}
        className="input input--time"
        type="time"
        min={DEFAULT_BASELINE}
        max="15:30"
        step={60}
        value={typed}
        aria-describedby={hintId}
        onChange={(event) => {
          setTyped(event.target.value);
        }}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") commit();
        }}
      />
      <span id={hintId} className="visually-hidden">
        Changes are measured from the first stored minute at or after this time.
      </span>
    </div>
  );
}

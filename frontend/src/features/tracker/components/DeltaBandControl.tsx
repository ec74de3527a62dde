// The delta band: a two-handle slider (two native range inputs on one track), exact number inputs, presets.
// Dragging updates the numbers at once and the view (address and data) when the hand rests.
import { useEffect, useId, useRef, useState, type CSSProperties } from "react";
import { BAND_PRESETS, roundDelta } from "../utils/params";

export interface Band {
  min: number;
  max: number;
}

interface DeltaBandControlProps {
  value: Band;
  onChange: (band: Band) => void;
  /** Milliseconds the slider must rest before the view follows. */
  settleMs?: number;
}

const STEP = 0.01;

/** Keeps min below max by one step, each end in [0, 1]; `moved` says which end gives way. */
export function clampBand(band: Band, moved: "min" | "max"): Band {
  let min = roundDelta(band.min);
  let max = roundDelta(band.max);
  if (min > 1 - STEP) min = roundDelta(1 - STEP);
  if (max < STEP) max = STEP;
  if (max - min < STEP - 1e-9) {
    if (moved === "min") min = roundDelta(max - STEP);
    else max = roundDelta(min + STEP);
  }
  return { min, max };
}

export function DeltaBandControl({ value, onChange, settleMs = 250 }: DeltaBandControlProps) {
  const [draft, setDraft] = useState(value);
  const [typedMin, setTypedMin] = useState(value.min.toFixed(2));
  const [typedMax, setTypedMax] = useState(value.max.toFixed(2));
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const legendId = useId();
  const minId = useId();
  const maxId = useId();

  // The address changed (back button, a preset elsewhere): show it.
  const [shown, setShown] = useState(value);
  if (shown.min !== value.min || shown.max !== value.max) {
    setShown(value);
    setDraft(value);
    setTypedMin(value.min.toFixed(2));
    setTypedMax(value.max.toFixed(2));
  }

  useEffect(
    () => () => {
      clearTimeout(timer.current);
    },
    [],
  );

  const apply = (band: Band, delay: number) => {
    setDraft(band);
    setTypedMin(band.min.toFixed(2));
    setTypedMax(band.max.toFixed(2));
    clearTimeout(timer.current);
    if (band.min === value.min && band.max === value.max) return;
    if (delay === 0) onChange(band);
    else
      timer.current = setTimeout(() => {
        onChange(band);
      }, delay);
  };

  const commitTyped = (which: "min" | "max") => {
    const typed = Number(which === "min" ? typedMin : typedMax);
    if (!Number.isFinite(typed)) {
      setTypedMin(draft.min.toFixed(2));
      setTypedMax(draft.max.toFixed(2));
      return;
    }
    apply(clampBand({ ...draft, [which]: typed }, which), 0);
  };

  // The filled part of the track between the handles (custom properties: CSSOM, allowed by the CSP).
  const fill = {
    "--band-from": `${String(draft.min * 100)}%`,
    "--band-to": `${String(draft.max * 100)}%`,
  } as CSSProperties;

  return (
    <fieldset className="choice band" aria-describedby={legendId}>
      <legend className="field__label">Delta band (|delta| of calls and puts)</legend>
      <p id={legendId} className="visually-hidden">
        Strikes whose absolute delta is between the two values, both included, are summed.
      </p>
      <div className="band__slider" style={fill}>
        <input
          type="range"
          className="band__range band__range--min"
          min={0}
          max={1}
          step={STEP}
          value={draft.min}
          aria-label="Lower delta"
          aria-valuetext={draft.min.toFixed(2)}
          onChange={(event) => {
            apply(clampBand({ ...draft, min: Number(event.target.value) }, "min"), settleMs);
          }}
        />
        <input
          type="range"
          className="band__range band__range--max"
          min={0}
          max={1}
          step={STEP}
          value={draft.max}
          aria-label="Upper delta"
          aria-valuetext={draft.max.toFixed(2)}
          onChange={(event) => {
            apply(clampBand({ ...draft, max: Number(event.target.value) }, "max"), settleMs);
          }}
        />
      </div>
      <div className="band__exact">
        <label htmlFor={minId} className="band__label">
          From
        </label>
        <input
          id={minId}
          className="input input--number"
          type="number"
          inputMode="decimal"
          min={0}
          max={1}
          step={STEP}
          value={typedMin}
          onChange={(event) => {
            setTypedMin(event.target.value);
          }}
          onBlur={() => {
            commitTyped("min");
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter") commitTyped("min");
          }}
        />
        <label htmlFor={maxId} className="band__label">
          to
        </label>
        <input
          id={maxId}
          className="input input--number"
          type="number"
          inputMode="decimal"
          min={0}
          max={1}
          step={STEP}
          value={typedMax}
          onChange={(event) => {
            setTypedMax(event.target.value);
          }}
          onBlur={() => {
            commitTyped("max");
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter") commitTyped("max");
          }}
        />
      </div>
      <div className="band__presets" role="group" aria-label="Band presets">
        {BAND_PRESETS.map((preset) => {
          const active = preset.min === draft.min && preset.max === draft.max;
          return (
            <button
              key={preset.label}
              type="button"
              className="chip-button"
              aria-pressed={active}
              onClick={() => {
                apply({ min: preset.min, max: preset.max }, 0);
              }}
            >
              {preset.label}
            </button>
          );
        })}
      </div>
    </fieldset>
  );
}

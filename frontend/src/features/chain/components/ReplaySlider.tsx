// The replay: a slider over the day's stored minutes, step buttons, and play/pause (one minute every 0.8 s).
import { useEffect, useId, useRef, useState } from "react";
import { formatMinuteIST } from "@/lib/format";

interface ReplaySliderProps {
  minutes: readonly string[];
  index: number;
  onChange: (index: number) => void;
}

const PLAY_STEP_MS = 800;

export function ReplaySlider({ minutes, index, onChange }: ReplaySliderProps) {
  const id = useId();
  const [playRequested, setPlaying] = useState(false);
  const last = minutes.length - 1;
  const atEnd = index >= last;
  // Playing stops by itself at the last minute.
  const playing = playRequested && !atEnd;
  const step = useRef(onChange);
  useEffect(() => {
    step.current = onChange;
  });

  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      step.current(index + 1);
    }, PLAY_STEP_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [playing, index]);

  const minute = minutes[index];
  return (
    <div className="replay">
      <label className="field__label" htmlFor={id}>
        Minute (IST): <output className="replay__minute">{minute ? formatMinuteIST(minute) : "—"}</output>
      </label>
      <div className="replay__controls">
        <button
          type="button"
          className="icon-button"
          aria-label="Previous minute"
          disabled={index <= 0}
          onClick={() => {
            onChange(index - 1);
          }}
        >
          ‹
        </button>
        <input
          id={id}
          className="replay__range"
          type="range"
          min={0}
          max={Math.max(0, last)}
          step={1}
          value={Math.max(0, index)}
          aria-valuetext={minute ? `${formatMinuteIST(minute)} IST` : undefined}
          disabled={minutes.length < 2}
          onChange={(event) => {
            setPlaying(false);
            onChange(Number(event.target.value));
          }}
        />
        <button
          type="button"
          className="icon-button"
          aria-label="Next minute"
          disabled={atEnd}
          onClick={() => {
            onChange(index + 1);
          }}
        >
          ›
        </button>
        <button
          type="button"
          className="button button--quiet"
          aria-pressed={playing}
          disabled={atEnd}
          onClick={() => {
            setPlaying(!playing);
          }}
        >
          {playing ? "Pause" : "Play"}
        </button>
        <button
          type="button"
          className="button button--quiet"
          disabled={atEnd}
          onClick={() => {
            setPlaying(false);
            onChange(last);
          }}
        >
          Latest
        </button>
      </div>
      <p className="replay__range-label">
        {minutes[0] ? formatMinuteIST(minutes[0]) : ""} to {minutes[last] ? formatMinuteIST(minutes[last]) : ""} IST,{" "}
        {minutes.length} stored minutes
      </p>
    </div>
  );
}

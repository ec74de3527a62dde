// The tracker's view lives in the address, so a view can be bookmarked and shared: parsed here with every
// value checked (a hand-edited address falls back to the default), and written back with defaults left out.
import type { Interval, Selection } from "@/api/types";
import { DEFAULT_KINDS, DEFAULT_METRICS, KINDS, METRIC_KEYS, type Kind, type MetricKey } from "./metrics";

export interface TrackerParams {
  /** Unset: the first tracked index. */
  instrument: string | undefined;
  /** Unset: the nearest expiry tracked on the date. */
  expiry: string | undefined;
  /** Unset: the latest day with data. */
  date: string | undefined;
  deltaMin: number;
  deltaMax: number;
  selection: Selection;
  interval: Interval;
  /** HH:MM IST */
  baseline: string;
  metrics: MetricKey[];
  kinds: Kind[];
}

export const DEFAULT_BAND = { min: 0.05, max: 0.6 } as const;
export const DEFAULT_BASELINE = "09:15";
export const INTERVALS: readonly Interval[] = ["1", "3", "5", "15"];
export const SELECTIONS: readonly Selection[] = ["dynamic", "fixed"];

export const BAND_PRESETS: readonly { min: number; max: number; label: string }[] = [
  { min: 0.05, max: 0.6, label: "0.05–0.60" },
  { min: 0.2, max: 0.5, label: "0.20–0.50" },
  { min: 0.1, max: 0.4, label: "0.10–0.40" },
  { min: 0.4, max: 0.6, label: "0.40–0.60" },
  { min: 0.05, max: 0.95, label: "0.05–0.95" },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SYMBOL = /^[A-Z0-9&_-]{1,16}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A delta rounded to the slider's step (0.01), kept inside [0, 1]. */
export function roundDelta(value: number): number {
  return Math.min(1, Math.max(0, Math.round(value * 100) / 100));
}

function parseDelta(text: string | null): number | null {
  if (text === null || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? roundDelta(value) : null;
}

function parseList<T extends string>(text: string | null, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (text === null) return [...fallback];
  const wanted = new Set(text.split(",").map((item) => item.trim()));
  const picked = allowed.filter((item) => wanted.has(item));
  return picked.length > 0 ? picked : [...fallback];
}

export function parseTrackerParams(search: URLSearchParams): TrackerParams {
  const instrument = search.get("instrument")?.toUpperCase();
  const expiry = search.get("expiry");
  const date = search.get("date");
  let deltaMin = parseDelta(search.get("dmin")) ?? DEFAULT_BAND.min;
  let deltaMax = parseDelta(search.get("dmax")) ?? DEFAULT_BAND.max;
  if (deltaMin >= deltaMax) [deltaMin, deltaMax] = [DEFAULT_BAND.min, DEFAULT_BAND.max];
  const selection = search.get("sel");
  const interval = search.get("interval");
  const baseline = search.get("baseline");
  return {
    instrument: instrument && SYMBOL.test(instrument) ? instrument : undefined,
    expiry: expiry && DAY.test(expiry) ? expiry : undefined,
    date: date && DAY.test(date) ? date : undefined,
    deltaMin,
    deltaMax,
    selection: SELECTIONS.find((item) => item === selection) ?? "dynamic",
    interval: INTERVALS.find((item) => item === interval) ?? "1",
    baseline:
      baseline && HHMM.test(baseline) && baseline >= DEFAULT_BASELINE && baseline <= "15:30"
        ? baseline
        : DEFAULT_BASELINE,
    metrics: parseList(search.get("greeks"), METRIC_KEYS, DEFAULT_METRICS),
    kinds: parseList(
      search.get("cols"),
      KINDS.map((kind) => kind.key),
      DEFAULT_KINDS,
    ),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** The address for a view: only what differs from the defaults, in a stable order. */
export function trackerSearch(params: TrackerParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.instrument) search.set("instrument", params.instrument);
  if (params.expiry) search.set("expiry", params.expiry);
  if (params.date) search.set("date", params.date);
  if (params.deltaMin !== DEFAULT_BAND.min || params.deltaMax !== DEFAULT_BAND.max) {
    search.set("dmin", params.deltaMin.toFixed(2));
    search.set("dmax", params.deltaMax.toFixed(2));
  }
  if (params.selection !== "dynamic") search.set("sel", params.selection);
  if (params.interval !== "1") search.set("interval", params.interval);
  if (params.baseline !== DEFAULT_BASELINE) search.set("baseline", params.baseline);
  if (!sameList(params.metrics, DEFAULT_METRICS)) search.set("greeks", params.metrics.join(","));
  if (!sameList(params.kinds, DEFAULT_KINDS)) search.set("cols", params.kinds.join(","));
  return search;
}

// What the tracker can show: the sides (CE, PE, net), the greeks, and the three kinds of number per greek.
import type { SideSeries } from "@/api/types";

export type Side = "ce" | "pe" | "net";
export type Kind = "level" | "change" | "minute_change";

export const SIDES: readonly { key: Side; label: string; long: string }[] = [
  { key: "ce", label: "CE", long: "Calls (CE)" },
  { key: "pe", label: "PE", long: "Puts (PE)" },
  { key: "net", label: "Net", long: "Net (CE + PE)" },
];

export interface MetricInfo {
  label: string;
  /** The series in the API answer. */
  api: keyof SideSeries;
  /** Decimals shown (and written to the CSV). */
  decimals: number;
  /** Multiplier from the API's unit to the shown one (IV: fraction → percent). */
  scale: number;
  /** The unit of a level, for labels. */
  unit: string;
  /** The unit of a change, for labels (IV changes are percentage points). */
  changeUnit: string;
}

export const METRICS = {
  delta: { label: "Delta", api: "delta", decimals: 4, scale: 1, unit: "", changeUnit: "" },
  gamma: { label: "Gamma", api: "gamma", decimals: 6, scale: 1, unit: "", changeUnit: "" },
  theta: { label: "Theta", api: "theta", decimals: 2, scale: 1, unit: "per day", changeUnit: "per day" },
  vega: { label: "Vega", api: "vega", decimals: 2, scale: 1, unit: "per vol point", changeUnit: "per vol point" },
  iv: { label: "IV", api: "iv_oi_weighted", decimals: 2, scale: 100, unit: "%", changeUnit: "pts" },
  oi: { label: "OI", api: "oi", decimals: 0, scale: 1, unit: "", changeUnit: "" },
} as const satisfies Record<string, MetricInfo>;

export type MetricKey = keyof typeof METRICS;
export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];
export const DEFAULT_METRICS: readonly MetricKey[] = ["delta", "gamma", "theta", "vega", "iv"];

export const KINDS: readonly { key: Kind; label: string; short: string }[] = [
  { key: "level", label: "Level", short: "Level" },
  { key: "change", label: "Change since baseline", short: "Chg" },
  { key: "minute_change", label: "Minute change", short: "Min chg" },
];
export const DEFAULT_KINDS: readonly Kind[] = ["level", "change", "minute_change"];

/** What a metric's number means, for the legend under the controls. */
export const METRIC_HINTS: Record<MetricKey, string> = {
  delta: "sum of the strikes' deltas",
  gamma: "sum of gammas, per point of the index",
  theta: "sum of thetas, per calendar day",
  vega: "sum of vegas, per volatility point",
  iv: "open-interest-weighted implied volatility, in %",
  oi: "sum of open interest",
};

// Pure functions for the option chain screen: its address, the replay's minutes, the rows, a strike's charts.
import type { Chain, ChainSide, StrikeAnswer } from "@/api/types";
import { formatMinuteIST } from "@/lib/format";

export type OptionSide = "CE" | "PE";

export interface ChainParams {
  instrument: string | undefined;
  date: string | undefined;
  expiry: string | undefined;
  /** HH:MM IST; unset: the latest stored minute. */
  at: string | undefined;
  /** Strikes each side of the money. */
  strikes: number;
  strike: number | undefined;
  side: OptionSide;
}

export const STRIKE_WINDOWS = [5, 10, 15, 25] as const;
export const DEFAULT_WINDOW = 10;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function parseChainParams(search: URLSearchParams): ChainParams {
  const instrument = search.get("instrument")?.toUpperCase();
  const date = search.get("date");
  const expiry = search.get("expiry");
  const at = search.get("at");
  const strikes = Number(search.get("strikes"));
  const strike = Number(search.get("strike"));
  return {
    instrument: instrument && /^[A-Z0-9&_-]{1,16}$/.test(instrument) ? instrument : undefined,
    date: date && DAY.test(date) ? date : undefined,
    expiry: expiry && DAY.test(expiry) ? expiry : undefined,
    at: at && HHMM.test(at) ? at : undefined,
    strikes: (STRIKE_WINDOWS as readonly number[]).includes(strikes) ? strikes : DEFAULT_WINDOW,
    strike: search.get("strike") !== null && Number.isFinite(strike) && strike > 0 ? strike : undefined,
    side: search.get("side") === "PE" ? "PE" : "CE",
  };
}

export function chainSearch(params: ChainParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.instrument) search.set("instrument", params.instrument);
  if (params.date) search.set("date", params.date);
  if (params.expiry) search.set("expiry", params.expiry);
  if (params.at) search.set("at", params.at);
  if (params.strikes !== DEFAULT_WINDOW) search.set("strikes", String(params.strikes));
  if (params.strike !== undefined) {
    search.set("strike", String(params.strike));
    search.set("side", params.side);
  }
  return search;
}

/** The replay position of a minute "HH:MM" among the stored minutes (the last one at or before it). */
export function replayIndex(minutes: readonly string[], at: string | undefined): number {
  if (minutes.length === 0) return -1;
  if (!at) return minutes.length - 1;
  let found = 0;
  minutes.forEach((minute, index) => {
    if (formatMinuteIST(minute) <= at) found = index;
  });
  return found;
}

export interface ChainRow {
  strike: number;
  atm: boolean;
  /** Below the spot for calls (in the money), above it for puts. */
  ceInTheMoney: boolean;
  peInTheMoney: boolean;
  index: number;
}

export function chainRows(chain: Chain): ChainRow[] {
  return chain.strikes.map((strike, index) => ({
    strike,
    index,
    atm: strike === chain.atm_strike,
    ceInTheMoney: strike < chain.spot,
    peInTheMoney: strike > chain.spot,
  }));
}

export type ChainField = Exclude<keyof ChainSide, "source">;

export interface ChainColumn {
  field: ChainField;
  label: string;
  /** Multiplier to the shown unit (IV: fraction → %). */
  scale: number;
  decimals: number;
  signed: boolean;
}

/** Each side's columns, from the strike outwards: price first, greeks after. */
export const CHAIN_COLUMNS: readonly ChainColumn[] = [
  { field: "ltp", label: "LTP", scale: 1, decimals: 2, signed: false },
  { field: "oi", label: "OI", scale: 1, decimals: 0, signed: false },
  { field: "oi_change", label: "OI chg", scale: 1, decimals: 0, signed: true },
  { field: "iv", label: "IV %", scale: 100, decimals: 2, signed: false },
  { field: "delta", label: "Delta", scale: 1, decimals: 4, signed: false },
  { field: "gamma", label: "Gamma", scale: 1, decimals: 5, signed: false },
  { field: "theta", label: "Theta", scale: 1, decimals: 2, signed: false },
  { field: "vega", label: "Vega", scale: 1, decimals: 2, signed: false },
];

export function chainValue(side: ChainSide, column: ChainColumn, index: number): number | null {
  const value = side[column.field][index];
  return value === null || value === undefined ? null : value * column.scale;
}

export const SOURCE_LABELS: Record<ChainSide["source"][number], string> = {
  upstox: "Upstox",
  engine: "Engine",
  backfill: "Backfill",
  none: "None",
};

export type StrikeMetric = keyof StrikeAnswer["series"];

export const STRIKE_METRICS: readonly {
  key: StrikeMetric;
  label: string;
  scale: number;
  unit: string;
  decimals: number;
}[] = [
  { key: "ltp", label: "Price (LTP)", scale: 1, unit: "₹", decimals: 2 },
  { key: "iv", label: "IV", scale: 100, unit: "pts", decimals: 2 },
  { key: "delta", label: "Delta", scale: 1, unit: "", decimals: 4 },
  { key: "gamma", label: "Gamma", scale: 1, unit: "", decimals: 6 },
  { key: "theta", label: "Theta", scale: 1, unit: "per day", decimals: 2 },
  { key: "vega", label: "Vega", scale: 1, unit: "per vol point", decimals: 2 },
];

/** One strike chart: x, the change since baseline, the spot, and the minute change split into rises and falls. */
export function strikeChartData(
  answer: StrikeAnswer,
  metric: StrikeMetric,
  scale: number,
): [number[], ...(number | null)[][]] {
  const series = answer.series[metric];
  const scaled = (values: readonly (number | null)[]) => values.map((value) => (value === null ? null : value * scale));
  const minuteChange = scaled(series.minute_change);
  return [
    answer.minutes.map((minute) => Date.parse(minute) / 1000),
    scaled(series.change),
    answer.spot,
    minuteChange.map((value) => (value !== null && value >= 0 ? value : null)),
    minuteChange.map((value) => (value !== null && value < 0 ? value : null)),
  ];
}

// Pure functions from the tracker's API answer (columns, one entry per row) to what the screen shows: table
// columns and cells, the CSV of exactly that, chart series, and the merge of a live update into the day.
import type { Series, Summary } from "@/api/types";
import { formatMinuteIST, plainNumber } from "@/lib/format";
import { KINDS, METRICS, SIDES, type Kind, type MetricKey, type Side } from "./metrics";

export interface TableColumn {
  id: string;
  metric: MetricKey;
  side: Side;
  kind: Kind;
  /** e.g. "CE delta, change since baseline" */
  name: string;
  csvHeader: string;
  decimals: number;
  /** Changes are shown with a sign (and colour); levels are not. */
  signed: boolean;
}

/** Greek by greek, then CE, PE, net, then the kinds asked for. */
export function tableColumns(metrics: readonly MetricKey[], kinds: readonly Kind[]): TableColumn[] {
  const columns: TableColumn[] = [];
  for (const metric of metrics) {
    const info = METRICS[metric];
    for (const side of SIDES) {
      for (const kind of KINDS) {
        if (!kinds.includes(kind.key)) continue;
        const unit = kind.key === "level" ? info.unit : info.changeUnit;
        columns.push({
          id: `${side.key}.${metric}.${kind.key}`,
          metric,
          side: side.key,
          kind: kind.key,
          name: `${side.label} ${metric === "iv" ? "IV" : info.label.toLowerCase()}, ${kind.label.toLowerCase()}`,
          csvHeader: `${side.label} ${info.label} ${kind.label}${unit === "%" || unit === "pts" ? ` (${unit})` : ""}`,
          decimals: info.decimals,
          signed: kind.key !== "level",
        });
      }
    }
  }
  return columns;
}

function seriesOf(summary: Summary, side: Side, metric: MetricKey): Series {
  return summary.series[side][METRICS[metric].api];
}

/** One column of shown values (scaled: IV in %), null where the minute is missing. */
export function columnValues(summary: Summary, side: Side, metric: MetricKey, kind: Kind): (number | null)[] {
  const values = seriesOf(summary, side, metric)[kind];
  const { scale } = METRICS[metric];
  return scale === 1 ? values : values.map((value) => (value === null ? null : value * scale));
}

export function cellValue(summary: Summary, column: TableColumn, row: number): number | null {
  const value = seriesOf(summary, column.side, column.metric)[column.kind][row];
  if (value === undefined || value === null) return null;
  return value * METRICS[column.metric].scale;
}

/** Row indexes, newest minute first (the table's order). */
export function newestFirst(summary: Summary): number[] {
  const rows: number[] = [];
  for (let index = summary.minutes.length - 1; index >= 0; index -= 1) rows.push(index);
  return rows;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV of the table as shown: the same rows (newest first), the same columns, the same rounding; numbers
 * plain ("-" minus, no grouping) so a spreadsheet reads them; a missing minute is an empty cell.
 */
export function trackerCsv(summary: Summary, columns: readonly TableColumn[]): string {
  const lines = [["Date", "Time (IST)", "Spot", ...columns.map((column) => column.csvHeader)].map(csvField).join(",")];
  for (const row of newestFirst(summary)) {
    const minute = summary.minutes[row] ?? "";
    const cells = [
      summary.date,
      formatMinuteIST(minute),
      plainNumber(summary.spot[row], 2),
      ...columns.map((column) => plainNumber(cellValue(summary, column, row), column.decimals)),
    ];
    lines.push(cells.map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}

export function csvFileName(summary: Summary): string {
  const band = `${summary.band.delta_min.toFixed(2)}-${summary.band.delta_max.toFixed(2)}`;
  return `${summary.instrument}-${summary.expiry}-${summary.date}-delta-${band}-${summary.band.selection}-${String(summary.interval)}min.csv`;
}

/** Seconds since 1970 for each row (uPlot's x axis). */
export function rowTimes(summary: Summary): number[] {
  return summary.minutes.map((minute) => Date.parse(minute) / 1000);
}

/** Positive values (negatives as null) and negative values (positives as null): bars drawn in two colours. */
export function splitBySign(values: readonly (number | null)[]): [(number | null)[], (number | null)[]] {
  return [
    values.map((value) => (value !== null && value >= 0 ? value : null)),
    values.map((value) => (value !== null && value < 0 ? value : null)),
  ];
}

/**
 * One greek's chart: x, then the change since baseline for CE, PE and net, the spot, and net's minute change
 * split into rises and falls (drawn as bars). Nulls stay nulls: uPlot leaves a gap there.
 */
export function chartData(summary: Summary, metric: MetricKey): [number[], ...(number | null)[][]] {
  const [rises, falls] = splitBySign(columnValues(summary, "net", metric, "minute_change"));
  return [
    rowTimes(summary),
    columnValues(summary, "ce", metric, "change"),
    columnValues(summary, "pe", metric, "change"),
    columnValues(summary, "net", metric, "change"),
    summary.spot,
    rises,
    falls,
  ];
}

/** The last row with data (a trailing gap is skipped), or -1. */
export function latestRow(summary: Summary): number {
  for (let index = summary.spot.length - 1; index >= 0; index -= 1) {
    if (summary.spot[index] !== null && summary.spot[index] !== undefined) return index;
  }
  return -1;
}

function epochMinute(iso: string): number {
  return Math.round(Date.parse(iso) / 60_000);
}

function sameView(a: Summary, b: Summary): boolean {
  return (
    a.instrument === b.instrument &&
    a.expiry === b.expiry &&
    a.date === b.date &&
    a.interval === b.interval &&
    a.band.delta_min === b.band.delta_min &&
    a.band.delta_max === b.band.delta_max &&
    a.band.selection === b.band.selection &&
    a.baseline.minute === b.baseline.minute
  );
}

/** Differences of rounded levels carry float noise (0.30000000000000004): keep what the API's rounding keeps. */
function tidy(value: number): number {
  return Number(value.toFixed(7));
}

/**
 * The day so far plus a live update (the stream sends only the new rows). Rows the update covers are
 * replaced; with an interval above 1 the old last row, an unaligned "latest minute" row, gives way to the
 * update. The update's first row is computed by the server without the rows before it, so its minute change
 * (and span) is filled here from the previous row with data, as the full answer would have it.
 */
export function mergeSummary(day: Summary, update: Summary): Summary {
  if (update.minutes.length === 0 || !sameView(day, update)) return day;
  const first = update.minutes[0] ?? "";
  const firstMinute = epochMinute(first);
  let keep = day.minutes.findIndex((minute) => epochMinute(minute) >= firstMinute);
  if (keep === -1) keep = day.minutes.length;
  const lastKept = day.minutes[keep - 1];
  if (day.interval > 1 && lastKept !== undefined && epochMinute(lastKept) % day.interval !== 0) keep -= 1;

  const join = <T>(before: readonly T[], after: readonly T[]): T[] => [...before.slice(0, keep), ...after];
  const minutes = join(day.minutes, update.minutes);
  const spot = join(day.spot, update.spot);
  const span = join(day.span, update.span);

  let previous = -1;
  for (let index = keep - 1; index >= 0; index -= 1) {
    if (spot[index] !== null && spot[index] !== undefined) {
      previous = index;
      break;
    }
  }
  const fillFirst = previous >= 0 && update.spot[0] !== null && update.span[0] === null;
  if (fillFirst) {
    span[keep] = epochMinute(first) - epochMinute(minutes[previous] ?? first);
  }

  const mergeSeries = (old: Series, fresh: Series): Series => {
    const level = join(old.level, fresh.level);
    const minuteChange = join(old.minute_change, fresh.minute_change);
    const now = level[keep];
    const before = level[previous];
    if (fillFirst && minuteChange[keep] === null && typeof now === "number" && typeof before === "number") {
      minuteChange[keep] = tidy(now - before);
    }
    return { level, change: join(old.change, fresh.change), minute_change: minuteChange };
  };

  const series = {} as Summary["series"];
  for (const { key: side } of SIDES) {
    const sideSeries = {} as Summary["series"][Side];
    for (const name of Object.keys(day.series[side]) as (keyof Summary["series"][Side])[]) {
      sideSeries[name] = mergeSeries(day.series[side][name], update.series[side][name]);
    }
    series[side] = sideSeries;
  }
  return { ...day, latest_minute: update.latest_minute, minutes, spot, span, series };
}

import { describe, expect, it } from "vitest";
import type { Summary } from "@/api/types";
import { MINUS } from "@/lib/format";
import summary5Json from "@/test/fixtures/summary-nifty-5min.json";
import summary1031Json from "@/test/fixtures/summary-nifty-1031.json";
import summaryJson from "@/test/fixtures/summary-nifty.json";
import streamJson from "@/test/fixtures/stream-minute.json";
import {
  cellValue,
  chartData,
  columnValues,
  csvFileName,
  latestRow,
  mergeSummary,
  newestFirst,
  splitBySign,
  tableColumns,
  trackerCsv,
} from "./series";

const summary = summaryJson as Summary;
const summary1031 = summary1031Json as Summary;
const summary5 = summary5Json as Summary;
const stream = streamJson as Summary;

/** Row `index` of a day as the stream sends it: the row alone, its minute change and span unknown. */
function asStreamRow(day: Summary, index: number): Summary {
  const pick = <T>(values: readonly T[]) => values.slice(index, index + 1);
  const series = JSON.parse(JSON.stringify(day.series)) as Summary["series"];
  for (const side of Object.values(series)) {
    for (const metric of Object.values(side)) {
      metric.level = pick(metric.level);
      metric.change = pick(metric.change);
      metric.minute_change = [null];
    }
  }
  return { ...day, minutes: pick(day.minutes), spot: pick(day.spot), span: [null], series };
}

describe("table columns", () => {
  it("run greek by greek, then CE, PE, net, then the kinds asked for", () => {
    const columns = tableColumns(["delta", "iv"], ["level", "minute_change"]);
    expect(columns.map((column) => column.id)).toEqual([
      "ce.delta.level",
      "ce.delta.minute_change",
      "pe.delta.level",
      "pe.delta.minute_change",
      "net.delta.level",
      "net.delta.minute_change",
      "ce.iv.level",
      "ce.iv.minute_change",
      "pe.iv.level",
      "pe.iv.minute_change",
      "net.iv.level",
      "net.iv.minute_change",
    ]);
    expect(columns[0]).toMatchObject({ name: "CE delta, level", signed: false, decimals: 4 });
    expect(columns[1]).toMatchObject({ name: "CE delta, minute change", signed: true });
    expect(columns[6]?.csvHeader).toBe("CE IV Level (%)");
  });

  it("read cells from the API's columns, IV as a percentage", () => {
    const [ivLevel] = tableColumns(["iv"], ["level"]);
    if (!ivLevel) throw new Error("no column");
    const row = summary.minutes.length - 1;
    const fraction = summary.series.ce.iv_oi_weighted.level[row] ?? 0;
    expect(cellValue(summary, ivLevel, row)).toBeCloseTo(fraction * 100, 10);
  });

  it("list rows newest first", () => {
    const rows = newestFirst(summary);
    expect(rows[0]).toBe(summary.minutes.length - 1);
    expect(rows.at(-1)).toBe(0);
  });
});

describe("the CSV", () => {
  it("holds exactly the table's rows and columns, rounded as shown, in plain numbers", () => {
    const columns = tableColumns(["delta"], ["level", "change"]);
    const lines = trackerCsv(summary, columns).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "Date,Time (IST),Spot,CE Delta Level,CE Delta Change since baseline,PE Delta Level,PE Delta Change since baseline,Net Delta Level,Net Delta Change since baseline",
    );
    expect(lines).toHaveLength(summary.minutes.length + 1);
    const last = summary.minutes.length - 1;
    const newest = lines[1]?.split(",") ?? [];
    expect(newest[0]).toBe(summary.date);
    expect(newest[1]).toBe("10:30");
    expect(newest[2]).toBe((summary.spot[last] ?? 0).toFixed(2));
    expect(newest[3]).toBe((summary.series.ce.delta.level[last] ?? 0).toFixed(4));
    expect(lines.join("\n")).not.toContain(MINUS);
    // The baseline row has no change.
    expect(lines.at(-1)?.split(",")[4]).toBe("0.0000");
  });

  it("is named after the view", () => {
    expect(csvFileName(summary)).toBe(`NIFTY-${summary.expiry}-${summary.date}-delta-0.05-0.60-dynamic-1min.csv`);
  });
});

describe("chart series", () => {
  it("give each greek's change since baseline per side, the spot, and net's minute change split by sign", () => {
    const [x, ce, pe, net, spot, rises, falls] = chartData(summary, "delta");
    expect(x).toHaveLength(summary.minutes.length);
    expect(x[0]).toBe(Date.parse("2026-11-25T09:15:00+05:30") / 1000);
    expect(ce).toEqual(columnValues(summary, "ce", "delta", "change"));
    expect(pe).toEqual(summary.series.pe.delta.change);
    expect(net).toEqual(summary.series.net.delta.change);
    expect(spot).toEqual(summary.spot);
    summary.series.net.delta.minute_change.forEach((value, index) => {
      if (value === null) {
        expect([rises?.[index], falls?.[index]]).toEqual([null, null]);
      } else {
        expect(value >= 0 ? rises?.[index] : falls?.[index]).toBe(value);
      }
    });
  });

  it("keep gaps as nulls, never zeros", () => {
    expect(splitBySign([1, null, -2, 0])).toEqual([
      [1, null, null, 0],
      [null, null, -2, null],
    ]);
    const gapped: Summary = { ...summary, spot: [...summary.spot.slice(0, -1), null] };
    expect(latestRow(gapped)).toBe(summary.minutes.length - 2);
  });
});

describe("mergeSummary (a live minute into the day)", () => {
  it("appends the stream's row and fills its minute change as the full answer has it", () => {
    const next = summary1031.minutes.length - 1;
    const merged = mergeSummary(summary, asStreamRow(summary1031, next));
    expect(merged.minutes).toEqual(summary1031.minutes);
    expect(merged.spot).toEqual(summary1031.spot);
    expect(merged.span).toEqual(summary1031.span);
    for (const side of ["ce", "pe", "net"] as const) {
      for (const metric of ["delta", "gamma", "theta", "vega", "iv_oi_weighted", "oi"] as const) {
        const want = summary1031.series[side][metric];
        const got = merged.series[side][metric];
        expect(got.level).toEqual(want.level);
        expect(got.change).toEqual(want.change);
        got.minute_change.forEach((value, index) => {
          const expected = want.minute_change[index] ?? null;
          if (expected === null) expect(value).toBeNull();
          else expect(value).toBeCloseTo(expected, 5);
        });
      }
    }
  });

  it("replaces rows the update covers instead of repeating them", () => {
    const last = summary.minutes.length - 1;
    const merged = mergeSummary(summary, asStreamRow(summary, last));
    expect(merged.minutes).toEqual(summary.minutes);
    expect(merged.series.net.delta.minute_change[last]).toBeCloseTo(
      summary.series.net.delta.minute_change[last] ?? Number.NaN,
      5,
    );
  });

  it("drops the old unaligned 'latest minute' row when rows are 5 minutes apart", () => {
    // 5-minute rows to 10:30, then 10:31 as the latest minute; the stream then brings 10:34.
    const unaligned = summary5.minutes.at(-1) ?? "";
    expect(unaligned).toBe("2026-11-25T10:31:00+05:30");
    const merged = mergeSummary(summary5, { ...stream, interval: 5 });
    expect(merged.minutes.slice(-2)).toEqual(["2026-11-25T10:30:00+05:30", "2026-11-25T10:34:00+05:30"]);
    expect(merged.minutes).toHaveLength(summary5.minutes.length);
    expect(merged.span.at(-1)).toBe(4);
    const level = merged.series.net.delta.level;
    expect(merged.series.net.delta.minute_change.at(-1)).toBeCloseTo((level.at(-1) ?? 0) - (level.at(-2) ?? 0), 6);
  });

  it("ignores an update for another view, and an empty one", () => {
    const other = { ...stream, band: { ...stream.band, delta_min: 0.2 } };
    expect(mergeSummary(summary, other)).toBe(summary);
    expect(mergeSummary(summary, { ...stream, minutes: [] })).toBe(summary);
  });

  it("reads a real stream event (one new row, its minute change left to the client)", () => {
    expect(stream.minutes).toHaveLength(1);
    expect(stream.series.net.delta.minute_change).toEqual([null]);
    const merged = mergeSummary(summary1031, stream);
    expect(merged.minutes.at(-1)).toBe(stream.minutes[0]);
    // 10:31 is followed by 10:34: the rows between are not in this day yet, so the change spans 3 minutes.
    expect(merged.span.at(-1)).toBe(3);
    expect(merged.series.net.delta.minute_change.at(-1)).not.toBeNull();
  });
});

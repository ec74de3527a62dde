import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS } from "./metrics";
import { parseTrackerParams, trackerSearch, type TrackerParams } from "./params";

const parse = (query: string) => parseTrackerParams(new URLSearchParams(query));

describe("the tracker's address", () => {
  it("falls back to the defaults for an empty address", () => {
    expect(parse("")).toEqual({
      instrument: undefined,
      expiry: undefined,
      date: undefined,
      deltaMin: 0.05,
      deltaMax: 0.6,
      selection: "dynamic",
      interval: "1",
      baseline: "09:15",
      metrics: [...DEFAULT_METRICS],
      kinds: ["level", "change", "minute_change"],
    });
    expect(trackerSearch(parse("")).toString()).toBe("");
  });

  it("keeps every control, and writes back only what differs from the defaults", () => {
    const params: TrackerParams = {
      instrument: "BANKNIFTY",
      expiry: "2026-12-29",
      date: "2026-11-25",
      deltaMin: 0.2,
      deltaMax: 0.5,
      selection: "fixed",
      interval: "5",
      baseline: "10:00",
      metrics: ["delta", "iv"],
      kinds: ["change"],
    };
    const search = trackerSearch(params);
    expect(search.toString()).toBe(
      "instrument=BANKNIFTY&expiry=2026-12-29&date=2026-11-25&dmin=0.20&dmax=0.50&sel=fixed&interval=5&baseline=10%3A00&greeks=delta%2Civ&cols=change",
    );
    expect(parseTrackerParams(search)).toEqual(params);
  });

  it("ignores what a hand-edited address gets wrong", () => {
    const params = parse(
      "instrument=nifty;drop&date=25-11-2026&dmin=0.7&dmax=0.2&sel=magic&interval=2&baseline=08:00&greeks=rho",
    );
    expect(params.instrument).toBeUndefined();
    expect(params.date).toBeUndefined();
    expect([params.deltaMin, params.deltaMax]).toEqual([0.05, 0.6]);
    expect(params.selection).toBe("dynamic");
    expect(params.interval).toBe("1");
    expect(params.baseline).toBe("09:15");
    expect(params.metrics).toEqual([...DEFAULT_METRICS]);
  });

  it("rounds a band edge to the slider's step and keeps the greeks in their usual order", () => {
    const params = parse("instrument=nifty&dmin=0.123&dmax=0.456&greeks=vega,delta");
    expect(params.instrument).toBe("NIFTY");
    expect([params.deltaMin, params.deltaMax]).toEqual([0.12, 0.46]);
    expect(params.metrics).toEqual(["delta", "vega"]);
  });
});

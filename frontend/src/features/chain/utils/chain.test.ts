import { describe, expect, it } from "vitest";
import type { Chain, StrikeAnswer } from "@/api/types";
import chainJson from "@/test/fixtures/chain-nifty.json";
import strikeJson from "@/test/fixtures/strike-nifty-ce.json";
import {
  CHAIN_COLUMNS,
  chainRows,
  chainSearch,
  chainValue,
  parseChainParams,
  replayIndex,
  strikeChartData,
} from "./chain";

const chain = chainJson as Chain;
const strike = strikeJson as StrikeAnswer;

describe("the chain's address", () => {
  it("round-trips and drops what is wrong", () => {
    const params = parseChainParams(
      new URLSearchParams("instrument=nifty&date=2026-11-25&at=09:30&strikes=15&strike=26100&side=PE"),
    );
    expect(params).toEqual({
      instrument: "NIFTY",
      date: "2026-11-25",
      expiry: undefined,
      at: "09:30",
      strikes: 15,
      strike: 26100,
      side: "PE",
    });
    expect(chainSearch(params).toString()).toBe(
      "instrument=NIFTY&date=2026-11-25&at=09%3A30&strikes=15&strike=26100&side=PE",
    );
    expect(parseChainParams(new URLSearchParams("at=9:3&strikes=7&strike=-5&side=XX"))).toMatchObject({
      at: undefined,
      strikes: 10,
      strike: undefined,
      side: "CE",
    });
  });
});

describe("the replay", () => {
  it("finds the stored minute at or before the one asked", () => {
    const minutes = chain.minutes_stored;
    expect(replayIndex(minutes, undefined)).toBe(minutes.length - 1);
    expect(replayIndex(minutes, "09:15")).toBe(0);
    expect(replayIndex(minutes, "09:30")).toBe(15);
    expect(replayIndex(minutes, "09:00")).toBe(0);
    expect(replayIndex([], "09:30")).toBe(-1);
  });
});

describe("chain rows", () => {
  it("mark the at-the-money strike and the money side of each", () => {
    const rows = chainRows(chain);
    expect(rows.filter((row) => row.atm).map((row) => row.strike)).toEqual([chain.atm_strike]);
    const below = rows.find((row) => row.strike < chain.spot);
    expect(below).toMatchObject({ ceInTheMoney: true, peInTheMoney: false });
  });

  it("show IV in percent", () => {
    const iv = CHAIN_COLUMNS.find((column) => column.field === "iv");
    if (!iv) throw new Error("no IV column");
    expect(chainValue(chain.ce, iv, 0)).toBeCloseTo((chain.ce.iv[0] ?? 0) * 100, 10);
  });
});

describe("a strike's chart", () => {
  it("has the change since baseline, the spot, and the minute change split by sign", () => {
    const [x, change, spot, rises, falls] = strikeChartData(strike, "iv", 100);
    expect(x).toHaveLength(strike.minutes.length);
    expect(change?.[0]).toBe(0);
    expect(change?.[5]).toBeCloseTo((strike.series.iv.change[5] ?? 0) * 100, 10);
    expect(spot).toEqual(strike.spot);
    strike.series.iv.minute_change.forEach((value, index) => {
      if (value === null) expect([rises?.[index], falls?.[index]]).toEqual([null, null]);
      else expect((value >= 0 ? rises : falls)?.[index]).toBeCloseTo(value * 100, 10);
    });
  });
});

import { describe, expect, it } from "vitest";
import type { MarketStatus } from "@/api/get-market-status";
import statusJson from "@/test/fixtures/status.json";
import { expectsNewMinutes, liveState } from "./live";

const status = statusJson as MarketStatus;
const now = Date.parse(status.now);

function at(
  patch: Partial<MarketStatus["market"]>,
  extra: { minutesLater?: number; date?: string; latest?: string } = {},
) {
  return liveState({
    status: { ...status, market: { ...status.market, ...patch } },
    statusReceivedAt: now,
    nowMs: now + (extra.minutesLater ?? 0) * 60_000,
    date: extra.date ?? "2026-11-25",
    latestMinute: extra.latest ?? status.data.last_minute ?? undefined,
  });
}

describe("the live badge's state", () => {
  it("is live while the latest minute is at most two minutes old, on the server's clock", () => {
    expect(at({})).toEqual({ kind: "live", latest: status.data.last_minute });
    expect(expectsNewMinutes(at({}))).toBe(true);
  });

  it("is delayed, with the age, when minutes stop arriving during the session", () => {
    expect(at({}, { minutesLater: 6 })).toMatchObject({ kind: "delayed", ageMinutes: 6 });
  });

  it("says market closed, holiday or weekend outside the session", () => {
    expect(at({ state: "closed" })).toMatchObject({ kind: "closed" });
    expect(at({ state: "weekend" })).toEqual({ kind: "closed", detail: "weekend" });
    expect(at({ state: "holiday", holiday: "Guru Nanak Jayanti" })).toEqual({
      kind: "holiday",
      name: "Guru Nanak Jayanti",
    });
    expect(expectsNewMinutes(at({ state: "closed" }))).toBe(false);
  });

  it("calls another day a past session, and knows nothing without a status", () => {
    expect(at({}, { date: "2026-11-23" })).toEqual({ kind: "past", date: "2026-11-23" });
    expect(
      liveState({ status: null, statusReceivedAt: 0, nowMs: 0, date: "2026-11-25", latestMinute: undefined }),
    ).toEqual({ kind: "unknown" });
  });
});

import { describe, expect, it } from "vitest";
import statusJson from "@/test/fixtures/status.json";
import { nextStatusCheckMs, serverClockOffset, type MarketStatus } from "./get-market-status";

const status = statusJson as MarketStatus;
const receivedAt = Date.parse(status.now);
const untilClose = Date.parse("2026-11-25T15:30:00+05:30") - receivedAt;

function answer(patch: Partial<MarketStatus["market"]> = {}) {
  return { status: { ...status, market: { ...status.market, ...patch } }, receivedAt };
}

describe("when the badge asks for the market's status again", () => {
  it("while the stream delivers: only 5–25 s after the session closes", () => {
    expect(nextStatusCheckMs(answer(), receivedAt, true, () => 0)).toBe(untilClose + 5_000);
    expect(nextStatusCheckMs(answer(), receivedAt + 60_000, true, () => 1)).toBe(untilClose - 60_000 + 25_000);
  });

  it("while the market is open and the stream is not delivering: every 5–6 minutes", () => {
    expect(nextStatusCheckMs(answer(), receivedAt, false, () => 0.5)).toBe(330_000);
  });

  it("while the market is shut: at the next open, and not before", () => {
    const closed = answer({ state: "closed", next_open: "2026-11-26T09:15:00+05:30" });
    expect(nextStatusCheckMs(closed, receivedAt, false, () => 0)).toBe(
      Date.parse("2026-11-26T09:15:00+05:30") - receivedAt + 5_000,
    );
    const early = {
      status: { ...status, now: "2026-11-25T09:00:00+05:30", market: { ...status.market, state: "pre-open" as const } },
      receivedAt,
    };
    expect(nextStatusCheckMs(early, receivedAt, false, () => 0)).toBe(15 * 60_000 + 5_000);
  });

  it("without any status (no route, or it failed): every 5–6 minutes", () => {
    expect(nextStatusCheckMs(undefined, 0, false, () => 0)).toBe(300_000);
    expect(nextStatusCheckMs({ status: null, receivedAt: 0 }, 0, false, () => 1)).toBe(360_000);
  });

  it("times polls on the server's clock only in a demo (a shifted clock)", () => {
    expect(serverClockOffset({ status: { ...status, mode: "live" }, receivedAt: receivedAt - 5_000 })).toBe(0);
    expect(serverClockOffset({ status, receivedAt: receivedAt - 5_000 })).toBe(5_000);
  });
});

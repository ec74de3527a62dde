import { describe, expect, it } from "vitest";
import { clampDelay, msToMinutePoll, rareRefreshMs } from "./poll";

const turn = Date.parse("2026-11-25T10:34:00+05:30");

describe("when the UI polls", () => {
  it("lands 5–25 s past the next minute turn, whatever second it starts from", () => {
    for (const start of [0, 4_000, 12_345, 59_999]) {
      expect(msToMinutePoll(turn + start, 0, () => 0)).toBe(60_000 + 5_000 - start);
      expect(msToMinutePoll(turn + start, 0, () => 1)).toBe(60_000 + 25_000 - start);
    }
  });

  it("follows the server's minute when its clock runs ahead", () => {
    expect(msToMinutePoll(turn, 30_000, () => 0.5)).toBe(30_000 + 15_000);
  });

  it("refreshes rarely at five to six minutes, and keeps timers in range", () => {
    expect(rareRefreshMs(() => 0)).toBe(300_000);
    expect(rareRefreshMs(() => 1)).toBe(360_000);
    expect(clampDelay(-5)).toBe(0);
    expect(clampDelay(1e12)).toBe(2 ** 31 - 1);
  });
});

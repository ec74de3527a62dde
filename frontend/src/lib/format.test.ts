import { describe, expect, it } from "vitest";
import {
  direction,
  formatAge,
  formatDay,
  formatInstantIST,
  formatMinuteIST,
  formatNumber,
  formatSigned,
  formatTicks,
  formatTimeIST,
  istDay,
  MINUS,
  plainNumber,
} from "./format";

describe("formatTimeIST", () => {
  it("shows the instant in IST (UTC+05:30), 24-hour", () => {
    expect(formatTimeIST(Date.UTC(2025, 0, 6, 3, 45, 0))).toBe("09:15:00 IST");
    expect(formatTimeIST(new Date("2025-01-06T10:00:59Z"))).toBe("15:30:59 IST");
  });
});

describe("minutes and days", () => {
  it("reads the API's +05:30 minutes as IST whatever the viewer's zone", () => {
    expect(formatMinuteIST("2026-11-25T09:15:00+05:30")).toBe("09:15");
    expect(formatMinuteIST("2026-11-25T10:00:00Z")).toBe("15:30");
  });

  it("gives the IST calendar day of an instant, which can differ from the UTC one", () => {
    expect(istDay("2026-11-25T20:00:00Z")).toBe("2026-11-26");
    expect(istDay("2026-11-25T09:15:00+05:30")).toBe("2026-11-25");
  });

  it("names a trading day without shifting it by the time zone", () => {
    expect(formatDay("2026-11-25")).toBe("Wed, 25 Nov 2026");
    expect(formatInstantIST("2026-11-26T08:30:00+05:30")).toBe("26 Nov 2026, 08:30 IST");
  });
});

describe("formatNumber", () => {
  it("groups digits the Indian way", () => {
    expect(formatNumber(1234567.891, 2)).toBe("12,34,567.89");
    expect(formatNumber(25909065, 0)).toBe("2,59,09,065");
    expect(formatNumber(999, 0)).toBe("999");
    expect(formatNumber(1000, 0)).toBe("1,000");
    expect(formatNumber(100000, 0)).toBe("1,00,000");
  });

  it("writes negatives with a true minus and never shows −0", () => {
    expect(formatNumber(-4.7731, 4)).toBe(`${MINUS}4.7731`);
    expect(formatNumber(-0.00001, 2)).toBe("0.00");
  });

  it("shows a missing minute as a gap, never as zero", () => {
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(undefined)).toBe("—");
    expect(formatNumber(Number.NaN)).toBe("—");
  });
});

describe("signed changes", () => {
  it("always carry their sign, so colour is never the only cue", () => {
    expect(formatSigned(0.1175, 4)).toBe("+0.1175");
    expect(formatSigned(-10.019, 2)).toBe(`${MINUS}10.02`);
    expect(formatSigned(0, 2)).toBe("0.00");
    expect(formatSigned(null)).toBe("—");
  });

  it("take their direction from the shown rounding", () => {
    expect(direction(0.004, 2)).toBe("flat");
    expect(direction(0.006, 2)).toBe("up");
    expect(direction(-0.006, 2)).toBe("down");
    expect(direction(null)).toBeNull();
  });

  it("write plain numbers for CSV: ASCII minus, no grouping, empty for a gap", () => {
    expect(plainNumber(-1234567.891, 2)).toBe("-1234567.89");
    expect(plainNumber(null)).toBe("");
    expect(plainNumber(-0.0001, 2)).toBe("0.00");
  });
});

describe("formatTicks", () => {
  it("uses as many decimals as the tick spacing needs", () => {
    expect(formatTicks([-0.001, -0.0005, 0, 0.0005])).toEqual([`${MINUS}0.0010`, `${MINUS}0.0005`, "0.0000", "0.0005"]);
    expect(formatTicks([26100, 26150, 26200])).toEqual(["26,100", "26,150", "26,200"]);
  });

  it("writes big numbers in lakh and crore", () => {
    expect(formatTicks([0, 5_000_000, 10_000_000])).toEqual(["0.0", "0.5 Cr", "1.0 Cr"]);
    expect(formatTicks([200_000, 400_000])).toEqual(["2 L", "4 L"]);
    expect(formatTicks([20_000_000, 40_000_000])).toEqual(["2 Cr", "4 Cr"]);
  });
});

describe("formatAge", () => {
  it("says how old in words", () => {
    expect(formatAge(0)).toBe("just now");
    expect(formatAge(4)).toBe("4 min ago");
    expect(formatAge(65)).toBe("1 h 5 min ago");
  });
});

import { describe, expect, it } from "vitest";
import { addDays, addMonths, formatLongDay, formatMonth, monthWeeks } from "./calendar";

describe("calendar arithmetic on trading days", () => {
  it("moves by days and months across their ends", () => {
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2026-03-15", -3)).toBe("2025-12-15");
  });

  it("lays a month out in Monday-first weeks", () => {
    const weeks = monthWeeks("2026-11-25");
    expect(weeks[0]).toEqual([null, null, null, null, null, null, "2026-11-01"]);
    expect(weeks.at(-1)).toEqual(["2026-11-30", null, null, null, null, null, null]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(30);
  });

  it("names months and days in full", () => {
    expect(formatMonth("2026-11-25")).toBe("November 2026");
    expect(formatLongDay("2026-11-25")).toBe("Wednesday 25 November 2026");
  });
});

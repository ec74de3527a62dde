import { describe, expect, it } from "vitest";
import { formatTimeIST } from "./format";

describe("formatTimeIST", () => {
  it("shows the instant in IST (UTC+05:30), 24-hour", () => {
    expect(formatTimeIST(Date.UTC(2025, 0, 6, 3, 45, 0))).toBe("09:15:00 IST");
    expect(formatTimeIST(new Date("2025-01-06T10:00:59Z"))).toBe("15:30:59 IST");
  });
});

import { describe, expect, it } from "vitest";
import { ApiError } from "./api-client";
import { shouldRetry } from "./query-client";

const apiError = (status: number) => new ApiError("x", { status, code: "x" });

describe("shouldRetry", () => {
  it("retries what may pass next time: no answer, 5xx, 429", () => {
    expect(shouldRetry(0, apiError(0))).toBe(true);
    expect(shouldRetry(1, apiError(503))).toBe(true);
    expect(shouldRetry(0, apiError(429))).toBe(true);
  });

  it("does not retry a 4xx, a bug, or past the limit", () => {
    expect(shouldRetry(0, apiError(404))).toBe(false);
    expect(shouldRetry(0, new TypeError("undefined is not a function"))).toBe(false);
    expect(shouldRetry(2, apiError(503))).toBe(false);
  });
});

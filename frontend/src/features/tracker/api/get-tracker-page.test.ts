import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { instrumentsQueryOptions } from "@/api/get-instruments";
import { marketStatusQueryOptions, parseMarketStatus } from "@/api/get-market-status";
import { sessionsQueryOptions } from "@/api/get-sessions";
import type { TrackerAnswer } from "@/api/types";
import { resolveMarket } from "@/components/MarketSelect";
import { trackerAnswer } from "@/test/api";
import noDay from "@/test/fixtures/summary-error-no-day.json";
import { parseTrackerParams } from "../utils/params";
import { greeksSummaryQueryKey, MARK_DATA_ARRIVED, summaryQueryFor } from "./get-greeks-summary";
import { parseTrackerPage, seedTrackerPage, trackerPagePath, trackerPageQuery } from "./get-tracker-page";

const NOW = Date.parse("2026-11-25T10:33:10+05:30");

function view(search = "") {
  return parseTrackerParams(new URLSearchParams(search));
}

describe("the tracker's opening answer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is asked with the address's view only: no index, expiry or date unless the address has them", () => {
    expect(trackerPagePath(trackerPageQuery(view("dmin=0.20&dmax=0.50&interval=5")))).toBe(
      "/api/v1/tracker?delta_min=0.2&delta_max=0.5&selection=dynamic&interval=5&baseline=09%3A15",
    );
    expect(trackerPagePath(trackerPageQuery(view("instrument=NIFTY&date=2026-11-20&expiry=2026-12-01")))).toBe(
      "/api/v1/tracker?instrument=NIFTY&expiry=2026-12-01&date=2026-11-20&delta_min=0.05&delta_max=0.6&selection=dynamic&interval=1&baseline=09%3A15",
    );
  });

  it("is checked for its four parts", () => {
    expect(parseTrackerPage(trackerAnswer()).summary?.date).toBe("2026-11-25");
    expect(() => parseTrackerPage([])).toThrow();
    expect(() => parseTrackerPage({ ...trackerAnswer(), summary: undefined })).toThrow(/summary/);
    expect(() => parseTrackerPage({ ...trackerAnswer(), sessions: "NIFTY" })).toThrow(/sessions/);
    expect(parseTrackerPage({ ...trackerAnswer(), errors: undefined }).errors).toEqual({});
  });

  it("seeds each part under the key its own query uses, the status as that query's fetcher shapes it", () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const client = new QueryClient();
    const answer = trackerAnswer();
    const params = view();
    performance.clearMarks(MARK_DATA_ARRIVED);

    expect(seedTrackerPage(client, answer, params)).toEqual(["status", "instruments", "sessions", "summary"]);

    expect(client.getQueryData(instrumentsQueryOptions().queryKey)).toBe(answer.instruments);
    expect(client.getQueryData(sessionsQueryOptions("NIFTY").queryKey)).toBe(answer.sessions);
    expect(client.getQueryData(marketStatusQueryOptions().queryKey)).toEqual({
      status: parseMarketStatus(answer.status),
      receivedAt: NOW,
    });
    // The summary's key is the one the screen resolves from the seeded indices and days.
    const query = summaryQueryFor(
      resolveMarket(answer.instruments?.instruments, answer.sessions?.sessions, params),
      params,
    );
    expect(query).toMatchObject({ instrument: "NIFTY", expiry: "2026-12-01", date: "2026-11-25", delta_min: 0.05 });
    if (!query) throw new Error("unresolved");
    expect(client.getQueryData(greeksSummaryQueryKey(query))).toBe(answer.summary);
    expect(client.getQueryState(greeksSummaryQueryKey(query))?.dataUpdatedAt).toBe(NOW);
    expect(performance.getEntriesByName(MARK_DATA_ARRIVED, "mark")).toHaveLength(1);
  });

  it("leaves out the summary when the server picked another day or expiry than the screen resolves", () => {
    const client = new QueryClient();
    // The address asks for the later expiry: the screen resolves 2026-12-08, the answer's summary is 2026-12-01.
    expect(seedTrackerPage(client, trackerAnswer(), view("instrument=NIFTY&expiry=2026-12-08"))).toEqual([
      "status",
      "instruments",
      "sessions",
    ]);
    expect(client.getQueryCache().findAll({ queryKey: ["greeks-summary"] })).toHaveLength(0);
  });

  it("leaves out the parts that are missing or do not parse, and the summary without the days it belongs to", () => {
    const client = new QueryClient();
    const answer: TrackerAnswer = {
      ...trackerAnswer(),
      status: { now: "2026-11-25T10:33:05+05:30" },
      sessions: null,
      errors: { sessions: { status: 404, error: noDay.error } },
    };
    expect(seedTrackerPage(client, answer, view())).toEqual(["instruments"]);
    expect(client.getQueryData(marketStatusQueryOptions().queryKey)).toBeUndefined();
    expect(client.getQueryCache().findAll({ queryKey: ["sessions"] })).toHaveLength(0);
    expect(client.getQueryCache().findAll({ queryKey: ["greeks-summary"] })).toHaveLength(0);
  });
});

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { error, installEventSource, serveApi, signedOut } from "@/test/api";
import noDay from "@/test/fixtures/summary-error-no-day.json";
import me from "@/test/fixtures/me.json";
import sessionsNifty from "@/test/fixtures/sessions-nifty.json";
import statusFixture from "@/test/fixtures/status.json";
import stream from "@/test/fixtures/stream-minute.json";
import summaryFixture from "@/test/fixtures/summary-nifty.json";
import { renderApp } from "@/test/render";
import { formatNumber } from "@/lib/format";
import { MEASURE_RENDER } from "./TrackerPage";

async function dayTable() {
  return screen.findByRole("table", { name: /NIFTY 2026-12-01 on 2026-11-25: delta band 0\.05–0\.60/ });
}

/** The cells of the first body row (the newest minute), as text. */
function newestRow(table: HTMLElement): string[] {
  const rows = within(table)
    .getAllByRole("row")
    .filter((row) => row.closest("tbody"));
  const first = rows.find((row) => row.getAttribute("aria-hidden") !== "true");
  if (!first) throw new Error("no rows");
  return [...first.querySelectorAll("th, td")].map((cell) => cell.textContent);
}

/** The requests of a test, as "METHOD /path". */
function sent(requests: { method: string; url: URL }[]): string[] {
  return requests.map((request) => `${request.method} ${request.url.pathname}`);
}

/** Lets pending timers and answers run, so a request that was going to be sent has been. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("the greeks tracker", () => {
  it("shows the latest day: controls, a chart per greek, the minute table newest first", async () => {
    const api = serveApi();
    renderApp("/");

    const table = await dayTable();
    expect(newestRow(table).slice(0, 2)).toEqual(["10:30", "26,085.46"]);
    expect(within(table).getAllByRole("columnheader", { name: "Delta" })).toHaveLength(1);
    expect(within(table).getAllByRole("columnheader", { name: "Min chg" })).toHaveLength(15);

    const charts = screen.getAllByRole("img").filter((chart) => chart.getAttribute("data-lines"));
    expect(charts.map((chart) => chart.getAttribute("aria-label")?.split(":")[0])).toEqual([
      "Delta",
      "Gamma",
      "Theta",
      "Vega",
      "IV",
    ]);
    expect(charts[0]).toHaveAttribute("data-points", "76");

    expect(screen.getByRole("combobox", { name: "Index" })).toHaveValue("NIFTY");
    expect(screen.getByRole("combobox", { name: "Expiry" })).toHaveValue("2026-12-01");
    expect(screen.getByRole("button", { name: /Date Wed, 25 Nov 2026/ })).toBeInTheDocument();

    // The address names no index: one bundle, for the first index the server lists, brings the indices, the
    // days, the status and the day the server picked (its latest, the nearest expiry).
    await settle();
    expect(sent(api.requests)).toEqual(["GET /api/v1/auth/me", "GET /api/v1/tracker"]);
    const [request] = api.to("GET", "/api/v1/tracker");
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      delta_min: "0.05",
      delta_max: "0.6",
      selection: "dynamic",
      interval: "1",
      baseline: "09:15",
    });
  });

  it("moving the delta band loads the new band into both the charts and the table, and into the address", async () => {
    const user = userEvent.setup();
    const api = serveApi();
    const { router } = renderApp("/");
    const table = await dayTable();
    const before = newestRow(table);
    const chartBefore = screen.getAllByRole("img")[0]?.getAttribute("data-first-line");

    await user.click(screen.getByRole("button", { name: "0.20–0.50" }));

    const narrowed = await screen.findByRole("table", { name: /delta band 0\.20–0\.50/ });
    expect(newestRow(narrowed)).not.toEqual(before);
    expect(screen.getAllByRole("img")[0]?.getAttribute("data-first-line")).not.toBe(chartBefore);
    expect(router.state.location.search).toBe("?dmin=0.20&dmax=0.50");
    expect(api.to("GET", "/api/v1/greeks/summary").at(-1)?.url.searchParams.get("delta_min")).toBe("0.2");
    expect(screen.getByRole("spinbutton", { name: "From" })).toHaveValue(0.2);
  });

  it("takes an exact band typed into the inputs", async () => {
    const user = userEvent.setup();
    const api = serveApi();
    renderApp("/");
    await dayTable();

    const from = screen.getByRole("spinbutton", { name: "From" });
    await user.clear(from);
    await user.type(from, "0.2");
    const to = screen.getByRole("spinbutton", { name: "to" });
    await user.clear(to);
    await user.type(to, "0.5{Enter}");

    await screen.findByRole("table", { name: /delta band 0\.20–0\.50/ });
    expect(api.to("GET", "/api/v1/greeks/summary").at(-1)?.url.searchParams.get("delta_max")).toBe("0.5");
    expect(screen.getByRole("slider", { name: "Lower delta" })).toHaveValue("0.2");
  });

  it("downloads a CSV of exactly the rows and columns on screen", async () => {
    const user = userEvent.setup();
    serveApi();
    let saved: Blob | undefined;
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      saved = blob as Blob;
      return "blob:csv";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderApp("/?greeks=delta,theta&cols=change,minute_change");
    const table = await dayTable();

    await user.click(screen.getByRole("button", { name: "Download CSV" }));

    const lines = (await saved?.text())?.trimEnd().split("\n") ?? [];
    const header = lines[0]?.split(",") ?? [];
    expect(header).toHaveLength(2 + 1 + 2 * 3 * 2);
    const shown = newestRow(table).map((text) => text.replaceAll(",", "").replace("\u2212", "-").replace(/^\+/, ""));
    expect(lines[1]?.split(",").slice(1)).toEqual(shown);
  });

  it("adds a minute from the live stream without a reload", async () => {
    const Source = installEventSource();
    serveApi();
    renderApp("/");
    const table = await dayTable();
    await waitFor(() => {
      expect(Source.instances).toHaveLength(1);
    });
    const source = Source.instances[0];
    if (!source) throw new Error("no stream");
    expect(source.url).toBe(
      "/api/v1/stream?instrument=NIFTY&expiry=2026-12-01&date=2026-11-25&delta_min=0.05&delta_max=0.6&selection=dynamic&baseline=09%3A15&interval=1",
    );
    source.open();
    expect(await screen.findByText(/^Live · /)).toBeInTheDocument();

    source.emit("minute", stream, "2026-11-25T10:34:00+05:30");

    await waitFor(() => {
      expect(newestRow(table)[0]).toBe("10:34");
    });
    expect(newestRow(table)[1]).toBe(formatNumber(stream.spot[0], 2));
    expect(screen.getAllByRole("img")[0]).toHaveAttribute("data-points", "77");
  });

  it("reads the whole day again when the server says earlier minutes were filled in", async () => {
    const Source = installEventSource();
    const api = serveApi();
    renderApp("/");
    await dayTable();
    await waitFor(() => {
      expect(Source.instances).toHaveLength(1);
    });
    const source = Source.instances[0];
    if (!source) throw new Error("no stream");
    source.open();
    const before = api.to("GET", "/api/v1/greeks/summary").length;
    source.emit("refresh", {});
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/greeks/summary").length).toBe(before + 1);
    });
  });

  it("falls back to polling when the stream cannot be had", async () => {
    const Source = installEventSource();
    serveApi();
    renderApp("/");
    await dayTable();
    await waitFor(() => {
      expect(Source.instances).toHaveLength(1);
    });
    Source.instances[0]?.fail(true);
    expect(await screen.findByText(/checking every minute/)).toBeInTheDocument();
  });

  it("says when a day has no data, and offers the latest day", async () => {
    const user = userEvent.setup();
    serveApi({
      "GET /api/v1/greeks/summary": (url) =>
        url.searchParams.get("date") === "2026-11-20" ? { status: 404, body: noDay } : { body: undefined },
    });
    renderApp("/?date=2026-11-20");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No data for this view");
    expect(alert).toHaveTextContent("No data stored for NIFTY on 2026-11-20");
    serveApi();
    await user.click(within(alert).getByRole("button", { name: "Show the latest day (25 Nov)" }));
    expect(await screen.findByRole("table", { name: /on 2026-11-25/ })).toBeInTheDocument();
  });

  it("sends a visitor who is not signed in to the sign-in page, and back afterwards", async () => {
    serveApi({ "GET /api/v1/auth/me": signedOut });
    const { router } = renderApp("/?interval=5");
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe("?next=%2F%3Finterval%3D5");
  });

  it("says the session ended when the data starts answering 401", async () => {
    let signedIn = true;
    const api = serveApi({
      "GET /api/v1/auth/me": () => (signedIn ? { body: me } : signedOut),
      "GET /api/v1/greeks/summary": () => {
        signedIn = false;
        return error(401, "unauthorized", "Sign in first.");
      },
    });
    renderApp("/");
    expect(await screen.findByText(/Your session ended/)).toBeInTheDocument();
    expect(api.to("GET", "/api/v1/auth/me").length).toBeGreaterThanOrEqual(2);
  });
});

describe("the tracker's opening request", () => {
  it("asks for its data in one request: the bundle seeds the indices, days, status and day", async () => {
    const user = userEvent.setup();
    const Source = installEventSource();
    const api = serveApi();
    performance.clearMeasures(MEASURE_RENDER);
    renderApp("/?instrument=NIFTY");

    const table = await dayTable();
    expect(newestRow(table).slice(0, 2)).toEqual(["10:30", "26,085.46"]);
    // The day's arrival through the bundle is marked, so arrival → drawn is still measured.
    await waitFor(() => {
      expect(performance.getEntriesByName(MEASURE_RENDER, "measure")).toHaveLength(1);
    });
    expect(screen.getByRole("combobox", { name: "Index" })).toHaveValue("NIFTY");
    expect(screen.getByRole("combobox", { name: "Expiry" })).toHaveValue("2026-12-01");
    expect(screen.getByRole("button", { name: /Date Wed, 25 Nov 2026/ })).toBeInTheDocument();
    await waitFor(() => {
      expect(Source.instances).toHaveLength(1);
    });
    await settle();
    // Only the address's view is sent: the server picks the day and expiry, as /greeks/summary would.
    expect(sent(api.requests)).toEqual(["GET /api/v1/auth/me", "GET /api/v1/tracker"]);
    expect(Object.fromEntries(api.to("GET", "/api/v1/tracker")[0]?.url.searchParams ?? [])).toEqual({
      instrument: "NIFTY",
      delta_min: "0.05",
      delta_max: "0.6",
      selection: "dynamic",
      interval: "1",
      baseline: "09:15",
    });
    // The stream follows the view the bundle resolved.
    expect(Source.instances[0]?.url).toContain("instrument=NIFTY&expiry=2026-12-01&date=2026-11-25");

    // After open, a new band is asked for on its own; the bundle is not asked again.
    await user.click(screen.getByRole("button", { name: "0.20–0.50" }));
    await screen.findByRole("table", { name: /delta band 0\.20–0\.50/ });
    expect(sent(api.requests.slice(2))).toEqual(["GET /api/v1/greeks/summary"]);
    expect(api.to("GET", "/api/v1/greeks/summary")[0]?.url.searchParams.get("delta_min")).toBe("0.2");
  });

  it("asks for the day on its own when the bundle has none, and shows the summary's error", async () => {
    const api = serveApi({
      "GET /api/v1/greeks/summary": (url) =>
        url.searchParams.get("date") === "2026-11-20" ? { status: 404, body: noDay } : { body: summaryFixture },
    });
    renderApp("/?instrument=NIFTY&date=2026-11-20");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No data for this view");
    expect(alert).toHaveTextContent("No data stored for NIFTY on 2026-11-20");
    expect(within(alert).getByRole("button", { name: "Show the latest day (25 Nov)" })).toBeInTheDocument();
    const [bundle] = api.to("GET", "/api/v1/tracker");
    expect(bundle?.url.searchParams.get("date")).toBe("2026-11-20");
    await settle();
    // The indices, days and status came with the bundle; only the day is asked again.
    expect(sent(api.requests)).toEqual(["GET /api/v1/auth/me", "GET /api/v1/tracker", "GET /api/v1/greeks/summary"]);
    expect(api.to("GET", "/api/v1/greeks/summary")[0]?.url.searchParams.get("date")).toBe("2026-11-20");
  });

  it.each([
    ["an older server without the route (404)", error(404, "not_found", "No such path: GET /api/v1/tracker")],
    ["a server error (500)", error(500, "internal_error", "Something went wrong.")],
  ])("asks for each part on its own when the bundle fails: %s", async (_, failure) => {
    const api = serveApi({ "GET /api/v1/tracker": failure });
    renderApp("/?instrument=NIFTY");

    const table = await dayTable();
    expect(newestRow(table).slice(0, 2)).toEqual(["10:30", "26,085.46"]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await settle();
    expect(sent(api.requests).sort()).toEqual(
      [
        "GET /api/v1/auth/me",
        "GET /api/v1/tracker",
        "GET /api/v1/instruments",
        "GET /api/v1/sessions",
        "GET /api/v1/status",
        "GET /api/v1/greeks/summary",
      ].sort(),
    );
    // Each part waited for the bundle to fail first.
    expect(sent(api.requests).indexOf("GET /api/v1/tracker")).toBe(1);
  });

  it("shows a part's own error when the bundle lacks it and the part fails on its own too", async () => {
    const api = serveApi({ "GET /api/v1/sessions": error(404, "not_found", "Unknown instrument NIFTX") });
    renderApp("/?instrument=NIFTX");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the indices and days with data");
    expect(alert).toHaveTextContent("Unknown instrument NIFTX");
    await settle();
    expect(api.to("GET", "/api/v1/tracker")).toHaveLength(1);
    expect(api.to("GET", "/api/v1/instruments")).toHaveLength(0);
    expect(api.to("GET", "/api/v1/status")).toHaveLength(0);
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(1);
  });

  it("does not seed a day other than the one the screen resolves: the screen asks for its own", async () => {
    // The fake server answers the recorded day (expiry 2026-12-01) whatever is asked.
    const api = serveApi();
    renderApp("/?instrument=NIFTY&expiry=2026-12-08");
    await dayTable();
    await settle();
    expect(sent(api.requests)).toEqual(["GET /api/v1/auth/me", "GET /api/v1/tracker", "GET /api/v1/greeks/summary"]);
    expect(api.to("GET", "/api/v1/greeks/summary")[0]?.url.searchParams.get("expiry")).toBe("2026-12-08");
  });

  it("without an index in the address, falls back to the parts when the indices cannot be had", async () => {
    const api = serveApi({ "GET /api/v1/instruments": error(500, "internal_error", "Something went wrong.") });
    renderApp("/");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the indices and days with data");
    await settle();
    // The bundle fails as a whole (its instruments part is a 500), then each part is asked on its own.
    expect(api.to("GET", "/api/v1/tracker")).toHaveLength(1);
    expect(api.to("GET", "/api/v1/instruments").length).toBeGreaterThanOrEqual(1);
    expect(api.to("GET", "/api/v1/status")).toHaveLength(1);
  });

  it("is not used when the page already has the indices (coming from the chain)", async () => {
    const api = serveApi();
    const { router } = renderApp("/chain?instrument=NIFTY");
    expect(await screen.findByRole("heading", { level: 1, name: "Option chain" })).toBeInTheDocument();
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/sessions")).toHaveLength(1);
    });

    await router.navigate("/?instrument=NIFTY");
    await dayTable();
    await settle();
    expect(api.to("GET", "/api/v1/tracker")).toHaveLength(0);
    expect(api.to("GET", "/api/v1/instruments")).toHaveLength(1);
    expect(api.to("GET", "/api/v1/greeks/summary")).toHaveLength(1);
  });
});

/** The recorded stream event, moved to another minute (and day). */
function minuteEvent(minute: string, date = "2026-11-25") {
  const at = `${date}T${minute}:00+05:30`;
  return { ...stream, date, latest_minute: at, minutes: [at] };
}

function paths(requests: { url: URL }[]): string[] {
  return requests.map((request) => request.url.pathname);
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

describe("the tracker's requests in steady state", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it(
    "asks for nothing but the stream while it delivers: no status over 10 minutes; delayed with the age when minutes stop",
    { timeout: 120_000 },
    async () => {
      vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.parse(statusFixture.now) });
      const Source = installEventSource();
      const api = serveApi();
      renderApp("/");
      await dayTable();
      await waitFor(() => {
        expect(Source.instances).toHaveLength(1);
      });
      const source = Source.instances[0];
      if (!source) throw new Error("no stream");
      source.open();
      expect(await screen.findByText(/^Live · 10:33 IST/)).toBeInTheDocument();
      // The status came with the opening bundle.
      expect(api.to("GET", "/api/v1/tracker")).toHaveLength(1);
      expect(api.to("GET", "/api/v1/status")).toHaveLength(0);
      const opened = api.requests.length;

      for (let minute = 34; minute <= 43; minute += 1) {
        await vi.advanceTimersByTimeAsync(MINUTE);
        source.emit("minute", minuteEvent(`10:${String(minute)}`));
      }
      expect(await screen.findByText(/^Live · 10:43 IST/)).toBeInTheDocument();
      // Ten minutes: no status, no summary; the days list at most twice (every 5–6 min).
      const during = paths(api.requests.slice(opened));
      expect(during.filter((path) => path !== "/api/v1/sessions")).toEqual([]);
      expect(during.length).toBeLessThanOrEqual(2);

      // The minutes stop: the badge says delayed, with the age, worked out without asking the server.
      await vi.advanceTimersByTimeAsync(4 * MINUTE);
      expect(await screen.findByText(/^Delayed · last minute 4 min ago/)).toBeInTheDocument();
      expect(api.to("GET", "/api/v1/status")).toHaveLength(0);
      // Not delivering any more: the status is asked again (on its own), but only after 5–6 minutes.
      await vi.advanceTimersByTimeAsync(6 * MINUTE);
      expect(api.to("GET", "/api/v1/status")).toHaveLength(1);
    },
  );

  it(
    "without the stream, loads the day once a minute, 5–25 s after the minute turns",
    { timeout: 120_000 },
    async () => {
      vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.parse(statusFixture.now) });
      const Source = installEventSource();
      const polled: number[] = [];
      const statusAsked: number[] = [];
      serveApi({
        "GET /api/v1/greeks/summary": () => {
          polled.push(Date.now());
          return { body: { ...summaryFixture } };
        },
        "GET /api/v1/status": () => {
          statusAsked.push(Date.now());
          return { body: { ...statusFixture } };
        },
      });
      renderApp("/");
      await dayTable();
      await waitFor(() => {
        expect(Source.instances).toHaveLength(1);
      });
      Source.instances[0]?.fail(true);
      expect(await screen.findByText(/checking every minute/)).toBeInTheDocument();
      const first = polled.length;

      // From 10:33:0x to 10:38:3x: the polls of 10:34 to 10:38.
      await vi.advanceTimersByTimeAsync(5 * MINUTE + 30 * SECOND);
      // The fake clock also runs on with real time (a loaded machine adds seconds, and the page aligns its polls
      // to the server's clock, taken from the status answer), so the test holds the shape, not the exact
      // seconds (msToMinutePoll's own tests pin those): about one poll a minute, never two within 35 s, never a
      // minute and a half without one.
      const polls = polled.slice(first);
      expect(polls.length).toBeGreaterThanOrEqual(4);
      expect(polls.length).toBeLessThanOrEqual(6);
      for (const [i, at] of polls.entries()) {
        if (i === 0) continue;
        const gap = at - (polls[i - 1] ?? 0);
        expect(gap).toBeGreaterThanOrEqual(35 * SECOND);
        expect(gap).toBeLessThanOrEqual(90 * SECOND);
      }
      // The status: once on open, then not again for at least 5 minutes (its refresh is drawn in 5–6 min, so
      // whether it falls inside these 5.5 minutes is chance; a refresh every minute would not be).
      expect(statusAsked.length).toBeGreaterThanOrEqual(1);
      expect(statusAsked.length).toBeLessThanOrEqual(2);
      for (const [i, at] of statusAsked.entries()) {
        if (i > 0) expect(at - (statusAsked[i - 1] ?? 0)).toBeGreaterThanOrEqual(5 * MINUTE);
      }
    },
  );

  it("asks for the days again on a new day: once a minute until today appears, then the view moves to it", async () => {
    const newDay = "2026-11-26T09:16:10+05:30";
    vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.parse(newDay) });
    const withToday = {
      ...sessionsNifty,
      sessions: [{ ...sessionsNifty.sessions[0], date: "2026-11-26" }, ...sessionsNifty.sessions],
    };
    let stored = false;
    const api = serveApi({
      "GET /api/v1/status": {
        body: {
          ...statusFixture,
          now: newDay,
          market: {
            ...statusFixture.market,
            session: { open: "2026-11-26T09:15:00+05:30", close: "2026-11-26T15:30:00+05:30" },
            next_open: "2026-11-27T09:15:00+05:30",
          },
        },
      },
      "GET /api/v1/sessions": () => ({ body: stored ? withToday : sessionsNifty }),
    });
    renderApp("/");
    await dayTable();
    expect(await screen.findByText(/^Past session · 25 Nov/)).toBeInTheDocument();
    // The days came with the opening bundle; from then on they are asked on their own.
    expect(api.to("GET", "/api/v1/tracker")).toHaveLength(1);
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(90 * SECOND);
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(1);
    stored = true;
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(2);
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/greeks/summary").at(-1)?.url.searchParams.get("date")).toBe("2026-11-26");
    });
    // Today is offered now: back to the slow refresh.
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(2);
  });

  it("asks for the days at once when the stream brings a minute of a day the picker does not offer", async () => {
    const Source = installEventSource();
    const api = serveApi();
    renderApp("/");
    await dayTable();
    await waitFor(() => {
      expect(Source.instances).toHaveLength(1);
    });
    const source = Source.instances[0];
    source?.open();
    source?.emit("minute", minuteEvent("10:34"));
    // The days came with the opening bundle.
    expect(api.to("GET", "/api/v1/sessions")).toHaveLength(0);
    source?.emit("minute", minuteEvent("09:15", "2026-11-26"));
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/sessions")).toHaveLength(1);
    });
  });
});

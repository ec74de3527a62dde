import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { error, serveApi, signedOut } from "@/test/api";
import brokerStatus from "@/test/fixtures/broker-status.json";
import meAdmin from "@/test/fixtures/me-admin.json";
import status from "@/test/fixtures/status.json";
import { renderApp } from "@/test/render";
import failingReport from "../api/fixtures/health-ready-fail.json";

describe("the status page", () => {
  it("says in plain words whether everything works, the market's state and the data's freshness", async () => {
    serveApi();
    renderApp("/status");

    expect(await screen.findByText("Everything is working: new minutes arrive as they happen.")).toBeInTheDocument();
    const market = screen.getByRole("region", { name: "Market and data" });
    expect(within(market).getByText("Open (09:15–15:30 IST)")).toBeInTheDocument();
    expect(market).toHaveTextContent("25 Nov 10:33 IST (just now) up to date");
    expect(market).toHaveTextContent("Demo: replaying the session of 25 Nov on a simulated market");
    const today = screen.getByRole("region", { name: "Today's collection" });
    expect(today).toHaveTextContent("79 minutes collected: 79 complete, 0 partial, 0 failed.");
    expect(today).toHaveTextContent("No gaps so far.");
    expect(screen.queryByRole("region", { name: "Upstox token (administrators)" })).not.toBeInTheDocument();
  });

  it("lists today's gaps with their reasons", async () => {
    serveApi({
      "GET /api/v1/status": {
        body: {
          ...status,
          data: { ...status.data, fresh: false, age_minutes: 6 },
          today: {
            ...status.today,
            failed: 3,
            gaps: [
              {
                from: "2026-11-25T09:40:00+05:30",
                to: "2026-11-25T09:42:00+05:30",
                minutes: 3,
                reason: "Upstox answered 503",
              },
            ],
          },
        },
      },
    });
    renderApp("/status");
    expect(
      await screen.findByText("The market is open but the latest data is behind: new minutes are late."),
    ).toBeInTheDocument();
    const gaps = screen.getByRole("table", { name: "Gaps: minutes of today's session with no data" });
    expect(within(gaps).getAllByRole("row")[1]).toHaveTextContent("09:4009:423Upstox answered 503");
  });

  it("says where today's calendar came from, warns when it is not confirmed, and lists Upstox's greek gaps", async () => {
    serveApi({
      "GET /api/v1/status": {
        body: {
          ...status,
          market: {
            ...status.market,
            calendar: {
              source: "provisional",
              confirmed: false,
              note: "from a provisional list compiled before the exchange published this year's; not confirmed",
              year: "provisional",
              special_session: false,
            },
          },
          upstox_greeks: {
            minute: "2026-11-25T10:33:00+05:30",
            targets: {
              "NIFTY:2026-12-01": {
                gamma: { largest: -0.00004871, strike: 26100, side: "CE", median: 0.0000121, compared: 240 },
                theta: { largest: -3.7386, strike: 25100, side: "CE", median: 0.228, compared: 240 },
              },
            },
          },
        },
      },
    });
    renderApp("/status");
    expect(
      await screen.findByText("Today's trading calendar is not confirmed: see Market and data below."),
    ).toBeInTheDocument();
    const market = screen.getByRole("region", { name: "Market and data" });
    expect(market).toHaveTextContent(
      "from a provisional list compiled before the exchange published this year's; not confirmed not confirmed",
    );
    const gaps = screen.getByRole("table", { name: "Largest gap per greek, over the options Upstox gave an IV for" });
    const [row] = within(gaps).getAllByRole("row").slice(1);
    if (!row) throw new Error("no row");
    expect(within(row).getByRole("rowheader")).toHaveTextContent("NIFTY 2026-12-01");
    expect(
      within(row)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual(["–", "–", "-4.9e-5 · 26100 CE", "-3.739 · 25100 CE", "–", "240"]);
    expect(within(row).getAllByRole("cell")[2]).toHaveAttribute("title", "median 1.2e-5");
  });

  it("shows administrators the token's details, with the way to the broker page", async () => {
    serveApi({ "GET /api/v1/auth/me": { body: meAdmin }, "GET /api/v1/broker/upstox/status": { body: brokerStatus } });
    renderApp("/status");
    const token = await screen.findByRole("region", { name: "Upstox token (administrators)" });
    expect(token).toHaveTextContent("analytics, valid until 25 Nov 2027, 19:09 IST");
    expect(within(token).getByRole("link", { name: "Manage the Upstox connection" })).toHaveAttribute(
      "href",
      "/broker",
    );
  });

  it("shows every server check by name from a 503 answer", async () => {
    serveApi({ "GET /health/ready": { status: 503, body: failingReport } });
    renderApp("/status");

    const table = await screen.findByRole("table", { name: "Readiness checks" });
    expect(await screen.findByText("Something is not working: see the server checks below.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: /Server/ })).toHaveTextContent("Server: fail");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ["ok", "sqlite: 3 ms"],
      ["warn", "latest minute 09:41 IST, 3 minutes behind"],
      ["fail", "token expired at 03:30 IST; renew on the Broker page"],
    ]);
    expect(
      within(table)
        .getAllByRole("rowheader")
        .map((cell) => cell.textContent),
    ).toEqual(["Database", "Cache", "upstox_token"]);
  });

  it("asks a visitor to sign in for the data's status, and still shows the server's health", async () => {
    serveApi({ "GET /api/v1/auth/me": signedOut, "GET /api/v1/status": signedOut });
    renderApp("/status");
    expect(await screen.findByText("Sign in to see how fresh the data is and today's collection.")).toBeInTheDocument();
    expect(await screen.findByRole("table", { name: "Readiness checks" })).toBeInTheDocument();
  });

  it("shows a readable error when the backend answers with its error shape", async () => {
    serveApi({ "GET /health/ready": error(500, "internal", "The database is unreachable.") });
    renderApp("/status");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not get the backend's status");
    expect(alert).toHaveTextContent("The database is unreachable.");
    expect(within(alert).getByText("HTTP status").nextSibling).toHaveTextContent("500");
    expect(within(alert).getByText("Request id").nextSibling).toHaveTextContent("req-test");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("shows a readable error when the backend cannot be reached", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))),
    );
    renderApp("/status");
    expect((await screen.findAllByRole("alert"))[0]).toHaveTextContent(
      "Could not reach the server. Check your connection and try again.",
    );
  });

  it("reports an answer of the wrong shape instead of showing an empty table", async () => {
    serveApi({ "GET /health/ready": { body: { ready: true } } });
    renderApp("/status");
    expect(await screen.findByRole("alert")).toHaveTextContent("The server sent an answer in an unexpected shape");
  });
});

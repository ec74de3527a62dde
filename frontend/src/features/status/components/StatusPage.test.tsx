import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderApp } from "@/test/render";
import failingReport from "../api/fixtures/health-ready-fail.json";

function serveHealth(status: number, body: unknown) {
  const fetchMock = vi.fn(() =>
    Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }),
    ),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("the status page", () => {
  it("shows every check's name and status from a 503 answer", async () => {
    const fetchMock = serveHealth(503, failingReport);
    renderApp("/status");

    const table = await screen.findByRole("table", { name: "Readiness checks" });
    expect(fetchMock).toHaveBeenCalledWith("/health/ready", expect.anything());
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Overall: fail");

    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent))).toEqual([
      ["ok", "sqlite: 3 ms"],
      ["warn", "latest minute 09:41 IST, 3 minutes behind"],
      ["fail", "token expired at 03:30 IST; renew on the Broker page"],
    ]);
    expect(within(table).getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual([
      "database",
      "cache",
      "upstox_token",
    ]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows a healthy 200 answer", async () => {
    serveHealth(200, { status: "ok", checks: { database: { status: "ok", detail: "" } } });
    renderApp("/status");

    expect(await screen.findByRole("rowheader", { name: "database" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Overall: ok");
    expect(screen.getByText(/^Checked at \d\d:\d\d:\d\d IST$/)).toBeInTheDocument();
  });

  it("shows a readable error when the backend answers with its error shape", async () => {
    serveHealth(500, { error: { code: "internal", message: "The database is unreachable.", request_id: "r-9" } });
    renderApp("/status");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not get the backend's status");
    expect(alert).toHaveTextContent("The database is unreachable.");
    expect(within(alert).getByText("HTTP status").nextSibling).toHaveTextContent("500");
    expect(within(alert).getByText("Request id").nextSibling).toHaveTextContent("r-9");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("shows a readable error when the backend cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))));
    renderApp("/status");

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not reach the server. Check your connection and try again.",
    );
  });

  it("reports an answer of the wrong shape instead of showing an empty table", async () => {
    serveHealth(200, { ready: true });
    renderApp("/status");

    expect(await screen.findByRole("alert")).toHaveTextContent("The server sent an answer in an unexpected shape");
  });
});

import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { serveApi } from "@/test/api";
import chain from "@/test/fixtures/chain-nifty.json";
import status from "@/test/fixtures/status.json";
import { renderApp } from "@/test/render";

async function chainTable() {
  return screen.findByRole("table", { name: /NIFTY option chain, expiry 2026-12-01, at 10:30 IST/ });
}

describe("the option chain", () => {
  it("shows both sides around the money at the latest minute, the at-the-money strike marked", async () => {
    serveApi();
    renderApp("/chain");
    const table = await chainTable();
    const rows = within(table).getAllByRole("row").slice(2);
    expect(rows).toHaveLength(chain.strikes.length);
    const atm = rows.find((row) => row.classList.contains("row--atm"));
    if (!atm) throw new Error("no ATM row");
    expect(within(atm).getByRole("button", { name: "26,100 ATM: show its chart" })).toBeInTheDocument();
    const cells = within(atm)
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(cells[0]).toBe("Upstox");
    expect(cells.at(-1)).toBe("Upstox");
    expect(screen.getByText(/spot 26,085\.46 · ATM 26,100/)).toBeInTheDocument();
  });

  it("replays the day: the slider moves to another stored minute and the chain follows", async () => {
    const api = serveApi();
    const { router } = renderApp("/chain");
    await chainTable();
    const slider = screen.getByRole("slider", { name: /Minute \(IST\)/ });
    expect(slider).toHaveAttribute("aria-valuetext", "10:30 IST");

    fireEvent.change(slider, { target: { value: "15" } });

    expect(await screen.findByRole("table", { name: /at 09:30 IST/ })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?at=09%3A30");
    expect(api.to("GET", "/api/v1/chain").at(-1)?.url.searchParams.get("at")).toBe("09:30");
  });

  it("steps minute by minute with the buttons", async () => {
    const user = userEvent.setup();
    const api = serveApi();
    renderApp("/chain?at=09:31");
    await screen.findByRole("table", { name: /option chain/ });
    await user.click(screen.getByRole("button", { name: "Previous minute" }));
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/chain").at(-1)?.url.searchParams.get("at")).toBe("09:30");
    });
  });

  it("opens a strike's own minute-by-minute chart with both changes", async () => {
    const user = userEvent.setup();
    const api = serveApi();
    const { router } = renderApp("/chain");
    const table = await chainTable();

    await user.click(within(table).getByRole("button", { name: /^26,100 ATM/ }));

    const panel = await screen.findByRole("region", { name: /26,100 CE: change since 09:15 IST/ });
    const charts = within(panel).getAllByRole("img");
    expect(charts.map((chart) => chart.getAttribute("aria-label")?.split(":")[0])).toEqual([
      "CE 26,100 Price (LTP)",
      "CE 26,100 IV",
      "CE 26,100 Delta",
      "CE 26,100 Gamma",
      "CE 26,100 Theta",
      "CE 26,100 Vega",
    ]);
    expect(charts[0]).toHaveAttribute("data-lines", "CE change|Spot|Minute change, rise|Minute change, fall");
    expect(router.state.location.search).toBe("?strike=26100&side=CE");
    expect(api.to("GET", "/api/v1/greeks/strike")[0]?.url.searchParams.get("strike")).toBe("26100");
    expect(within(panel).getByRole("link", { name: "Download CSV" })).toHaveAttribute(
      "href",
      "/api/v1/greeks/strike?instrument=NIFTY&date=2026-11-25&expiry=2026-12-01&strike=26100&side=CE&format=csv",
    );
  });

  it(
    "asks for today's chain again once a minute, 5–25 s after the minute turns, while the market is open",
    { timeout: 60_000 },
    async () => {
      vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.parse(status.now) });
      try {
        const api = serveApi();
        renderApp("/chain");
        await chainTable();
        const opened = api.to("GET", "/api/v1/chain").length;
        // From 10:33:0x to 10:35:3x: the polls of 10:34 and 10:35, and no more status than on open.
        await vi.advanceTimersByTimeAsync(150_000);
        const polls = api.to("GET", "/api/v1/chain").slice(opened);
        expect(polls).toHaveLength(2);
        expect(api.to("GET", "/api/v1/status")).toHaveLength(1);
      } finally {
        vi.useRealTimers();
      }
    },
  );
});

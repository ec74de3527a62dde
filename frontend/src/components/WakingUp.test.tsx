import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { error, serveApi } from "@/test/api";
import me from "@/test/fixtures/me.json";
import { renderApp } from "@/test/render";
import { WAKE_RETRY_MS } from "./WakingUp";

describe("a server waking up", () => {
  it("is said, with a progress bar, and asked again until it answers", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let asked = 0;
    serveApi({
      "GET /api/v1/auth/me": () => {
        asked += 1;
        return asked < 3
          ? error(503, "starting", "Market Edge is starting up; try again in a few seconds.")
          : { body: me };
      },
    });
    renderApp("/");

    expect(await screen.findByRole("heading", { name: "Waking the server up…" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Waking the server up" })).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(2 * WAKE_RETRY_MS);
    expect(await screen.findByRole("heading", { name: "Greeks tracker", level: 1 })).toBeInTheDocument();
    expect(screen.queryByText("Waking the server up…")).not.toBeInTheDocument();
    expect(asked).toBe(3);
    vi.useRealTimers();
  });

  it("is not how a real error is shown", async () => {
    serveApi({ "GET /api/v1/auth/me": error(500, "internal_error", "Something broke.") });
    renderApp("/");
    expect(await screen.findByRole("alert")).toHaveTextContent("Something broke.");
    expect(screen.queryByText("Waking the server up…")).not.toBeInTheDocument();
  });
});

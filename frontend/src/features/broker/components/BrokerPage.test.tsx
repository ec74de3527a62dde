import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { error, sentJson, serveApi } from "@/test/api";
import brokerStatus from "@/test/fixtures/broker-status.json";
import meAdmin from "@/test/fixtures/me-admin.json";
import { renderApp } from "@/test/render";
import { describeDetails } from "./BrokerPage";

const admin = (extra = {}) =>
  serveApi({
    "GET /api/v1/auth/me": { body: meAdmin },
    "GET /api/v1/broker/upstox/status": { body: brokerStatus },
    ...extra,
  });

describe("the broker page", () => {
  it("shows an administrator the token's kind, validity, checks and recent events", async () => {
    admin();
    renderApp("/broker");
    const connection = await screen.findByRole("region", { name: /Connection/ });
    expect(connection).toHaveTextContent("Working");
    expect(connection).toHaveTextContent("Analytics token (read-only, one year)");
    expect(connection).toHaveTextContent("Valid until25 Nov 2027, 19:09 IST");
    expect(connection).toHaveTextContent("Next scheduled check26 Nov 2026, 08:30 IST");
    expect(connection).toHaveTextContent("Demo: a simulated Upstox stands in for the real one.");
    const events = screen.getByRole("table", { name: "Recent token events, newest first" });
    expect(within(events).getAllByRole("row")[1]).toHaveTextContent("renewal.checked");
    expect(screen.getByRole("link", { name: "Connect with Upstox" })).toHaveAttribute(
      "href",
      "/api/v1/broker/upstox/connect",
    );
  });

  it("pastes a token with the CSRF header, and shows Upstox's refusal", async () => {
    const user = userEvent.setup();
    const api = admin({
      "POST /api/v1/broker/upstox/token": error(400, "broker_token_refused", "Upstox refused this token (401)."),
    });
    document.cookie = "me_csrf=csrf-abc; path=/";
    renderApp("/broker");
    await screen.findByRole("region", { name: /Connection/ });

    await user.type(screen.getByLabelText("Token"), "x".repeat(40));
    // The kind is asked, never guessed: nothing can be sent until it is said.
    expect(screen.getByRole("button", { name: "Check and save" })).toBeDisabled();
    const kinds = screen.getByRole("group", { name: "Which kind of token is it?" });
    expect(
      within(kinds)
        .getAllByRole("radio")
        .map((radio) => (radio as HTMLInputElement).checked),
    ).toEqual([false, false]);
    await user.click(within(kinds).getByRole("radio", { name: /Analytics token/ }));
    await user.type(screen.getByLabelText(/Valid until/), "2027-10-01");
    await user.click(screen.getByRole("button", { name: "Check and save" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Upstox refused this token (401).");
    const [post] = api.to("POST", "/api/v1/broker/upstox/token");
    expect(sentJson(post)).toEqual({ token: "x".repeat(40), kind: "analytics", valid_until: "2027-10-01" });
    expect(new Headers(post?.init?.headers).get("X-CSRF-Token")).toBe("csrf-abc");
    document.cookie = "me_csrf=; path=/; max-age=0";
  });

  it("sends a daily access token without a validity date", async () => {
    const user = userEvent.setup();
    const api = admin({ "POST /api/v1/broker/upstox/token": error(400, "broker_token_refused", "refused") });
    renderApp("/broker");
    await screen.findByRole("region", { name: /Connection/ });
    await user.click(screen.getByRole("radio", { name: /Access token/ }));
    expect(screen.queryByLabelText(/Valid until/)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Token"), "y".repeat(40));
    await user.click(screen.getByRole("button", { name: "Check and save" }));
    await screen.findByRole("alert");
    expect(sentJson(api.to("POST", "/api/v1/broker/upstox/token")[0])).toEqual({
      token: "y".repeat(40),
      kind: "access",
      valid_until: null,
    });
  });

  it("asks before disconnecting", async () => {
    const user = userEvent.setup();
    const api = admin({ "DELETE /api/v1/broker/upstox": { body: { disconnected: true, logged_out: true } } });
    renderApp("/broker");
    await screen.findByRole("region", { name: /Connection/ });

    await user.click(screen.getByRole("button", { name: "Disconnect…" }));
    expect(api.to("DELETE", "/api/v1/broker/upstox")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, disconnect" }));
    await waitFor(() => {
      expect(api.to("DELETE", "/api/v1/broker/upstox")).toHaveLength(1);
    });
  });

  it("says what the Upstox login came back with", async () => {
    admin();
    renderApp("/broker?result=invalid_state");
    expect(
      await screen.findByText("That login link expired or came from another browser. Press Connect again."),
    ).toBeInTheDocument();
  });

  it("tells a viewer that only administrators manage the connection", async () => {
    serveApi();
    renderApp("/broker");
    expect(await screen.findByText(/Only administrators can see and change the Upstox connection/)).toBeInTheDocument();
  });

  it("says so when the server has no broker connection yet", async () => {
    serveApi({ "GET /api/v1/broker/upstox/status": error(404, "not_found", "No such path") });
    renderApp("/broker");
    expect(await screen.findByText("The broker connection is not available on this server yet.")).toBeInTheDocument();
  });
});

describe("describeDetails", () => {
  it("writes an event's facts as text, instants in IST, leaving out the empty ones", () => {
    expect(describeDetails({ kind: "analytics", user_id: null, valid_until: "2027-11-23T10:00:05.018837+05:30" })).toBe(
      "kind: analytics, valid until: 23 Nov 2027, 10:00 IST",
    );
    expect(describeDetails(null)).toBe("—");
  });
});

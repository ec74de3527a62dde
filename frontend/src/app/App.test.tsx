import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { serveApi, signedOut } from "@/test/api";
import { renderApp } from "@/test/render";

const DISCLAIMER =
  "Market data from Upstox, shown for information only. Not investment advice. " +
  "Market Edge gives no recommendations or trading signals.";

describe("the app shell", () => {
  beforeEach(() => {
    serveApi();
  });

  it("has the landmarks, the product name, the navigation and the disclaimer", async () => {
    renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Greeks tracker" })).toBeInTheDocument();
    expect(screen.getByRole("banner")).toHaveTextContent("Market Edge");
    expect(screen.getByRole("main")).toBeInTheDocument();

    const nav = screen.getByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual(["Tracker", "Option chain", "Status", "Broker"]);
    expect(within(nav).getByRole("link", { name: "Tracker" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Status" })).not.toHaveAttribute("aria-current");

    const footer = screen.getByRole("contentinfo");
    expect(footer).toHaveTextContent(DISCLAIMER);
    const legal = within(footer).getByRole("navigation", { name: "Legal" });
    expect(within(legal).getByRole("link", { name: "Terms of use" })).toHaveAttribute("href", "/legal/terms");
    expect(within(legal).getByRole("link", { name: "Privacy" })).toHaveAttribute("href", "/legal/privacy");
    expect(within(legal).getByRole("link", { name: "Disclaimer" })).toHaveAttribute("href", "/legal/disclaimer");
    expect(within(legal).getByRole("link", { name: "Accessibility" })).toHaveAttribute("href", "/legal/accessibility");

    expect(screen.getByRole("link", { name: "Skip to content" })).toHaveAttribute("href", "#main-content");
  });

  it("names the tab after the page and marks the new page in the navigation", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await screen.findByRole("heading", { level: 1, name: "Greeks tracker" });
    await waitFor(() => {
      expect(document.title).toBe("Greeks tracker · Market Edge");
    });

    await user.click(screen.getByRole("link", { name: "Option chain" }));

    const heading = await screen.findByRole("heading", { level: 1, name: "Option chain" });
    await waitFor(() => {
      expect(document.title).toBe("Option chain · Market Edge");
    });
    expect(screen.getByRole("link", { name: "Option chain" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "Tracker" })).not.toHaveAttribute("aria-current");
    await waitFor(() => {
      expect(heading).toHaveFocus();
    });
  });

  it.each([
    ["/chain", "Option chain"],
    ["/status", "Status"],
    ["/broker", "Broker"],
    ["/login", "Sign in"],
    ["/legal/terms", "Terms of use"],
    ["/legal/privacy", "Privacy notice"],
    ["/legal/disclaimer", "Disclaimer"],
    ["/legal/accessibility", "Accessibility statement"],
  ])("serves %s", async (path, title) => {
    renderApp(path);
    expect(await screen.findByRole("heading", { level: 1, name: title })).toBeInTheDocument();
    expect(screen.getByRole("contentinfo")).toHaveTextContent(DISCLAIMER);
  });

  it("switches between light and dark and remembers only that choice", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await screen.findByRole("heading", { level: 1, name: "Greeks tracker" });
    const toggle = screen.getByRole("button", { name: "Dark theme" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(document.documentElement).not.toHaveAttribute("data-theme");

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(document.documentElement).toHaveAttribute("data-theme", "dark");
    expect(Object.entries(localStorage)).toEqual([["market-edge:theme", "dark"]]);

    // Back to what the system shows (light, in these tests): the page follows the system again.
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(document.documentElement).not.toHaveAttribute("data-theme");
    expect(localStorage.length).toBe(0);
  });
});

describe("the account menu", () => {
  it("offers sign-in to a visitor and names the signed-in person, with sign-out", async () => {
    const user = userEvent.setup();
    const api = serveApi();
    const { router } = renderApp("/status");
    const account = await screen.findByRole("button", { name: "Account: ui@marketedge.test" });
    expect(account).toHaveAttribute("aria-expanded", "false");

    await user.click(account);
    expect(account).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("Role: viewer")).toBeVisible();
    document.cookie = "me_csrf=csrf-123; path=/";
    await user.click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    const logout = api.to("POST", "/api/v1/auth/logout")[0];
    expect(new Headers(logout?.init?.headers).get("X-CSRF-Token")).toBe("csrf-123");
    document.cookie = "me_csrf=; path=/; max-age=0";
  });

  it("shows Sign in to a visitor on a public page", async () => {
    serveApi({ "GET /api/v1/auth/me": signedOut });
    renderApp("/legal/terms");
    await waitFor(() => {
      expect(screen.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login?next=%2Flegal%2Fterms");
    });
  });
});

describe("an unknown address", () => {
  it("shows a helpful not-found page inside the shell, with a link home", async () => {
    renderApp("/no/such/page");

    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("main")).toHaveTextContent("There is no page at /no/such/page.");
    expect(screen.getByRole("link", { name: "Go to the Greeks tracker" })).toHaveAttribute("href", "/");
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
    expect(screen.getByRole("contentinfo")).toHaveTextContent("Not investment advice.");
    await waitFor(() => {
      expect(document.title).toBe("Page not found · Market Edge");
    });
  });
});

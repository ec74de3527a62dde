import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { error, sentJson, serveApi, signedOut } from "@/test/api";
import accountExport from "@/test/fixtures/account-export.json";
import consentGiven from "@/test/fixtures/consent-given.json";
import consentNeeded from "@/test/fixtures/consent-needed.json";
import meNeedsConsent from "@/test/fixtures/me-needs-consent.json";
import me from "@/test/fixtures/me.json";
import { renderApp } from "@/test/render";
import { consentPath, safeNext } from "./safe-next";

/** A person who has not accepted the current privacy notice, until they POST their consent. */
function needsConsent() {
  let agreed = false;
  const api = serveApi({
    "GET /api/v1/auth/me": () => ({ body: agreed ? { ...meNeedsConsent, consent: me.consent } : meNeedsConsent }),
    "GET /api/v1/account/consent": () => ({ body: agreed ? consentGiven : consentNeeded }),
    "POST /api/v1/account/consent": () => {
      agreed = true;
      return { body: consentGiven };
    },
  });
  return api;
}

async function openAccountMenu(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Account: ui@marketedge.test" }));
}

describe("the consent screen", () => {
  it("comes before the page asked for, and agreeing records the versions shown and goes on there", async () => {
    const user = userEvent.setup();
    const api = needsConsent();
    const { router } = renderApp("/chain?at=09:30");

    expect(await screen.findByRole("heading", { level: 1, name: "Your privacy" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/consent");
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent("/chain?at=09:30")}`);
    expect(await screen.findByText(/What is kept:/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "privacy notice" })).toHaveAttribute("href", "/legal/privacy");
    expect(screen.getByRole("link", { name: "terms of use" })).toHaveAttribute("href", "/legal/terms");
    expect(screen.getByText(/version 2026-11-25\)/, { selector: "p" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeEnabled();
    // No market data was asked for before consent.
    expect(api.to("GET", "/api/v1/chain")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "I agree" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Option chain" })).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe("/chain?at=09:30");
    const [post] = api.to("POST", "/api/v1/account/consent");
    expect(sentJson(post)).toEqual(consentNeeded.required);
  });

  it("is reached from the tracker as well, and works with the keyboard", async () => {
    const user = userEvent.setup();
    const api = needsConsent();
    const { router } = renderApp("/");
    await screen.findByRole("button", { name: "I agree" });
    // Tab from the terms link reaches "I agree"; Enter agrees.
    screen.getByRole("link", { name: "terms of use" }).focus();
    await user.tab();
    expect(screen.getByRole("button", { name: "I agree" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Greeks tracker" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
    expect(api.to("POST", "/api/v1/account/consent")).toHaveLength(1);
  });

  it("lets the person sign out instead", async () => {
    const user = userEvent.setup();
    let signedIn = true;
    const api = serveApi({
      "GET /api/v1/auth/me": () => (signedIn ? { body: meNeedsConsent } : signedOut),
      "GET /api/v1/account/consent": { body: consentNeeded },
      "POST /api/v1/auth/logout": () => {
        signedIn = false;
        return { status: 204 };
      },
    });
    const { router } = renderApp("/consent?next=/chain");
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(api.to("POST", "/api/v1/account/consent")).toHaveLength(0);
    expect(api.to("POST", "/api/v1/auth/logout")).toHaveLength(1);
  });

  it("says when the texts changed meanwhile, and asks for the new versions", async () => {
    const user = userEvent.setup();
    const api = serveApi({
      "GET /api/v1/auth/me": { body: meNeedsConsent },
      "GET /api/v1/account/consent": { body: consentNeeded },
      "POST /api/v1/account/consent": error(
        409,
        "conflict",
        "The documents changed since you opened them: read the current versions and accept those.",
        { required: consentNeeded.required },
      ),
    });
    renderApp("/consent?next=/");
    await user.click(await screen.findByRole("button", { name: "I agree" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The documents changed since you opened them");
    await waitFor(() => {
      expect(api.to("GET", "/api/v1/account/consent")).toHaveLength(2);
    });
    expect(screen.getByRole("heading", { level: 1, name: "Your privacy" })).toBeInTheDocument();
  });

  it("is skipped for a person who already agreed", async () => {
    serveApi();
    const { router } = renderApp("/consent?next=/chain");
    expect(await screen.findByRole("heading", { level: 1, name: "Option chain" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/chain");
  });

  it("appears when a data request says consent is needed (a new notice version)", async () => {
    let versionChanged = false;
    serveApi({
      "GET /api/v1/auth/me": () => ({ body: versionChanged ? meNeedsConsent : me }),
      "GET /api/v1/account/consent": {
        body: { ...consentNeeded, accepted: { privacy: "2026-01-01", terms: "2026-01-01" } },
      },
      "GET /api/v1/instruments": () => {
        versionChanged = true;
        return error(403, "forbidden", "Read and accept the privacy notice and the terms of use first.", {
          reason: "consent_required",
          required: consentNeeded.required,
        });
      },
    });
    renderApp("/chain");
    expect(await screen.findByRole("heading", { level: 1, name: "Your privacy" })).toBeInTheDocument();
    expect(
      await screen.findByRole("heading", { level: 2, name: "The privacy notice or the terms have changed" }),
    ).toBeInTheDocument();
  });

  it("only returns to pages of this site, never to itself", () => {
    expect(consentPath("/chain?at=09:30")).toBe("/consent?next=%2Fchain%3Fat%3D09%3A30");
    expect(consentPath("https://evil.example/")).toBe("/consent?next=%2F");
    expect(safeNext("/consent?next=/consent")).toBe("/");
  });
});

describe("the account menu", () => {
  it("withdraws consent after a confirmation, which signs out", async () => {
    const user = userEvent.setup();
    let signedIn = true;
    const api = serveApi({
      "GET /api/v1/auth/me": () => (signedIn ? { body: me } : signedOut),
      "DELETE /api/v1/account/consent": () => {
        signedIn = false; // the backend ends every session of the person
        return { status: 204 };
      },
    });
    const { router } = renderApp("/");
    await openAccountMenu(user);

    await user.click(screen.getByRole("button", { name: "Withdraw consent…" }));
    const question = screen.getByRole("group", { name: /Withdraw your consent\?/ });
    expect(within(question).getByRole("button", { name: "Withdraw and sign out" })).toHaveFocus();
    await user.click(within(question).getByRole("button", { name: "Keep my consent" }));
    expect(api.to("DELETE", "/api/v1/account/consent")).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Withdraw consent…" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Withdraw consent…" }));
    await user.click(screen.getByRole("button", { name: "Withdraw and sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await waitFor(() => {
      expect(router.state.location.pathname + router.state.location.search).toBe("/login?next=%2F&reason=withdrawn");
    });
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Your consent is withdrawn and you are signed out everywhere",
    );
    const [withdrawal] = api.to("DELETE", "/api/v1/account/consent");
    expect(withdrawal).toBeDefined();
    expect(screen.getByRole("link", { name: "Sign in" })).toBeInTheDocument();
  });

  it("withdraws from a page open to visitors too, and says so on the sign-in page", async () => {
    const user = userEvent.setup();
    let signedIn = true;
    serveApi({
      "GET /api/v1/auth/me": () => (signedIn ? { body: me } : signedOut),
      "DELETE /api/v1/account/consent": () => {
        signedIn = false;
        return { status: 204 };
      },
    });
    const { router } = renderApp("/legal/privacy");
    await openAccountMenu(user);
    await user.click(screen.getByRole("button", { name: "Withdraw consent…" }));
    await user.click(screen.getByRole("button", { name: "Withdraw and sign out" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your consent is withdrawn");
    expect(router.state.location.pathname).toBe("/login");
  });

  it("downloads everything kept about the person, consent records included", async () => {
    const user = userEvent.setup();
    const api = serveApi({ "GET /api/v1/account/export": { body: accountExport } });
    let saved: Blob | undefined;
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      saved = blob as Blob;
      return "blob:export";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderApp("/");
    await openAccountMenu(user);
    await user.click(screen.getByRole("button", { name: "Download my data" }));

    await waitFor(() => {
      expect(click).toHaveBeenCalled();
    });
    expect(api.to("GET", "/api/v1/account/export")).toHaveLength(1);
    const file = JSON.parse((await saved?.text()) ?? "{}") as typeof accountExport;
    expect(file.consents.map((c) => [c.document, c.version])).toEqual([
      ["privacy", "2026-11-25"],
      ["terms", "2026-11-25"],
    ]);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("market-edge-account.json");
  });

  it("offers no withdrawal to a person who has not consented", async () => {
    const user = userEvent.setup();
    serveApi({
      "GET /api/v1/auth/me": { body: meNeedsConsent },
      "GET /api/v1/account/consent": { body: consentNeeded },
    });
    renderApp("/consent?next=/");
    await openAccountMenu(user);
    expect(screen.getByRole("button", { name: "Download my data" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Withdraw consent…" })).not.toBeInTheDocument();
  });
});

import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { error, serveApi, signedOut } from "@/test/api";
import accessibility from "@/test/fixtures/legal-accessibility.json";
import disclaimer from "@/test/fixtures/legal-disclaimer.json";
import privacy from "@/test/fixtures/legal-privacy.json";
import terms from "@/test/fixtures/legal-terms.json";
import { renderApp } from "@/test/render";

async function findText(name: string) {
  return screen.findByRole("article", { name });
}

describe("the legal pages", () => {
  it("show the privacy notice the backend serves, with the version a person accepts, to a visitor", async () => {
    const api = serveApi({ "GET /api/v1/auth/me": signedOut });
    renderApp("/legal/privacy");

    expect(await screen.findByRole("heading", { level: 1, name: "Privacy notice" })).toBeInTheDocument();
    const text = await findText("Privacy notice");
    // The version and the date it applies from, as recorded from the backend.
    expect(privacy.version).toBe("2026-11-25");
    const versionBox = screen.getByText("Version", { selector: "dt" }).closest("dl");
    expect(versionBox).toHaveTextContent(/^Version\s*2026-11-25\s*Effective from\s*25 November 2026$/);
    expect(screen.getByText("25 November 2026")).toHaveAttribute("datetime", "2026-11-25");

    // The body: the backend's headings, paragraphs and lists, as elements.
    const headings = within(text)
      .getAllByRole("heading", { level: 2 })
      .map((h) => h.textContent);
    expect(headings).toEqual([
      "What we keep about you",
      "Why",
      "How long",
      "Who else handles it",
      "Your rights",
      "If something goes wrong",
      "Children",
      "Changes",
    ]);
    expect(within(text).getByText(/This notice says, in plain words, what personal data/)).toBeInTheDocument();
    expect(within(text).getByText("Your consent:", { selector: "strong" }).closest("li")).toHaveTextContent(
      "Your consent: which version of this notice and of the terms you accepted, when, and any withdrawal.",
    );
    expect(
      within(text).getByText(/Market Edge is for adults\. Do not use it if you are under 18\./),
    ).toBeInTheDocument();
    // Said once, in the page's own heading and version box, not again in the body.
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(text).not.toHaveTextContent("Version: 2026-11-25");
    expect(api.to("GET", "/api/v1/legal/privacy")).toHaveLength(1);
  });

  it.each([
    ["/legal/terms", terms, "What Market Edge is"],
    ["/legal/disclaimer", disclaimer, null],
    ["/legal/accessibility", accessibility, "Known limits"],
  ])("show %s as the backend serves it", async (path, document, heading) => {
    serveApi();
    renderApp(path);
    const text = await findText(document.title);
    expect(screen.getByRole("heading", { level: 1, name: document.title })).toBeInTheDocument();
    expect(screen.getByText(document.version, { selector: "dd" })).toBeInTheDocument();
    if (heading) expect(within(text).getByRole("heading", { level: 2, name: heading })).toBeInTheDocument();
    // The body's last sentence is there, word for word (Markdown's line breaks are spaces in HTML).
    const lastLine = document.markdown.trim().split("\n").at(-1) ?? "";
    expect(text.textContent.replace(/\s+/g, " ")).toContain(lastLine.replace(/\*\*/g, "").trim());
  });

  it("says when the text could not be loaded and tries again on request", async () => {
    const user = userEvent.setup();
    let down = true;
    const api = serveApi({
      "GET /api/v1/legal/terms": () => (down ? error(503, "unavailable", "The service is starting.") : { body: terms }),
    });
    renderApp("/legal/terms");

    expect(await screen.findByRole("alert")).toHaveTextContent("The terms of use could not be loaded");
    expect(screen.getByRole("heading", { level: 1, name: "Terms of use" })).toBeInTheDocument();
    down = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));

    expect(await findText("Terms of use")).toHaveTextContent("These terms are between you and");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(api.to("GET", "/api/v1/legal/terms")).toHaveLength(2);
  });

  it("shows a placeholder while the text loads", async () => {
    serveApi({ "GET /api/v1/legal/disclaimer": () => new Promise(() => undefined) });
    renderApp("/legal/disclaimer");
    expect(await screen.findByRole("heading", { level: 1, name: "Disclaimer" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Loading the disclaimer…");
  });

  it("renders HTML in a text as nothing, never as markup", async () => {
    serveApi({
      "GET /api/v1/legal/disclaimer": {
        body: {
          ...disclaimer,
          version: "x1",
          markdown: "# Disclaimer\n\nVersion: x1\n\nPlain <img src=x onerror=alert(1)> words.\n",
        },
      },
    });
    renderApp("/legal/disclaimer");
    const text = await findText("Disclaimer");
    expect(text.querySelector("img")).toBeNull();
    expect(text).toHaveTextContent("Plain words.");
    expect(screen.getByText("x1", { selector: "dd" })).toBeInTheDocument();
    // A version that is not a date is shown alone.
    expect(screen.queryByText("Effective from")).not.toBeInTheDocument();
  });
});

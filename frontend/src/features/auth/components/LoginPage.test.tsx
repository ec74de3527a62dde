import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { error, sentJson, serveApi, signedOut } from "@/test/api";
import me from "@/test/fixtures/me.json";
import { renderApp } from "@/test/render";
import { safeNext } from "./safe-next";

describe("signing in", () => {
  it("signs in and returns to the page that asked", async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const api = serveApi({
      "GET /api/v1/auth/me": () => (signedIn ? { body: me } : signedOut),
      "POST /api/v1/auth/login": () => {
        signedIn = true;
        return { body: me };
      },
    });
    const { router } = renderApp("/chain?at=09:30");
    await user.type(await screen.findByLabelText("Email"), " ui@marketedge.test ");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Option chain" })).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe("/chain?at=09:30");
    const [post] = api.to("POST", "/api/v1/auth/login");
    expect(sentJson(post)).toEqual({ email: "ui@marketedge.test", password: "correct horse battery" });
    expect(window.localStorage.length).toBe(0);
  });

  it("says when the email or password is wrong, and clears the password", async () => {
    const user = userEvent.setup();
    serveApi({
      "GET /api/v1/auth/me": signedOut,
      "POST /api/v1/auth/login": error(401, "unauthorized", "Email or password is wrong."),
    });
    renderApp("/login");
    await user.type(await screen.findByLabelText("Email"), "ui@marketedge.test");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is wrong. Check both and try again.");
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("says when sign-in is locked for a while", async () => {
    const user = userEvent.setup();
    serveApi({
      "GET /api/v1/auth/me": signedOut,
      "POST /api/v1/auth/login": error(429, "rate_limited", "Too many sign-in attempts."),
    });
    renderApp("/login");
    await user.type(await screen.findByLabelText("Email"), "ui@marketedge.test");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wait a few minutes");
  });

  it("only returns to pages of this site", () => {
    expect(safeNext("/chain?at=09:30")).toBe("/chain?at=09:30");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext("//evil.example/")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("/login?next=/")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});

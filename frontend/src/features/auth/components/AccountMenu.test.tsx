import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ACCOUNT_PASSWORD, deleteAccountRoute, sentJson, serveApi, signedOut } from "@/test/api";
import accountDeleteLastAdmin from "@/test/fixtures/account-delete-last-admin.json";
import meAdmin from "@/test/fixtures/me-admin.json";
import me from "@/test/fixtures/me.json";
import { renderApp } from "@/test/render";

async function openAccountMenu(user: ReturnType<typeof userEvent.setup>, email = "ui@marketedge.test") {
  await user.click(await screen.findByRole("button", { name: `Account: ${email}` }));
}

/** A signed-in person whose sessions all end once DELETE /api/v1/account succeeds. */
function deletableAccount() {
  let signedIn = true;
  return serveApi({
    "GET /api/v1/auth/me": () => (signedIn ? { body: me } : signedOut),
    "DELETE /api/v1/account": deleteAccountRoute(() => {
      signedIn = false;
    }),
  });
}

describe("deleting the account from the account menu", () => {
  it("asks first, saying what happens, with the password in focus; Cancel and Escape close the question", async () => {
    const user = userEvent.setup();
    const api = deletableAccount();
    renderApp("/");
    await openAccountMenu(user);

    await user.click(screen.getByRole("button", { name: "Delete my account…" }));
    const question = screen.getByRole("group", { name: /Delete your account\?/ });
    expect(question).toHaveTextContent("This cannot be undone");
    expect(question).toHaveTextContent(
      /account, your sessions, your API keys and your consent records are deleted at once/,
    );
    expect(question).toHaveTextContent(/audit log .* kept for at least a year, as the law requires/);
    const password = within(question).getByLabelText("Your password");
    expect(password).toHaveAttribute("type", "password");
    expect(password).toHaveAttribute("autocomplete", "current-password");
    expect(password).toHaveFocus();
    expect(within(question).getByRole("button", { name: "Delete my account" })).toHaveClass("button--danger");

    await user.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("group", { name: /Delete your account\?/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete my account…" })).toHaveFocus();

    await user.keyboard("{Enter}");
    expect(screen.getByLabelText("Your password")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("group", { name: /Delete your account\?/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Account: ui@marketedge.test" })).toHaveFocus();
    expect(api.to("DELETE", "/api/v1/account")).toHaveLength(0);
  });

  it("shows the server's message for a wrong password and keeps the question open", async () => {
    const user = userEvent.setup();
    const api = deletableAccount();
    const { router } = renderApp("/");
    await openAccountMenu(user);
    await user.click(screen.getByRole("button", { name: "Delete my account…" }));
    await user.type(screen.getByLabelText("Your password"), "not my password");
    await user.click(screen.getByRole("button", { name: "Delete my account" }));

    const question = screen.getByRole("group", { name: /Delete your account\?/ });
    expect(await within(question).findByRole("alert")).toHaveTextContent("The password is wrong.");
    const password = within(question).getByLabelText("Your password");
    expect(password).toHaveValue("");
    expect(password).toHaveFocus();
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(sentJson(api.to("DELETE", "/api/v1/account")[0])).toEqual({ password: "not my password" });
    expect(router.state.location.pathname).toBe("/");
    expect(screen.getByRole("button", { name: "Account: ui@marketedge.test" })).toBeInTheDocument();
  });

  it("deletes with the right password, signs out and says so on the sign-in page", async () => {
    const user = userEvent.setup();
    document.cookie = "me_csrf=csrf-test";
    const api = deletableAccount();
    const { router } = renderApp("/legal/privacy");
    await openAccountMenu(user);
    await user.click(screen.getByRole("button", { name: "Delete my account…" }));
    // Enter in the password field answers the question.
    await user.type(screen.getByLabelText("Your password"), `${ACCOUNT_PASSWORD}{Enter}`);

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await waitFor(() => {
      expect(router.state.location.pathname + router.state.location.search).toBe("/login?next=%2F&reason=deleted");
    });
    expect(await screen.findByRole("status")).toHaveTextContent("Your account is deleted");
    expect(screen.getByRole("link", { name: "Sign in" })).toBeInTheDocument();
    const [deletion] = api.to("DELETE", "/api/v1/account");
    expect(sentJson(deletion)).toEqual({ password: ACCOUNT_PASSWORD });
    expect(new Headers(deletion?.init?.headers).get("X-CSRF-Token")).toBe("csrf-test");
    document.cookie = "me_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  });

  it("lands on the sign-in page with the message from a data page too", async () => {
    const user = userEvent.setup();
    deletableAccount();
    const { router } = renderApp("/chain");
    await openAccountMenu(user);
    await user.click(screen.getByRole("button", { name: "Delete my account…" }));
    await user.type(screen.getByLabelText("Your password"), ACCOUNT_PASSWORD);
    await user.click(screen.getByRole("button", { name: "Delete my account" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your account is deleted");
    expect(router.state.location.pathname).toBe("/login");
  });

  it("shows the refusal for the last admin, who stays signed in", async () => {
    const user = userEvent.setup();
    serveApi({
      "GET /api/v1/auth/me": { body: meAdmin },
      "DELETE /api/v1/account": { status: 409, body: accountDeleteLastAdmin },
    });
    const { router } = renderApp("/");
    await openAccountMenu(user, "admin@marketedge.test");
    await user.click(screen.getByRole("button", { name: "Delete my account…" }));
    await user.type(screen.getByLabelText("Your password"), ACCOUNT_PASSWORD);
    await user.click(screen.getByRole("button", { name: "Delete my account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This is the last active admin; make another admin first.",
    );
    expect(screen.getByRole("group", { name: /Delete your account\?/ })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
  });

  it("is not offered to an API key, which cannot delete the account", async () => {
    const user = userEvent.setup();
    serveApi({ "GET /api/v1/auth/me": { body: { ...me, via: "api_key" } } });
    renderApp("/");
    await openAccountMenu(user);
    expect(screen.queryByRole("button", { name: "Delete my account…" })).not.toBeInTheDocument();
  });
});

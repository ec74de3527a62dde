// The header's account control: "Sign in" when nobody is, otherwise the person's email opening a small menu
// with their role, "Download my data", "Withdraw consent" (confirmed first: it signs out everywhere), "Delete my
// account" (confirmed first, with the password) and "Sign out".
import { useEffect, useId, useRef, useState, type SubmitEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { describeError } from "@/lib/api-client";
import { useMe } from "@/api/get-me";
import { useDeleteAccount } from "../api/delete-account";
import { useExportAccount } from "../api/export-account";
import { useLogout } from "../api/logout";
import { useWithdrawConsent } from "../api/withdraw-consent";
import { signInPath } from "./safe-next";
import "./account-menu.css";

export function AccountMenu() {
  const me = useMe();
  const location = useLocation();
  if (!me.data) {
    const here = location.pathname.startsWith("/login") ? "/" : `${location.pathname}${location.search}`;
    return (
      <Link to={signInPath(here)} className="header__signin">
        Sign in
      </Link>
    );
  }
  return (
    <SignedInMenu
      email={me.data.user.email}
      role={me.data.user.role}
      browser={me.data.via === "session"}
      consented={me.data.consent?.current === true}
    />
  );
}

interface SignedInMenuProps {
  email: string;
  role: string;
  /** A browser session (the data download, withdrawal and deletion need one, not an API key). */
  browser: boolean;
  /** A standing consent that can be withdrawn. */
  consented: boolean;
}

function SignedInMenu({ email, role, browser, consented }: SignedInMenuProps) {
  const [open, setOpen] = useState(false);
  /** The question that replaces its action in the panel, if one is open. */
  const [confirming, setConfirming] = useState<"withdraw" | "delete" | null>(null);
  const [password, setPassword] = useState("");
  const logout = useLogout();
  const download = useExportAccount();
  const withdraw = useWithdrawConsent();
  const remove = useDeleteAccount();
  const confirmId = useId();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteId = useId();
  const deletePasswordId = useId();
  const deleteErrorId = useId();
  const deleteButton = useRef<HTMLButtonElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const asked = useRef<typeof confirming>(null);
  const navigate = useNavigate();
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // The question replaces the action: keyboard focus goes to its answer, not back to the page; once the
    // deletion is cancelled, back to the action it replaced.
    if (confirming === "withdraw") confirmButton.current?.focus();
    else if (confirming === "delete") passwordInput.current?.focus();
    else if (open && asked.current === "delete") deleteButton.current?.focus();
    asked.current = confirming;
  }, [confirming, open]);

  /** Closes any open question, forgetting the password typed and the last refusal. */
  const closeQuestion = () => {
    setConfirming(null);
    setPassword("");
    remove.reset();
  };

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        setOpen(false);
        closeQuestion();
        button.current?.focus();
        return;
      }
      if (!root.current?.contains(event.target as Node)) {
        setOpen(false);
        closeQuestion();
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
    // closeQuestion only sets state; the listeners need not change with it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const signOut = () => {
    logout.mutate(undefined, {
      onSuccess: () => {
        setOpen(false);
        void navigate("/login");
      },
    });
  };

  const withdrawConsent = () => {
    // On a data page the sign-in guard may get there first (and unmount this menu); elsewhere, this does.
    withdraw.mutate(undefined, {
      onSuccess: () => void navigate(signInPath("/", "withdrawn"), { replace: true }),
    });
  };

  const deleteMyAccount = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!password || remove.isPending) return;
    // As with the withdrawal: on a data page the sign-in guard may get there first; elsewhere, this does.
    remove.mutate(
      { password },
      {
        onSuccess: () => void navigate(signInPath("/", "deleted"), { replace: true }),
        onError: () => {
          // Wrong password (or the last admin): the question stays, ready for another try.
          setPassword("");
          passwordInput.current?.focus();
        },
      },
    );
  };

  return (
    <div className="account" ref={root}>
      <button
        ref={button}
        type="button"
        className="account__button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Account: ${email}`}
        onClick={() => {
          setOpen((value) => !value);
          closeQuestion();
        }}
      >
        <span className="account__email">{email}</span>
      </button>
      <div id={panelId} className="account__panel" hidden={!open}>
        <p className="account__who">
          Signed in as <strong>{email}</strong>
        </p>
        <p className="account__role">Role: {role}</p>
        {browser ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              download.mutate();
            }}
            disabled={download.isPending}
          >
            {download.isPending ? "Preparing your data…" : "Download my data"}
          </button>
        ) : null}
        {download.isError ? (
          <p className="form__error" role="alert">
            Could not download your data: {describeError(download.error)}
          </p>
        ) : null}
        {browser && consented && confirming !== "withdraw" ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              closeQuestion();
              setConfirming("withdraw");
            }}
          >
            Withdraw consent…
          </button>
        ) : null}
        {browser && consented && confirming === "withdraw" ? (
          <div className="account__confirm" role="group" aria-labelledby={confirmId}>
            <p id={confirmId}>
              Withdraw your consent? You will be signed out on every device and your API keys will stop working. You can
              download your data first.
            </p>
            <p className="actions">
              <button
                ref={confirmButton}
                type="button"
                className="button"
                onClick={withdrawConsent}
                disabled={withdraw.isPending}
              >
                {withdraw.isPending ? "Withdrawing…" : "Withdraw and sign out"}
              </button>
              <button
                type="button"
                className="button button--quiet"
                onClick={() => {
                  setConfirming(null);
                }}
                disabled={withdraw.isPending}
              >
                Keep my consent
              </button>
            </p>
          </div>
        ) : null}
        {withdraw.isError ? (
          <p className="form__error" role="alert">
            Could not withdraw your consent: {describeError(withdraw.error)}
          </p>
        ) : null}
        {browser && confirming !== "delete" ? (
          <button
            ref={deleteButton}
            type="button"
            className="button button--quiet"
            onClick={() => {
              closeQuestion();
              setConfirming("delete");
            }}
          >
            Delete my account…
          </button>
        ) : null}
        {browser && confirming === "delete" ? (
          <form className="account__confirm" role="group" aria-labelledby={deleteId} onSubmit={deleteMyAccount}>
            <p id={deleteId}>Delete your account? This cannot be undone.</p>
            <p>
              Your account, your sessions, your API keys and your consent records are deleted at once, and you are
              signed out everywhere. The audit log of your actions is kept for at least a year, as the law requires, and
              then deleted. You can download your data first.
            </p>
            <div className="field">
              <label className="field__label" htmlFor={deletePasswordId}>
                Your password
              </label>
              <input
                ref={passwordInput}
                id={deletePasswordId}
                className="input"
                type="password"
                name="password"
                autoComplete="current-password"
                required
                aria-invalid={remove.isError ? true : undefined}
                aria-describedby={remove.isError ? deleteErrorId : undefined}
                value={password}
                onChange={(event) => {
                  setPassword(event.target.value);
                }}
              />
            </div>
            {remove.isError ? (
              <p id={deleteErrorId} className="form__error" role="alert">
                Could not delete your account: {describeError(remove.error)}
              </p>
            ) : null}
            <p className="actions">
              <button type="submit" className="button button--danger" disabled={remove.isPending}>
                {remove.isPending ? "Deleting…" : "Delete my account"}
              </button>
              <button
                type="button"
                className="button button--quiet"
                onClick={closeQuestion}
                disabled={remove.isPending}
              >
                Cancel
              </button>
            </p>
          </form>
        ) : null}
        {logout.isError ? (
          <p className="form__error" role="alert">
            Could not sign out: {describeError(logout.error)}
          </p>
        ) : null}
        <button type="button" className="button button--quiet" onClick={signOut} disabled={logout.isPending}>
          {logout.isPending ? "Signing out…" : "Sign out"}
        </button>
      </div>
    </div>
  );
}

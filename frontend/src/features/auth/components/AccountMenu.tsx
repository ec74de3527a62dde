// The header's account control: "Sign in" when nobody is, otherwise the person's email opening a small menu
// with their role, "Download my data", "Withdraw consent" (confirmed first: it signs out everywhere) and
// "Sign out".
import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { describeError } from "@/lib/api-client";
import { useMe } from "@/api/get-me";
import { useExportAccount } from "../api/export-account";
import { useLogout } from "../api/logout";
import { useWithdrawConsent } from "../api/withdraw-consent";
import { signInPath } from "./safe-next";

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
  /** A browser session (the data download and withdrawal need one, not an API key). */
  browser: boolean;
  /** A standing consent that can be withdrawn. */
  consented: boolean;
}

function SignedInMenu({ email, role, browser, consented }: SignedInMenuProps) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const logout = useLogout();
  const download = useExportAccount();
  const withdraw = useWithdrawConsent();
  const confirmId = useId();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const navigate = useNavigate();
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // The question replaces the action: keyboard focus goes to its answer, not back to the page.
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        setOpen(false);
        setConfirming(false);
        button.current?.focus();
        return;
      }
      if (!root.current?.contains(event.target as Node)) {
        setOpen(false);
        setConfirming(false);
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
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
          setConfirming(false);
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
        {browser && consented && !confirming ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              setConfirming(true);
            }}
          >
            Withdraw consent…
          </button>
        ) : null}
        {browser && consented && confirming ? (
          <div className="account__confirm" role="group" aria-labelledby={confirmId}>
            <p id={confirmId}>
              Withdraw your consent? You will be signed out on every device and your API keys will stop working. You
              can download your data first.
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
                  setConfirming(false);
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

// The header's account control: "Sign in" when nobody is, otherwise the person's email opening a small menu
// with their role and "Sign out".
import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { describeError } from "@/lib/api-client";
import { useMe } from "@/api/get-me";
import { useLogout } from "../api/logout";
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
  return <SignedInMenu email={me.data.user.email} role={me.data.user.role} />;
}

function SignedInMenu({ email, role }: { email: string; role: string }) {
  const [open, setOpen] = useState(false);
  const logout = useLogout();
  const navigate = useNavigate();
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        setOpen(false);
        button.current?.focus();
        return;
      }
      if (!root.current?.contains(event.target as Node)) setOpen(false);
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
        }}
      >
        <span className="account__email">{email}</span>
      </button>
      <div id={panelId} className="account__panel" hidden={!open}>
        <p className="account__who">
          Signed in as <strong>{email}</strong>
        </p>
        <p className="account__role">Role: {role}</p>
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

// Sign-in: email and password; the session lives in an httpOnly cookie the page never sees.
import { useId, useState, type SubmitEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { ApiError, describeError } from "@/lib/api-client";
import { useMe } from "@/api/get-me";
import { useLogin } from "../api/login";
import { useLogout } from "../api/logout";
import { safeNext } from "./safe-next";

export function LoginPage() {
  const [search] = useSearchParams();
  const next = safeNext(search.get("next"));
  const reason = search.get("reason");
  const expired = reason === "expired";
  const withdrawn = reason === "withdrawn";
  const deleted = reason === "deleted";
  const me = useMe();

  return (
    <Page title="Sign in" lead="Sign in to see the greeks tracker and the option chain.">
      {me.isPending ? <Skeleton label="Checking whether you are signed in…" lines={3} /> : null}
      {me.data ? <SignedIn email={me.data.user.email} next={next} /> : null}
      {me.data === null || me.isError ? (
        <LoginForm next={next} expired={expired} withdrawn={withdrawn} deleted={deleted} />
      ) : null}
    </Page>
  );
}

function SignedIn({ email, next }: { email: string; next: string }) {
  const logout = useLogout();
  return (
    <section className="panel panel--narrow" aria-labelledby="signed-in-title">
      <h2 id="signed-in-title" className="panel__title">
        You are signed in
      </h2>
      <p>
        Signed in as <strong>{email}</strong>.
      </p>
      <p className="actions">
        <Link to={next} className="button">
          {next === "/" ? "Go to the greeks tracker" : "Carry on where you were"}
        </Link>
        <button type="button" className="button button--quiet" onClick={() => logout.mutate()}>
          Sign out
        </button>
      </p>
    </section>
  );
}

interface LoginFormProps {
  next: string;
  expired: boolean;
  withdrawn: boolean;
  deleted: boolean;
}

function LoginForm({ next, expired, withdrawn, deleted }: LoginFormProps) {
  const login = useLogin();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const errorId = useId();

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          void navigate(next, { replace: true });
        },
        onError: () => {
          setPassword("");
        },
      },
    );
  };

  return (
    <section className="panel panel--narrow" aria-labelledby="login-title">
      <h2 id="login-title" className="panel__title">
        Your account
      </h2>
      {expired ? (
        <p className="notice notice--info" role="status">
          Your session ended (idle for too long, or signed out elsewhere). Sign in again to carry on where you were.
        </p>
      ) : null}
      {withdrawn ? (
        <p className="notice notice--info" role="status">
          Your consent is withdrawn and you are signed out everywhere; your API keys no longer work. Signing in again
          asks for your consent first.
        </p>
      ) : null}
      {deleted ? (
        <p className="notice notice--info" role="status">
          Your account is deleted: your sessions, API keys and consent records are gone and you are signed out
          everywhere. The audit log of your actions is kept for at least a year, as the law requires.
        </p>
      ) : null}
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label className="field__label" htmlFor="login-email">
            Email
          </label>
          <input
            id="login-email"
            className="input"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="login-password">
            Password
          </label>
          <input
            id="login-password"
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
            }}
          />
        </div>
        {login.isError ? (
          <p id={errorId} className="form__error" role="alert">
            {loginErrorText(login.error)}
          </p>
        ) : null}
        <p className="actions">
          <button type="submit" className="button" disabled={login.isPending}>
            {login.isPending ? "Signing in…" : "Sign in"}
          </button>
        </p>
      </form>
      <p className="panel__meta">
        No account? Ask your Market Edge administrator for one; accounts are not open to the public.
      </p>
    </section>
  );
}

function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Email or password is wrong. Check both and try again.";
    if (error.status === 429) {
      return `${error.message} Too many attempts: wait a few minutes before trying again.`;
    }
  }
  return describeError(error);
}

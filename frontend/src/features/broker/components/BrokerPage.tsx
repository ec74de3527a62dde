// The Upstox connection (admins): whether Market Edge has a working token, until when, what renews it, and
// the four ways to get one: connect (OAuth), request on the phone (v3), paste, or disconnect.
import { useId, useState, type ReactNode, type SubmitEvent } from "react";
import { useSearchParams } from "react-router";
import type { BrokerStatus, TokenEvent } from "@/api/types";
import { Badge } from "@/components/Badge";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { ApiError, apiUrl, describeError } from "@/lib/api-client";
import { formatInstantIST } from "@/lib/format";
import { useDisconnect } from "../api/disconnect";
import { useBrokerStatus } from "@/api/get-broker-status";
import { usePasteToken } from "../api/paste-token";
import { useRequestToken } from "../api/request-token";
import "./broker.css";

const KIND_WORDS: Record<string, string> = {
  access: "Access token (from an Upstox login)",
  v3: "Access token (approved on the phone)",
  analytics: "Analytics token (read-only, one year)",
};

/** What the OAuth callback says in `?result=`, in words. */
export const CONNECT_RESULTS: Record<string, { ok: boolean; text: string }> = {
  connected: { ok: true, text: "Connected: the new token is stored and Upstox accepted it." },
  denied: { ok: false, text: "The Upstox login was cancelled; nothing changed." },
  invalid_state: { ok: false, text: "That login link expired or came from another browser. Press Connect again." },
  exchange_failed: {
    ok: false,
    text: "Upstox refused to exchange the login code (check the app's secret and redirect URL).",
  },
  invalid_token: { ok: false, text: "Upstox gave a token that failed validation; nothing was stored." },
  unavailable: { ok: false, text: "Upstox could not be reached; nothing changed. Try again in a minute." },
  not_configured: { ok: false, text: "The Upstox app is not configured (UPSTOX_CLIENT_ID and UPSTOX_CLIENT_SECRET)." },
};

export function BrokerPage() {
  const status = useBrokerStatus();
  const [search] = useSearchParams();
  const result = CONNECT_RESULTS[search.get("result") ?? ""];

  return (
    <Page
      title="Broker"
      lead="The Upstox connection that feeds Market Edge its data: whether its token works, until when, and how it is renewed."
    >
      {result ? (
        <p className={`notice ${result.ok ? "notice--ok" : "notice--error"}`} role="status">
          {result.text}
        </p>
      ) : null}
      {status.isPending ? <Skeleton label="Checking the Upstox connection…" lines={6} /> : null}
      {status.error ? <BrokerError error={status.error} onRetry={() => void status.refetch()} /> : null}
      {status.data ? <BrokerView status={status.data} /> : null}
    </Page>
  );
}

function BrokerError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <p className="notice notice--info" role="status">
        Only administrators can see and change the Upstox connection. The Status page shows whether the data is up to
        date.
      </p>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <p className="notice notice--info" role="status">
        The broker connection is not available on this server yet.
      </p>
    );
  }
  return <ErrorNotice error={error} title="Could not check the Upstox connection" onRetry={onRetry} />;
}

function BrokerView({ status }: { status: BrokerStatus }) {
  const token = status.token;
  return (
    <>
      <section className="panel" aria-labelledby="broker-connection">
        <div className="panel__head">
          <h2 id="broker-connection" className="panel__title">
            Connection{" "}
            {status.usable ? (
              <Badge tone="live">Working</Badge>
            ) : status.connected ? (
              <Badge tone="fail">Not usable</Badge>
            ) : (
              <Badge tone="warn">Not connected</Badge>
            )}
          </h2>
          {status.simulated ? (
            <p className="panel__meta">Demo: a simulated Upstox stands in for the real one.</p>
          ) : null}
        </div>
        {status.without_token_from ? (
          <p className="notice notice--error" role="status">
            No usable token from {formatInstantIST(status.without_token_from)}: data stops then unless the token is
            renewed.
          </p>
        ) : null}
        {status.renewal.waiting_for_approval ? (
          <p className="notice notice--info" role="status">
            Waiting for approval on the account holder's phone (Upstox app or WhatsApp). This page updates by itself.
          </p>
        ) : null}
        <dl className="facts">
          <Fact term="Token">{token ? (KIND_WORDS[token.kind] ?? token.kind) : "None stored"}</Fact>
          {token ? (
            <>
              <Fact term="State">
                {token.status}
                {token.readable
                  ? ""
                  : " (cannot be decrypted with the current TOKEN_ENCRYPTION_KEY: connect or paste again)"}
              </Fact>
              <Fact term="Upstox user">
                {token.upstox_user?.user_name ??
                  token.upstox_user?.user_id ??
                  "not reported (normal for analytics tokens)"}
              </Fact>
              <Fact term="Valid until">{formatInstantIST(token.valid_until)}</Fact>
              <Fact term="Last checked">
                {token.last_validated_at
                  ? `${formatInstantIST(token.last_validated_at)} (${token.last_validation ?? "?"})`
                  : "not yet"}
              </Fact>
              <Fact term="Stored">
                {formatInstantIST(token.stored_at)} by {token.stored_by} ({token.source})
              </Fact>
            </>
          ) : null}
          <Fact term="Next scheduled check">
            {status.renewal.next_at ? formatInstantIST(status.renewal.next_at) : "none scheduled"} (daily at{" "}
            {status.renewal.time} IST on trading days)
          </Fact>
          {status.renewal.reminding_until ? (
            <Fact term="Reminders">
              every {status.renewal.reminder_minutes} min until {formatInstantIST(status.renewal.reminding_until)}
            </Fact>
          ) : null}
        </dl>
      </section>
      <BrokerActions status={status} />
      <Events events={status.events} />
      <section className="panel" aria-labelledby="broker-setup">
        <h2 id="broker-setup" className="panel__title">
          Setup
        </h2>
        <dl className="facts">
          <Fact term="Upstox app configured">
            {status.setup.client_configured ? "yes" : "no: set UPSTOX_CLIENT_ID and UPSTOX_CLIENT_SECRET"}
          </Fact>
          <Fact term="Redirect URL to register">
            {status.setup.redirect_uri ? <code className="code">{status.setup.redirect_uri}</code> : "not set"}
          </Fact>
          <Fact term="Notifier URL to register">
            {status.setup.notifier_url ? <code className="code">{status.setup.notifier_url}</code> : "not set"}
          </Fact>
          <Fact term="Alerts webhook">{status.setup.alert_webhook ? "set" : "not set"}</Fact>
        </dl>
      </section>
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function BrokerActions({ status }: { status: BrokerStatus }) {
  const request = useRequestToken();
  const paste = usePasteToken();
  const disconnect = useDisconnect();
  const [confirming, setConfirming] = useState(false);
  const [token, setToken] = useState("");
  // Asked, never guessed: nothing is chosen until the person says which kind they are pasting.
  const [kind, setKind] = useState<"access" | "analytics" | null>(null);
  const [validUntil, setValidUntil] = useState("");
  const tokenId = useId();
  const kindId = useId();
  const validUntilId = useId();
  const configured = status.setup.client_configured;

  const submitPaste = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (kind === null) return;
    paste.mutate(
      { token: token.trim(), kind, valid_until: kind === "analytics" && validUntil ? validUntil : null },
      {
        onSuccess: () => {
          setToken("");
        },
      },
    );
  };

  return (
    <section className="panel" aria-labelledby="broker-actions">
      <h2 id="broker-actions" className="panel__title">
        Get a token
      </h2>
      <div className="broker-actions">
        <div className="broker-action">
          <h3 className="broker-action__title">Connect with Upstox</h3>
          <p>Log in at Upstox in this browser; you come back here with the result. Lasts until 03:30 IST.</p>
          {configured ? (
            <a className="button" href={apiUrl("/api/v1/broker/upstox/connect")}>
              Connect with Upstox
            </a>
          ) : (
            <p className="panel__meta">Needs the Upstox app to be configured (see Setup).</p>
          )}
        </div>
        <div className="broker-action">
          <h3 className="broker-action__title">Request a token on my phone</h3>
          <p>Upstox asks the account holder to approve on their phone; the token arrives here by itself.</p>
          <button
            type="button"
            className="button"
            disabled={!configured || request.isPending || status.renewal.waiting_for_approval}
            onClick={() => {
              request.mutate();
            }}
          >
            {status.renewal.waiting_for_approval
              ? "Waiting for approval…"
              : request.isPending
                ? "Requesting…"
                : "Request a token"}
          </button>
          {request.isError ? (
            <p className="form__error" role="alert">
              {describeError(request.error)}
            </p>
          ) : null}
        </div>
        <form className="broker-action" onSubmit={submitPaste}>
          <h3 className="broker-action__title">Paste a token</h3>
          <p>An analytics token (one year, read-only) means nothing is needed in the mornings.</p>
          <fieldset className="field broker-kind">
            <legend className="field__label">Which kind of token is it?</legend>
            <label className="broker-kind__option">
              <input
                type="radio"
                name={kindId}
                value="analytics"
                checked={kind === "analytics"}
                onChange={() => {
                  setKind("analytics");
                }}
              />
              <span>
                <strong>Analytics token</strong>: generated once on Upstox's developer apps page, read-only, valid a
                year.
              </span>
            </label>
            <label className="broker-kind__option">
              <input
                type="radio"
                name={kindId}
                value="access"
                checked={kind === "access"}
                onChange={() => {
                  setKind("access");
                }}
              />
              <span>
                <strong>Access token</strong>: the daily token from a login, valid until 03:30 IST the next day.
              </span>
            </label>
          </fieldset>
          {kind === "analytics" ? (
            <div className="field">
              <label className="field__label" htmlFor={validUntilId}>
                Valid until (only if the token does not say; Upstox's page shows it)
              </label>
              <input
                id={validUntilId}
                className="input"
                type="date"
                value={validUntil}
                onChange={(event) => {
                  setValidUntil(event.target.value);
                }}
              />
            </div>
          ) : null}
          <div className="field">
            <label className="field__label" htmlFor={tokenId}>
              Token
            </label>
            <input
              id={tokenId}
              className="input"
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              minLength={16}
              value={token}
              onChange={(event) => {
                setToken(event.target.value);
              }}
            />
          </div>
          <button
            type="submit"
            className="button"
            disabled={paste.isPending || kind === null || token.trim().length < 16}
          >
            {paste.isPending ? "Checking with Upstox…" : "Check and save"}
          </button>
          {paste.isError ? (
            <p className="form__error" role="alert">
              {describeError(paste.error)}
            </p>
          ) : null}
          {paste.isSuccess ? <p role="status">Saved: Upstox accepted the token.</p> : null}
        </form>
        <div className="broker-action">
          <h3 className="broker-action__title">Disconnect</h3>
          <p>Logs the token out at Upstox and deletes it here. Data stops until a new token is stored.</p>
          {confirming ? (
            <p className="actions">
              <button
                type="button"
                className="button button--danger"
                disabled={disconnect.isPending}
                onClick={() => {
                  disconnect.mutate(undefined, {
                    onSettled: () => {
                      setConfirming(false);
                    },
                  });
                }}
              >
                Yes, disconnect
              </button>
              <button
                type="button"
                className="button button--quiet"
                onClick={() => {
                  setConfirming(false);
                }}
              >
                Keep it
              </button>
            </p>
          ) : (
            <button
              type="button"
              className="button button--quiet"
              disabled={!status.connected}
              onClick={() => {
                setConfirming(true);
              }}
            >
              Disconnect…
            </button>
          )}
          {disconnect.isError ? (
            <p className="form__error" role="alert">
              {describeError(disconnect.error)}
            </p>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function Events({ events }: { events: readonly TokenEvent[] }) {
  return (
    <section className="panel" aria-labelledby="broker-events">
      <h2 id="broker-events" className="panel__title">
        Recent token events
      </h2>
      {events.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Recent token events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (IST)</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={`${event.at}-${event.action}`}>
                  <td className="num">{formatInstantIST(event.at)}</td>
                  <td className="table__name">{event.action.replace(/^broker\./, "")}</td>
                  <td>{event.actor}</td>
                  <td className="table__detail">{describeDetails(event.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** "kind: analytics, valid_until: …": the event's facts as text (they never hold a token). */
export function describeDetails(details: TokenEvent["details"]): string {
  if (!details) return "—";
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key.replaceAll("_", " ")}: ${describeValue(value)}`)
    .join(", ");
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function describeValue(value: unknown): string {
  if (typeof value === "string") return INSTANT.test(value) ? formatInstantIST(value) : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

// The consent screen (DPDP Act 2023): before anything else, a signed-in person who has not accepted the
// current privacy notice and terms reads what is kept and why, in a few lines, and agrees or signs out.
// Agreeing records the versions shown here; then the person goes on to the page they were going to.
import { Link, Navigate, useSearchParams } from "react-router";
import type { ConsentAnswer } from "@/api/types";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { describeError } from "@/lib/api-client";
import { useMe } from "@/api/get-me";
import { useConsent } from "../api/get-consent";
import { useGiveConsent } from "../api/give-consent";
import { useLogout } from "../api/logout";
import { safeNext, signInPath } from "./safe-next";
import "./consent.css";

const TITLE = "Your privacy";
const LEAD = "Before you start: what Market Edge keeps about you, why, and what you can do about it.";

export function ConsentPage() {
  const [search] = useSearchParams();
  const next = safeNext(search.get("next"));
  const me = useMe();

  if (me.isPending) {
    return (
      <Page title={TITLE} lead={LEAD}>
        <Skeleton label="Checking your session…" />
      </Page>
    );
  }
  if (me.isError && me.data === undefined) {
    return (
      <Page title={TITLE} lead={LEAD}>
        <ErrorNotice error={me.error} title="Could not check your session" onRetry={() => void me.refetch()} />
      </Page>
    );
  }
  if (!me.data) return <Navigate to={signInPath(next)} replace />;
  // Agreed (here or in another tab), or not asked on this deployment: on to where the person was going.
  if (!me.data.consent?.needed) return <Navigate to={next} replace />;
  return (
    <Page title={TITLE} lead={LEAD}>
      <ConsentForm />
    </Page>
  );
}

function ConsentForm() {
  const consent = useConsent();
  if (consent.isPending) return <Skeleton label="Loading the versions to accept…" lines={6} />;
  if (consent.isError) {
    return (
      <ErrorNotice
        error={consent.error}
        title="Could not load the privacy notice's version"
        onRetry={() => void consent.refetch()}
      />
    );
  }
  return <ConsentPanel answer={consent.data} />;
}

function ConsentPanel({ answer }: { answer: ConsentAnswer }) {
  const give = useGiveConsent();
  const logout = useLogout();
  const { privacy, terms } = answer.required;
  const versions = { privacy: privacy ?? "", terms: terms ?? "" };
  const renewed = Object.keys(answer.accepted).length > 0;

  return (
    <section className="panel consent" aria-labelledby="consent-title">
      <h2 id="consent-title" className="panel__title">
        {renewed ? "The privacy notice or the terms have changed" : "In short"}
      </h2>
      {renewed ? (
        <p>You accepted an earlier version. Read what changed in the full texts, then agree again to carry on.</p>
      ) : null}
      <ul className="consent__summary">
        <li>
          <strong>What is kept:</strong> your email address and role, a one-way hash of your password, your sign-ins
          (when, from which network address and browser), your API keys' names, and a log of what you change.
        </li>
        <li>
          <strong>Why:</strong> to let you in, keep your account safe and look into misuse. Nothing is sold, shared for
          advertising or tracked across other sites.
        </li>
        <li>
          <strong>How long:</strong> your account until you delete it; the security log at least one year.
        </li>
        <li>
          <strong>Your choices:</strong> download your data, withdraw this consent or delete your account at any time
          from the account menu. Withdrawing signs you out everywhere.
        </li>
      </ul>
      <p>
        Read the full <Link to="/legal/privacy">privacy notice</Link> (version {versions.privacy}) and the{" "}
        <Link to="/legal/terms">terms of use</Link> (version {versions.terms}).
      </p>
      {give.isError ? (
        <p className="form__error" role="alert">
          Could not record your consent: {describeError(give.error)}
        </p>
      ) : null}
      {logout.isError ? (
        <p className="form__error" role="alert">
          Could not sign out: {describeError(logout.error)}
        </p>
      ) : null}
      <p className="actions">
        <button
          type="button"
          className="button"
          disabled={give.isPending || logout.isPending}
          onClick={() => {
            give.mutate(versions);
          }}
        >
          {give.isPending ? "Recording…" : "I agree"}
        </button>
        <button
          type="button"
          className="button button--quiet"
          disabled={give.isPending || logout.isPending}
          onClick={() => {
            logout.mutate();
          }}
        >
          {logout.isPending ? "Signing out…" : "Sign out"}
        </button>
      </p>
      <p className="panel__meta">
        By choosing “I agree” you accept the privacy notice and the terms of use in the versions above; Market Edge
        records the versions and the time.
      </p>
    </section>
  );
}

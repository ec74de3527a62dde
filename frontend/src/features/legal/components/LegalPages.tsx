// The legal pages: the privacy notice, terms of use, disclaimer and accessibility statement exactly as the
// backend serves them (GET /api/v1/legal/{name}), with the version a person accepts when they consent.
import Markdown from "react-markdown";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { LEGAL_TITLES, useLegalDocument, type LegalName } from "../api/get-legal-document";
import { effectiveFrom, legalBody } from "../utils/legal-text";
import "./legal.css";

function LegalDocumentPage({ name }: { name: LegalName }) {
  const document = useLegalDocument(name);
  const found = document.data;
  // The heading is there from the first frame (focus moves to it after a navigation); the backend's title
  // replaces the known one once the text arrives.
  const title = found?.title ?? LEGAL_TITLES[name];
  if (!found) {
    return (
      <Page title={title}>
        {document.isError ? (
          <ErrorNotice
            error={document.error}
            title={`The ${title.toLowerCase()} could not be loaded`}
            onRetry={() => void document.refetch()}
          />
        ) : (
          <Skeleton label={`Loading the ${title.toLowerCase()}…`} lines={8} />
        )}
      </Page>
    );
  }
  const effective = effectiveFrom(found.version);
  return (
    <Page title={title}>
      <dl className="legal-version">
        <div>
          <dt>Version</dt>
          <dd>{found.version}</dd>
        </div>
        {effective ? (
          <div>
            <dt>Effective from</dt>
            <dd>
              <time dateTime={found.version}>{effective}</time>
            </dd>
          </div>
        ) : null}
      </dl>
      <article className="prose" aria-label={title}>
        {/* Markdown to React elements: raw HTML in the text is dropped, never injected. */}
        <Markdown skipHtml>{legalBody(found.markdown)}</Markdown>
      </article>
    </Page>
  );
}

export function PrivacyPage() {
  return <LegalDocumentPage name="privacy" />;
}

export function TermsPage() {
  return <LegalDocumentPage name="terms" />;
}

export function DisclaimerPage() {
  return <LegalDocumentPage name="disclaimer" />;
}

export function AccessibilityPage() {
  return <LegalDocumentPage name="accessibility" />;
}

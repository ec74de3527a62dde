// A readable error box: what went wrong, the details worth quoting, and a way to try again.
import type { ReactNode } from "react";
import { ApiError, describeError } from "@/lib/api-client";

interface ErrorNoticeProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  children?: ReactNode;
}

export function ErrorNotice({ error, title = "Something went wrong", onRetry, children }: ErrorNoticeProps) {
  const facts = error instanceof ApiError ? apiErrorFacts(error) : [];
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{title}</p>
      <p className="notice__message">{describeError(error)}</p>
      {facts.length > 0 ? (
        <dl className="notice__facts">
          {facts.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {children}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

function apiErrorFacts(error: ApiError): [string, string][] {
  const facts: [string, string][] = [];
  if (error.status !== 0) facts.push(["HTTP status", String(error.status)]);
  facts.push(["Code", error.code]);
  if (error.requestId) facts.push(["Request id", error.requestId]);
  return facts;
}

// The TanStack Query client and its defaults for Market Edge's read-only, minute-by-minute data.
import { QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api-client";

const MAX_RETRIES = 2;

/** Who is signed in: the auth feature owns the query, every other query may find the session gone. */
export const SESSION_QUERY_KEY = ["auth", "me"] as const;
/**
 * Set when a data query found the session gone (true), the person withdrew their consent ("withdrawn") or deleted
 * their account ("deleted"): the sign-in page then says why the session ended.
 */
export const SESSION_ENDED_KEY = ["auth", "ended"] as const;
export type SessionEnd = boolean | "withdrawn" | "deleted";

/** Retry what may pass on a second try (no answer, 5xx, 429); a 4xx will say the same again. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

/** A 401 from the backend: no session, or it ended (idle, signed out elsewhere, password changed). */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** A 403 because the current privacy notice is not accepted (a new version came out while the page was open). */
export function needsConsent(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 403) return false;
  const details = error.details;
  return (
    typeof details === "object" && details !== null && "reason" in details && details.reason === "consent_required"
  );
}

/** `retry: false` for tests: a failure shows at once. */
export function createQueryClient(options: { retry?: false } = {}): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // A data query answered 401: ask again who is signed in, so the sign-in guard can send the person to
        // the sign-in page with "your session ended" instead of leaving an error on every widget.
        if (isSignedOut(error) && query.queryKey[0] !== SESSION_QUERY_KEY[0]) {
          client.setQueryData(SESSION_ENDED_KEY, true);
          void client.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
        }
        // Consent needed: ask again who is signed in, and the guard shows the consent screen.
        if (needsConsent(error)) void client.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
      },
    }),
    defaultOptions: {
      queries: {
        retry: options.retry ?? shouldRetry,
        // Data moves once a minute; a few seconds of staleness saves duplicate requests on navigation.
        staleTime: 5_000,
      },
    },
  });
  return client;
}

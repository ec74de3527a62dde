// The TanStack Query client and its defaults for Market Edge's read-only, minute-by-minute data.
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api-client";

const MAX_RETRIES = 2;

/** Retry what may pass on a second try (no answer, 5xx, 429); a 4xx will say the same again. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        // Data moves once a minute; a few seconds of staleness saves duplicate requests on navigation.
        staleTime: 5_000,
      },
    },
  });
}

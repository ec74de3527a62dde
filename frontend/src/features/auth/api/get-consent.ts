// GET /api/v1/account/consent: the versions of the privacy notice and terms to accept now, and what was accepted.
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { ConsentAnswer } from "@/api/types";
import { apiFetch } from "@/lib/api-client";

// Not under "auth": signing in or out drops it with the rest of the previous person's answers.
export const CONSENT_QUERY_KEY = ["account", "consent"] as const;

export function getConsent(signal?: AbortSignal): Promise<ConsentAnswer> {
  return apiFetch<ConsentAnswer>("/api/v1/account/consent", { signal: signal ?? null });
}

export function consentQueryOptions() {
  return queryOptions({ queryKey: CONSENT_QUERY_KEY, queryFn: ({ signal }) => getConsent(signal), staleTime: 0 });
}

export function useConsent() {
  return useQuery(consentQueryOptions());
}

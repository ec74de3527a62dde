// GET /api/v1/auth/me: who is signed in; null when nobody is (401), which is an answer, not an error.
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { Me } from "./types";
import { apiFetch, rememberCsrfToken } from "@/lib/api-client";
import { isSignedOut, SESSION_QUERY_KEY } from "@/lib/query-client";

export async function getMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    const me = await apiFetch<Me>("/api/v1/auth/me", { signal: signal ?? null });
    rememberCsrfToken(me.csrf_token);
    return me;
  } catch (error) {
    if (isSignedOut(error)) {
      rememberCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function meQueryOptions() {
  return queryOptions({
    queryKey: SESSION_QUERY_KEY,
    queryFn: ({ signal }) => getMe(signal),
    // Checked again when the tab comes back into focus; a 401 from any data query also asks again.
    staleTime: 60_000,
  });
}

export function useMe() {
  return useQuery(meQueryOptions());
}

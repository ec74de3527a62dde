// POST /api/v1/auth/logout: ends this session (the CSRF header is added by apiFetch).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Me } from "@/api/types";
import { apiFetch, rememberCsrfToken } from "@/lib/api-client";
import { SESSION_QUERY_KEY } from "@/lib/query-client";

export async function logout(): Promise<void> {
  await apiFetch<undefined>("/api/v1/auth/logout", { method: "POST" });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSuccess: () => {
      rememberCsrfToken(null);
      // No market data of the session stays in memory.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
      queryClient.setQueryData<Me | null>(SESSION_QUERY_KEY, null);
    },
  });
}

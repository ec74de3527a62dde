// POST /api/v1/auth/login: the backend sets the httpOnly session cookie and answers the CSRF token (also a
// readable cookie on its own origin).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { LoginAnswer, LoginRequest, Me } from "@/api/types";
import { apiFetch, rememberCsrfToken } from "@/lib/api-client";
import { SESSION_ENDED_KEY, SESSION_QUERY_KEY } from "@/lib/query-client";

export function login(credentials: LoginRequest): Promise<LoginAnswer> {
  return apiFetch<LoginAnswer>("/api/v1/auth/login", { method: "POST", json: credentials });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (answer) => {
      rememberCsrfToken(answer.csrf_token);
      // Whatever an earlier person saw on this tab is dropped; then the new person is the session.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
      queryClient.setQueryData<Me | null>(SESSION_QUERY_KEY, answer);
      queryClient.setQueryData(SESSION_ENDED_KEY, false);
    },
  });
}

// DELETE /api/v1/account/consent: withdraws consent; the backend signs the person out everywhere.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Me } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { SESSION_ENDED_KEY, SESSION_QUERY_KEY, type SessionEnd } from "@/lib/query-client";

export async function withdrawConsent(): Promise<void> {
  await apiFetch<undefined>("/api/v1/account/consent", { method: "DELETE" });
}

export function useWithdrawConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: withdrawConsent,
    onSuccess: () => {
      // The sign-in page (reached by the guard of a data page, or by the menu) says why the session ended.
      queryClient.setQueryData<SessionEnd>(SESSION_ENDED_KEY, "withdrawn");
      // Signed out: nothing of the session stays in memory.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
      queryClient.setQueryData<Me | null>(SESSION_QUERY_KEY, null);
    },
  });
}

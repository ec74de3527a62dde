// DELETE /api/v1/account: deletes the person's account, confirmed with their password; the backend ends every
// session, revokes the API keys and clears the session cookies. A wrong password answers 400 (wrong_password),
// the last active admin 409 (last_admin); both keep the person signed in.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/api/schema";
import type { Me } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { SESSION_ENDED_KEY, SESSION_QUERY_KEY, type SessionEnd } from "@/lib/query-client";

export type AccountDelete = components["schemas"]["AccountDelete"];

export async function deleteAccount(body: AccountDelete): Promise<void> {
  await apiFetch<undefined>("/api/v1/account", { method: "DELETE", json: body });
}

export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      // The sign-in page (reached by the guard of a data page, or by the menu) says the account is gone.
      queryClient.setQueryData<SessionEnd>(SESSION_ENDED_KEY, "deleted");
      // Signed out: nothing of the session stays in memory.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
      queryClient.setQueryData<Me | null>(SESSION_QUERY_KEY, null);
    },
  });
}

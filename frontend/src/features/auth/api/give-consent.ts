// POST /api/v1/account/consent: accept the versions of the privacy notice and terms the person was shown.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ConsentAnswer, ConsentGive, Me } from "@/api/types";
import { ApiError, apiFetch } from "@/lib/api-client";
import { SESSION_QUERY_KEY } from "@/lib/query-client";
import { CONSENT_QUERY_KEY } from "./get-consent";

export function giveConsent(versions: ConsentGive): Promise<ConsentAnswer> {
  return apiFetch<ConsentAnswer>("/api/v1/account/consent", { method: "POST", json: versions });
}

export function useGiveConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: giveConsent,
    onSuccess: (answer) => {
      queryClient.setQueryData(CONSENT_QUERY_KEY, answer);
      // The guard reads the session's consent: mark it given now, and let the backend confirm it.
      queryClient.setQueryData<Me | null>(SESSION_QUERY_KEY, (me) =>
        me?.consent ? { ...me, consent: { ...me.consent, current: answer.current, needed: !answer.current } } : me,
      );
      void queryClient.invalidateQueries({ queryKey: SESSION_QUERY_KEY, exact: true });
    },
    onError: (error) => {
      // 409: a text changed while the screen was open; fetch the new versions so the next agreement is to them.
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: CONSENT_QUERY_KEY });
      }
    },
  });
}

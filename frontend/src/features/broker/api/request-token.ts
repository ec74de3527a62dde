// POST /api/v1/broker/upstox/request: the v3 token request; the account holder approves it on their phone.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TokenRequestAnswer } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { BROKER_STATUS_KEY } from "@/api/get-broker-status";

export function requestToken(): Promise<TokenRequestAnswer> {
  return apiFetch<TokenRequestAnswer>("/api/v1/broker/upstox/request", { method: "POST" });
}

export function useRequestToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: requestToken,
    onSettled: () => queryClient.invalidateQueries({ queryKey: BROKER_STATUS_KEY }),
  });
}

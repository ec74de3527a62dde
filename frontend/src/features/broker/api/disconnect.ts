// DELETE /api/v1/broker/upstox: log out at Upstox and delete the stored token.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { DisconnectAnswer } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { BROKER_STATUS_KEY } from "@/api/get-broker-status";

export function disconnect(): Promise<DisconnectAnswer> {
  return apiFetch<DisconnectAnswer>("/api/v1/broker/upstox", { method: "DELETE" });
}

export function useDisconnect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: disconnect,
    onSettled: () => queryClient.invalidateQueries({ queryKey: BROKER_STATUS_KEY }),
  });
}

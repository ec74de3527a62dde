// POST /api/v1/broker/upstox/token: store a pasted token after Upstox has validated it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TokenPaste, TokenRead } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { BROKER_STATUS_KEY } from "@/api/get-broker-status";

export function pasteToken(body: TokenPaste): Promise<TokenRead> {
  return apiFetch<TokenRead>("/api/v1/broker/upstox/token", { method: "POST", json: body });
}

export function usePasteToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: pasteToken,
    onSettled: () => queryClient.invalidateQueries({ queryKey: BROKER_STATUS_KEY }),
  });
}

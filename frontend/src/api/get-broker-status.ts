// GET /api/v1/broker/upstox/status (admins): the token's kind, user, validity, renewal, recent events; never
// the token itself. Polled every few seconds while a phone approval is awaited.
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { BrokerStatus } from "./types";
import { apiFetch } from "@/lib/api-client";

export const BROKER_STATUS_KEY = ["broker", "upstox", "status"] as const;
const WAITING_POLL_MS = 4_000;

export function getBrokerStatus(signal?: AbortSignal): Promise<BrokerStatus> {
  return apiFetch<BrokerStatus>("/api/v1/broker/upstox/status", { signal: signal ?? null });
}

export function brokerStatusQueryOptions() {
  return queryOptions({
    queryKey: BROKER_STATUS_KEY,
    queryFn: ({ signal }) => getBrokerStatus(signal),
    refetchInterval: (query) => (query.state.data?.renewal.waiting_for_approval ? WAITING_POLL_MS : 60_000),
  });
}

export function useBrokerStatus(enabled = true) {
  return useQuery({ ...brokerStatusQueryOptions(), enabled });
}

// GET /health/ready: whether the backend can serve, check by check.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-client";

// Written by hand until the backend publishes its OpenAPI; then these come from the generated types.
export type CheckStatus = "ok" | "warn" | "fail";

export interface HealthCheck {
  status: CheckStatus;
  detail: string;
}

export interface HealthReport {
  status: "ok" | "fail";
  checks: Record<string, HealthCheck>;
}

const CHECK_STATUSES: readonly string[] = ["ok", "warn", "fail"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the answer's shape, so a surprise shows as a readable error rather than a blank table. */
export function parseHealthReport(body: unknown): HealthReport {
  if (!isRecord(body) || (body.status !== "ok" && body.status !== "fail") || !isRecord(body.checks)) {
    throw new Error('expected {"status": "ok" | "fail", "checks": {...}}');
  }
  const checks: Record<string, HealthCheck> = {};
  for (const [name, check] of Object.entries(body.checks)) {
    if (!isRecord(check) || typeof check.status !== "string" || !CHECK_STATUSES.includes(check.status)) {
      throw new Error(`check "${name}" has no status ok, warn or fail`);
    }
    checks[name] = {
      status: check.status as CheckStatus,
      detail: typeof check.detail === "string" ? check.detail : "",
    };
  }
  return { status: body.status, checks };
}

export function getHealthReady(signal?: AbortSignal): Promise<HealthReport> {
  // 503 carries the same report as 200: it says which check failed, which is what the page is for.
  return apiFetch("/health/ready", { signal: signal ?? null, acceptStatuses: [503], parse: parseHealthReport });
}

/** Checked again every 30 s while the page is open. */
export const HEALTH_READY_REFETCH_MS = 30_000;

export function healthReadyQueryOptions() {
  return queryOptions({
    queryKey: ["health", "ready"],
    queryFn: ({ signal }) => getHealthReady(signal),
    refetchInterval: HEALTH_READY_REFETCH_MS,
  });
}

export function useHealthReady() {
  return useQuery(healthReadyQueryOptions());
}

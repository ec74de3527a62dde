// GET /api/v1/legal/{name}: one legal text as the backend serves it (title, version, Markdown), public.
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { LegalDocument } from "@/api/types";
import { apiFetch } from "@/lib/api-client";

/** The documents the backend serves (auth/legal.py DOCUMENTS), with their titles for the heading while loading. */
export const LEGAL_TITLES = {
  privacy: "Privacy notice",
  terms: "Terms of use",
  disclaimer: "Disclaimer",
  accessibility: "Accessibility statement",
} as const;

export type LegalName = keyof typeof LEGAL_TITLES;

export function getLegalDocument(name: LegalName, signal?: AbortSignal): Promise<LegalDocument> {
  return apiFetch<LegalDocument>(`/api/v1/legal/${name}`, { signal: signal ?? null });
}

export function legalDocumentQueryOptions(name: LegalName) {
  return queryOptions({
    queryKey: ["legal", name],
    queryFn: ({ signal }) => getLegalDocument(name, signal),
    // The backend lets caches keep it five minutes; a new version comes with a deploy.
    staleTime: 5 * 60_000,
  });
}

export function useLegalDocument(name: LegalName) {
  return useQuery(legalDocumentQueryOptions(name));
}

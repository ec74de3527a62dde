// GET /api/v1/account/export: everything Market Edge keeps about the person, saved as a JSON file.
import { useMutation } from "@tanstack/react-query";
import type { AccountExport } from "@/api/types";
import { apiFetch } from "@/lib/api-client";
import { downloadText } from "@/lib/download";

export const EXPORT_FILE_NAME = "market-edge-account.json";

export function exportAccount(): Promise<AccountExport> {
  return apiFetch<AccountExport>("/api/v1/account/export");
}

export function useExportAccount() {
  return useMutation({
    mutationFn: exportAccount,
    onSuccess: (data) => {
      downloadText(EXPORT_FILE_NAME, `${JSON.stringify(data, null, 2)}\n`, "application/json");
    },
  });
}

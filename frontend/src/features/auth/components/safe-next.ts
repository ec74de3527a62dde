import type { SessionEnd } from "@/lib/query-client";

// Where to go after signing in (or agreeing to the privacy notice): only a path on this site, so a crafted link cannot send someone elsewhere.
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/login") || next.startsWith("/consent")) return "/";
  return next;
}

/** The consent screen's address, coming back to `path` once the person agrees. */
export function consentPath(path: string): string {
  return `/consent?${new URLSearchParams({ next: safeNext(path) }).toString()}`;
}

/**
 * The sign-in address that comes back to `path` afterwards; `reason` says why the session ended: on its own
 * ("expired"), because the person withdrew their consent ("withdrawn") or deleted their account ("deleted").
 */
export function signInPath(path: string, reason: SessionEnd = false): string {
  const search = new URLSearchParams({ next: path });
  if (reason === true) search.set("reason", "expired");
  else if (reason) search.set("reason", reason);
  return `/login?${search.toString()}`;
}

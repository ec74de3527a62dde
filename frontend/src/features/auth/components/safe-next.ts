// Where to go after signing in: only a path on this site, so a crafted link cannot send someone elsewhere.
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/login")) return "/";
  return next;
}

/** The sign-in address that comes back to `path` afterwards; `expired` says the session ended on its own. */
export function signInPath(path: string, expired = false): string {
  const search = new URLSearchParams({ next: path });
  if (expired) search.set("reason", "expired");
  return `/login?${search.toString()}`;
}

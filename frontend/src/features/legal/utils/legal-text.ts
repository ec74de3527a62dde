// What the legal pages make of a document the backend serves: the body to render and the date it applies from.
import { MONTH_LONG } from "@/lib/format";

const TITLE_LINE = /^# .*$/;
const VERSION_LINE = /^Version: \S+$/;

/**
 * The Markdown below the document's own title and `Version:` line, which the page shows in its heading and
 * header from the same answer (so they are not said twice). Anything else is kept word for word; a text that
 * does not open that way is returned whole.
 */
export function legalBody(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let at = skipBlank(lines, 0);
  if (TITLE_LINE.test(lines[at] ?? "")) at = skipBlank(lines, at + 1);
  if (VERSION_LINE.test(lines[at] ?? "")) at = skipBlank(lines, at + 1);
  return lines.slice(at).join("\n");
}

function skipBlank(lines: string[], from: number): number {
  let at = from;
  while (at < lines.length && (lines[at] ?? "").trim() === "") at += 1;
  return at;
}

/**
 * "25 November 2026" for the version "2026-11-25": the notices are versioned by the date their text takes
 * effect (auth/notices/*.md). Null for a version that is not a calendar date, which the page then shows alone.
 */
export function effectiveFrom(version: string): string | null {
  const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(version);
  if (!found) return null;
  const [year, month, day] = [Number(found[1]), Number(found[2]), Number(found[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(day)} ${MONTH_LONG[month - 1] ?? ""} ${String(year)}`;
}

// A short state word with a mark, e.g. "Live", "Delayed · 4 min", "Market closed".
import type { ReactNode } from "react";

export type BadgeTone = "live" | "warn" | "neutral" | "fail";

export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge--${tone}`} title={title}>
      {children}
    </span>
  );
}

// While the server wakes up (a free host sleeps after 15 idle minutes; waking takes up to a minute), the page
// says so with a progress bar and asks again by itself, instead of showing an error or nothing.
import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "@/lib/api-client";

/** How often the page asks again while the server wakes. */
export const WAKE_RETRY_MS = 3_000;
/** After this long, the page stops saying "waking" and shows the error itself. */
export const WAKE_GIVE_UP_MS = 120_000;

/** No answer, a gateway's answer, or the server's own "starting": the server is (most likely) waking up. */
export function isWakingUp(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || [502, 503, 504].includes(error.status) || error.code === "starting";
}

interface WakingUpProps {
  /** Asks the server again. */
  retry: () => unknown;
  /** Shown instead once WAKE_GIVE_UP_MS have passed without an answer (the error itself). */
  fallback: ReactNode;
}

export function WakingUp({ retry, fallback }: WakingUpProps) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const since = Date.now();
    const timer = window.setInterval(() => {
      const elapsed = Date.now() - since;
      setSeconds(Math.round(elapsed / 1000));
      if (elapsed < WAKE_GIVE_UP_MS) retry();
    }, WAKE_RETRY_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [retry]);
  if (seconds * 1000 >= WAKE_GIVE_UP_MS) return fallback;
  return (
    <section className="panel waking" role="status" aria-live="polite">
      <h1 className="panel__title">Waking the server up…</h1>
      <p>
        Market Edge's server sleeps when nobody has used it for a while; it takes up to a minute to wake. This page asks
        again by itself.
      </p>
      <progress aria-label="Waking the server up" />
      <p className="panel__meta">{seconds} s so far.</p>
    </section>
  );
}

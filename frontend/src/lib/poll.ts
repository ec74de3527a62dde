// When the UI asks the server again: once a minute just after the new minute is stored, or rarely, always at a
// random moment of the person's own, so that 1000 open pages never hit the server in the same second.
import { useEffect, useRef } from "react";

/** The new minute is stored 3–10 s after the minute turns; a poll lands 5–25 s past it (docs/scaling.md). */
export const POLL_AFTER_TURN_MIN_MS = 5_000;
export const POLL_AFTER_TURN_MAX_MS = 25_000;
/** The slowest refresh of lists and the market's state: five minutes plus up to one more. */
export const RARE_REFRESH_MS = 5 * 60_000;
export const RARE_JITTER_MS = 60_000;
/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export type Random = () => number;

/**
 * Milliseconds from `nowMs` to a random moment 5–25 s past the next minute turn (on a clock `offsetMs` ahead).
 * Always the next turn, never this minute's: a poll that just ran cannot be followed by another in its minute.
 */
export function msToMinutePoll(nowMs: number, offsetMs = 0, random: Random = Math.random): number {
  const clock = nowMs + offsetMs;
  const nextTurn = Math.floor(clock / 60_000) * 60_000 + 60_000;
  const after = POLL_AFTER_TURN_MIN_MS + random() * (POLL_AFTER_TURN_MAX_MS - POLL_AFTER_TURN_MIN_MS);
  return Math.round(nextTurn + after - clock);
}

/** Five to six minutes, a different length each time. */
export function rareRefreshMs(random: Random = Math.random): number {
  return RARE_REFRESH_MS + Math.round(random() * RARE_JITTER_MS);
}

/** A delay that setTimeout accepts (never negative, never past its limit). */
export function clampDelay(ms: number): number {
  return Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.round(ms)));
}

/**
 * While `on`, calls `poll` once a minute at a random second 5–25 s past the minute turn (a new second each
 * time). `offsetMs` moves the clock to the server's (a demo replays a day on a shifted clock).
 */
export function useMinutePoll(on: boolean, poll: () => void, offsetMs = 0): void {
  const latest = useRef(poll);
  useEffect(() => {
    latest.current = poll;
  });
  useEffect(() => {
    if (!on) return;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      timer = setTimeout(
        () => {
          latest.current();
          schedule();
        },
        msToMinutePoll(Date.now(), offsetMs),
      );
    };
    schedule();
    return () => {
      clearTimeout(timer);
    };
  }, [on, offsetMs]);
}

// Calendar arithmetic on plain dates ("2026-11-25"): trading days are dates, not instants, so no time zone.
import { MONTH_LONG, WEEKDAY_LONG } from "./format";

export function parseDay(day: string): { year: number; month: number; date: number } {
  const [year = 1970, month = 1, date = 1] = day.split("-").map(Number);
  return { year, month, date };
}

export function toDay(year: number, month: number, date: number): string {
  const utc = new Date(Date.UTC(year, month - 1, date));
  return utc.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const { year, month, date } = parseDay(day);
  return toDay(year, month, date + days);
}

/** The same day of the month `months` away, clamped to that month's last day. */
export function addMonths(day: string, months: number): string {
  const { year, month, date } = parseDay(day);
  const last = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return toDay(year, month + months, Math.min(date, last));
}

/** "2026-11" */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** Monday-first weeks covering the month of `day`: each week seven dates, null outside the month. */
export function monthWeeks(day: string): (string | null)[][] {
  const { year, month } = parseDay(day);
  const first = new Date(Date.UTC(year, month - 1, 1));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // Monday = 0
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let date = 1; date <= daysInMonth; date += 1) cells.push(toDay(year, month, date));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let index = 0; index < cells.length; index += 7) weeks.push(cells.slice(index, index + 7));
  return weeks;
}

/** "November 2026" */
export function formatMonth(day: string): string {
  const { year, month } = parseDay(day);
  return `${MONTH_LONG[month - 1] ?? ""} ${String(year)}`;
}

/** "Wednesday 25 November 2026" */
export function formatLongDay(day: string): string {
  const { year, month, date } = parseDay(day);
  const weekday = new Date(Date.UTC(year, month - 1, date)).getUTCDay();
  return `${WEEKDAY_LONG[weekday] ?? ""} ${String(date)} ${MONTH_LONG[month - 1] ?? ""} ${String(year)}`;
}

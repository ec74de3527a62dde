// Index, date and expiry: the same three fields on the tracker and the chain. The date calendar offers only
// days with data, and the expiry list only the expiries stored on that day.
import { useId } from "react";
import type { Instrument, TradingSession } from "@/api/types";
import { formatDayShort } from "@/lib/format";
import { DatePicker } from "./DatePicker";

export interface MarketChoice {
  instrument: string;
  date: string;
  expiry: string;
}

interface MarketSelectProps {
  instruments: readonly Instrument[];
  sessions: readonly TradingSession[] | undefined;
  value: Partial<MarketChoice>;
  onChange: (change: Partial<MarketChoice>) => void;
}

/** The expiries stored on a day, nearest first. */
export function expiriesOn(sessions: readonly TradingSession[] | undefined, date: string | undefined): string[] {
  const session = sessions?.find((item) => item.date === date);
  return session ? session.expiries.map((item) => item.expiry).sort() : [];
}

/**
 * Fills what the address leaves open (the first index, its latest day, that day's nearest expiry) and
 * replaces what is no longer valid (an expiry not stored on the chosen day). Null until the lists are known.
 */
export function resolveMarket(
  instruments: readonly Instrument[] | undefined,
  sessions: readonly TradingSession[] | undefined,
  wanted: Partial<MarketChoice>,
): MarketChoice | null {
  const instrument = instruments?.find((item) => item.symbol === wanted.instrument)?.symbol ?? instruments?.[0]?.symbol;
  if (!instrument || !sessions) return null;
  const date = wanted.date ?? sessions[0]?.date;
  if (!date) return null;
  const expiries = expiriesOn(sessions, date);
  // A day without data is kept as asked: the page then says so, with a way to the days that have data.
  const expiry =
    wanted.expiry && (expiries.length === 0 || expiries.includes(wanted.expiry)) ? wanted.expiry : expiries[0];
  if (!expiry) return { instrument, date, expiry: wanted.expiry ?? "" };
  return { instrument, date, expiry };
}

export function MarketSelect({ instruments, sessions, value, onChange }: MarketSelectProps) {
  const instrumentId = useId();
  const expiryId = useId();
  const dates = sessions?.map((session) => session.date) ?? [];
  const expiries = expiriesOn(sessions, value.date);

  return (
    <>
      <div className="field">
        <label className="field__label" htmlFor={instrumentId}>
          Index
        </label>
        <select
          id={instrumentId}
          className="input"
          value={value.instrument ?? ""}
          onChange={(event) => {
            // Another index has other days and expiries: start from its latest day.
            onChange({ instrument: event.target.value, date: undefined, expiry: undefined });
          }}
        >
          {instruments.map((item) => (
            <option key={item.symbol} value={item.symbol}>
              {item.symbol}
            </option>
          ))}
        </select>
      </div>
      <DatePicker
        label="Date"
        value={value.date}
        available={dates}
        disabled={!sessions}
        onChange={(date) => {
          const stillValid = expiriesOn(sessions, date).includes(value.expiry ?? "");
          onChange({ date, expiry: stillValid ? value.expiry : undefined });
        }}
      />
      <div className="field">
        <label className="field__label" htmlFor={expiryId}>
          Expiry
        </label>
        <select
          id={expiryId}
          className="input"
          value={value.expiry ?? ""}
          disabled={expiries.length === 0}
          onChange={(event) => {
            onChange({ expiry: event.target.value });
          }}
        >
          {expiries.length === 0 ? <option value="">No expiry stored that day</option> : null}
          {expiries.map((expiry) => (
            <option key={expiry} value={expiry}>
              {formatDayShort(expiry)} {expiry.slice(0, 4)}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

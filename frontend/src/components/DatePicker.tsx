// A date field whose calendar offers only the days with data: other days are shown but cannot be picked.
// Keyboard: arrows move by day and week, Page Up/Down by month, Home/End to the week's ends, Enter picks,
// Escape closes and returns to the field.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { addDays, addMonths, formatLongDay, formatMonth, monthOf, monthWeeks, parseDay } from "@/lib/calendar";
import { formatDay } from "@/lib/format";

interface DatePickerProps {
  label: string;
  /** The day shown (YYYY-MM-DD); undefined while unknown. */
  value: string | undefined;
  /** Days that can be picked. */
  available: readonly string[];
  onChange: (day: string) => void;
  disabled?: boolean;
}

const WEEKDAYS = [
  ["Mo", "Monday"],
  ["Tu", "Tuesday"],
  ["We", "Wednesday"],
  ["Th", "Thursday"],
  ["Fr", "Friday"],
  ["Sa", "Saturday"],
  ["Su", "Sunday"],
] as const;

export function DatePicker({ label, value, available, onChange, disabled = false }: DatePickerProps) {
  const [open, setOpen] = useState(false);
  const labelId = useId();
  const buttonId = useId();
  const dialogId = useId();
  const trigger = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const sorted = useMemo(() => [...available].sort(), [available]);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", closeOutside);
    return () => {
      document.removeEventListener("mousedown", closeOutside);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };

  return (
    <div className="field date-picker" ref={root}>
      <span className="field__label" id={labelId}>
        {label}
      </span>
      <button
        ref={trigger}
        id={buttonId}
        type="button"
        className="input date-picker__button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? dialogId : undefined}
        aria-labelledby={`${labelId} ${buttonId}`}
        disabled={disabled || sorted.length === 0}
        onClick={() => {
          setOpen((isOpen) => !isOpen);
        }}
      >
        {value ? formatDay(value) : "Choose a date"}
        <svg className="date-picker__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <rect x="1.5" y="2.5" width="13" height="12" rx="1.5" />
          <path d="M1.5 6h13M5 1v3M11 1v3" />
        </svg>
      </button>
      {open ? (
        <CalendarDialog
          id={dialogId}
          label={label}
          value={value}
          available={sorted}
          onPick={(day) => {
            onChange(day);
            close();
          }}
          onClose={close}
        />
      ) : null}
    </div>
  );
}

interface CalendarDialogProps {
  id: string;
  label: string;
  value: string | undefined;
  available: readonly string[];
  onPick: (day: string) => void;
  onClose: () => void;
}

function CalendarDialog({ id, label, value, available, onPick, onClose }: CalendarDialogProps) {
  const availableSet = useMemo(() => new Set(available), [available]);
  const first = available[0] ?? value ?? "1970-01-01";
  const last = available[available.length - 1] ?? value ?? "1970-01-01";
  const [focused, setFocused] = useState(() => value ?? last);
  const monthId = useId();
  const grid = useRef<HTMLTableElement>(null);

  // Keep keyboard focus on the focused day as it moves (and on open).
  useEffect(() => {
    grid.current?.querySelector<HTMLButtonElement>(`[data-day="${focused}"]`)?.focus();
  }, [focused]);

  useEffect(() => {
    const onEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("keydown", onEscape);
    };
  }, [onClose]);

  const month = monthOf(focused);
  const weeks = monthWeeks(focused);
  const hasPrevious = monthOf(first) < month;
  const hasNext = monthOf(last) > month;

  const move = (day: string) => {
    // Never past the months that have data.
    if (monthOf(day) < monthOf(first)) day = first;
    if (monthOf(day) > monthOf(last)) day = last;
    setFocused(day);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const weekday = (new Date(`${focused}T00:00:00Z`).getUTCDay() + 6) % 7;
    const moves: Record<string, () => string> = {
      ArrowLeft: () => addDays(focused, -1),
      ArrowRight: () => addDays(focused, 1),
      ArrowUp: () => addDays(focused, -7),
      ArrowDown: () => addDays(focused, 7),
      PageUp: () => addMonths(focused, -1),
      PageDown: () => addMonths(focused, 1),
      Home: () => addDays(focused, -weekday),
      End: () => addDays(focused, 6 - weekday),
    };
    const next = moves[event.key];
    if (next) {
      event.preventDefault();
      move(next());
    }
  };

  return (
    <div id={id} className="date-picker__popup" role="dialog" aria-label={`${label}: days with data can be picked`}>
      <div className="date-picker__head">
        <button
          type="button"
          className="icon-button"
          aria-label="Previous month"
          disabled={!hasPrevious}
          onClick={() => {
            move(addMonths(focused, -1));
          }}
        >
          ‹
        </button>
        <p id={monthId} className="date-picker__month" aria-live="polite">
          {formatMonth(focused)}
        </p>
        <button
          type="button"
          className="icon-button"
          aria-label="Next month"
          disabled={!hasNext}
          onClick={() => {
            move(addMonths(focused, 1));
          }}
        >
          ›
        </button>
      </div>
      <table ref={grid} className="date-picker__grid" aria-labelledby={monthId}>
        <thead>
          <tr>
            {WEEKDAYS.map(([short, long]) => (
              <th key={short} scope="col" abbr={long}>
                {short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.find((day) => day !== null) ?? month}>
              {week.map((day, index) => {
                if (day === null) return <td key={`empty-${String(index)}`} />;
                const hasData = availableSet.has(day);
                const selected = day === value;
                return (
                  <td key={day}>
                    <button
                      type="button"
                      data-day={day}
                      className="date-picker__day"
                      tabIndex={day === focused ? 0 : -1}
                      aria-disabled={!hasData}
                      aria-pressed={selected}
                      aria-label={`${formatLongDay(day)}${hasData ? "" : ", no data"}`}
                      onKeyDown={onKeyDown}
                      onClick={() => {
                        if (hasData) onPick(day);
                        else setFocused(day);
                      }}
                    >
                      {parseDay(day).date}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="date-picker__hint">
        {available.length === 1
          ? "Data is stored for one day."
          : `Data is stored for ${String(available.length)} days; the others cannot be picked.`}
      </p>
    </div>
  );
}

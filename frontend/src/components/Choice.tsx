// Small groups of choices, as native radios and checkboxes inside a fieldset (keyboard and screen readers
// get them for free), drawn as segmented buttons or chips.
import { useId, type ReactNode } from "react";

interface Option<T extends string> {
  value: T;
  label: ReactNode;
  /** Read after the label by screen readers, and shown as a tooltip. */
  hint?: string;
}

interface SegmentedProps<T extends string> {
  legend: string;
  options: readonly Option<T>[];
  value: T;
  onChange: (value: T) => void;
  /** Hides the legend visually (it stays for screen readers) where the context names the group. */
  hideLegend?: boolean;
}

/** One of a few: radios drawn as a segmented control. */
export function Segmented<T extends string>({
  legend,
  options,
  value,
  onChange,
  hideLegend = false,
}: SegmentedProps<T>) {
  const name = useId();
  return (
    <fieldset className="choice">
      <legend className={hideLegend ? "visually-hidden" : "field__label"}>{legend}</legend>
      <div className="segmented">
        {options.map((option) => (
          <label key={option.value} className="segmented__option" title={option.hint}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={option.value === value}
              onChange={() => {
                onChange(option.value);
              }}
            />
            <span>{option.label}</span>
            {option.hint ? <span className="visually-hidden">: {option.hint}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

interface ChipsProps<T extends string> {
  legend: string;
  options: readonly Option<T>[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  /** At least this many stay picked (the last one cannot be unticked). */
  min?: number;
}

/** Any of a few: checkboxes drawn as chips. */
export function Chips<T extends string>({ legend, options, value, onChange, min = 1 }: ChipsProps<T>) {
  return (
    <fieldset className="choice">
      <legend className="field__label">{legend}</legend>
      <div className="chips">
        {options.map((option) => {
          const checked = value.includes(option.value);
          return (
            <label key={option.value} className="chip" title={option.hint}>
              <input
                type="checkbox"
                checked={checked}
                disabled={checked && value.length <= min}
                onChange={() => {
                  const next = checked ? value.filter((item) => item !== option.value) : [...value, option.value];
                  // Keep the options' order, whatever the order of clicks.
                  onChange(options.map((item) => item.value).filter((item) => next.includes(item)));
                }}
              />
              <span>{option.label}</span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

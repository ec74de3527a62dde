// A change as text: "+1.25" or "−0.40", coloured up/down; the sign carries the meaning, the colour repeats it.
import { direction, formatSigned } from "@/lib/format";

export function SignedNumber({
  value,
  decimals = 2,
  suffix = "",
}: {
  value: number | null | undefined;
  decimals?: number;
  suffix?: string;
}) {
  const way = direction(value, decimals);
  const text = formatSigned(value, decimals);
  if (way === null) return <span className="num num--gap">{text}</span>;
  return (
    <span className={`num num--${way}`}>
      {text}
      {suffix}
    </span>
  );
}

// A minute-by-minute chart over uPlot (small and fast: a full day of several series draws in a few ms).
// Colours come from the design tokens, read from CSS at draw time, so both themes hold; times are IST.
// uPlot sets element sizes through element.style (CSSOM), which the Content-Security-Policy allows.
import { useEffect, useLayoutEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatMinuteIST, formatTicks, IST_TIME_ZONE } from "@/lib/format";
import { useTheme } from "@/lib/theme";

export type ChartColor = "ce" | "pe" | "net" | "spot" | "up" | "down";

export interface ChartLine {
  label: string;
  color: ChartColor;
  /** "y": the main scale (left axis); "spot": its own scale (right axis); "bars": a strip along the bottom. */
  scale: "y" | "spot" | "bars";
  style: "line" | "dashed" | "bars";
}

export type ChartData = [number[], ...(number | null)[][]];

interface TimeChartProps {
  /** The chart's accessible name and the text alternative (what it shows, and its latest values). */
  label: string;
  description: string;
  data: ChartData;
  lines: readonly ChartLine[];
  /** Axis labels; by default as many decimals as the tick spacing needs. */
  formatTicks?: (ticks: number[]) => string[];
  /** Charts with the same key share the crosshair. */
  syncKey?: string;
  height?: number;
  /** The row under the crosshair (null when it leaves the chart). */
  onCursor?: (row: number | null) => void;
}

const CHART_COLORS: readonly (ChartColor | "axis" | "grid")[] = [
  "ce",
  "pe",
  "net",
  "spot",
  "up",
  "down",
  "axis",
  "grid",
];

type Palette = Record<ChartColor | "axis" | "grid", string>;
const palettes = new Map<string, Palette>();

/** The tokens' colours in the theme on screen, read once per theme (reading styles forces a layout). */
function readPalette(host: HTMLElement, theme: string): Palette {
  const known = palettes.get(theme);
  if (known) return known;
  // One fresh element per colour: changing one element's class would start a colour transition (the reduced-
  // motion rule gives every property a tiny one) and the read would return the previous colour.
  const palette = {} as Palette;
  const probes = CHART_COLORS.map((name) => {
    const probe = document.createElement("span");
    probe.className = `chart-color chart-color--${name}`;
    host.appendChild(probe);
    return [name, probe] as const;
  });
  for (const [name, probe] of probes) {
    palette[name] = getComputedStyle(probe).color || "#888";
    probe.remove();
  }
  palettes.set(theme, palette);
  return palette;
}

function barsRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  // Bars sit in the bottom fifth of the plot, around their own zero, under the lines.
  const extent = Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0)) || 1;
  return [-extent * 1.1, extent * 4];
}

/** A short font list: the canvas parses it on every axis label, and a long one costs milliseconds per chart. */
const AXIS_FONT = "11px system-ui, sans-serif";

function buildOptions(
  host: HTMLElement,
  theme: string,
  props: TimeChartProps,
  width: number,
  onCursor: (row: number | null) => void,
): uPlot.Options {
  const palette = readPalette(host, theme);
  const font = AXIS_FONT;
  const hasSpot = props.lines.some((line) => line.scale === "spot");
  const axisBase = {
    stroke: palette.axis,
    font,
    ticks: { stroke: palette.grid, width: 1, size: 4 },
    grid: { stroke: palette.grid, width: 1 },
  };
  const axes: uPlot.Axis[] = [
    {
      ...axisBase,
      space: 60,
      values: (_u, splits) => splits.map((split) => formatMinuteIST(split * 1000)),
    },
    {
      ...axisBase,
      scale: "y",
      size: 64,
      values: (_u, splits) => (props.formatTicks ?? formatTicks)(splits),
    },
  ];
  if (hasSpot) {
    axes.push({
      ...axisBase,
      scale: "spot",
      // uPlot's Side is a const enum, out of reach with isolated modules: 1 is its Right.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      side: 1,
      size: 64,
      stroke: palette.spot,
      grid: { show: false },
      values: (_u, splits) => formatTicks(splits),
    });
  }
  return {
    width,
    height: props.height ?? 180,
    legend: { show: false },
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), IST_TIME_ZONE),
    cursor: {
      sync: props.syncKey ? { key: props.syncKey } : undefined,
      drag: { x: false, y: false, setScale: false },
      points: { size: 6 },
    },
    scales: {
      x: { time: true },
      y: { auto: true },
      spot: { auto: true },
      bars: { auto: true, range: barsRange },
    },
    axes,
    series: [
      {},
      ...props.lines.map((line): uPlot.Series => {
        const colour = palette[line.color];
        if (line.style === "bars") {
          return {
            label: line.label,
            scale: "bars",
            stroke: colour,
            fill: colour,
            width: 0,
            paths: uPlot.paths.bars?.({ size: [0.7, 6], gap: 1 }),
            points: { show: false },
          };
        }
        return {
          label: line.label,
          scale: line.scale,
          stroke: colour,
          width: line.style === "dashed" ? 1 : 1.75,
          dash: line.style === "dashed" ? [4, 3] : undefined,
          spanGaps: false,
          points: { show: false },
        };
      }),
    ],
    hooks: {
      setCursor: [
        (u) => {
          onCursor(u.cursor.idx ?? null);
        },
      ],
      drawAxes: [
        (u) => {
          // The zero line of the change scale: where "no change since the baseline" is.
          const y = u.valToPos(0, "y", true);
          if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
          const context = u.ctx;
          context.save();
          context.strokeStyle = palette.axis;
          context.lineWidth = 1;
          context.beginPath();
          context.moveTo(u.bbox.left, Math.round(y) + 0.5);
          context.lineTo(u.bbox.left + u.bbox.width, Math.round(y) + 0.5);
          context.stroke();
          context.restore();
        },
      ],
    },
  };
}

export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onCursor = useRef(props.onCursor);
  const { theme } = useTheme();
  const { data, lines, label, description } = props;
  const latestProps = useRef(props);

  useEffect(() => {
    onCursor.current = props.onCursor;
    latestProps.current = props;
  });

  // Widths are read in the layout phase, where every chart of a page reads them from one layout; read after a
  // previous chart was inserted, each read would force the browser to lay the whole page out again.
  const width = useRef(0);
  useLayoutEffect(() => {
    width.current = host.current?.clientWidth ?? 0;
  });

  // Built again when the theme or the set of lines changes; new data alone is handed to the same chart.
  const linesKey = lines.map((line) => `${line.label}:${line.color}:${line.scale}:${line.style}`).join("|");
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const options = buildOptions(element, theme, latestProps.current, Math.max(width.current, 200), (row) => {
      onCursor.current?.(row);
    });
    const chart = new uPlot(options, latestProps.current.data, element);
    plot.current = chart;
    const resize = new ResizeObserver(([entry]) => {
      const next = Math.max(Math.floor(entry?.contentRect.width ?? 0), 200);
      if (Math.abs(next - chart.width) >= 1) chart.setSize({ width: next, height: chart.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [theme, linesKey]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <div className="time-chart" role="img" aria-label={`${label}. ${description}`}>
      <div ref={host} className="time-chart__plot" />
    </div>
  );
}

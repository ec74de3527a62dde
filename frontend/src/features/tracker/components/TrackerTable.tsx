// The minute table: newest first, the header stays in view, only the rows in view are in the page
// (a full day is 376 rows × up to 56 columns). Levels, change since baseline and minute change for CE, PE
// and net; changes signed and coloured; IST times; Indian grouping. The CSV holds exactly these cells.
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type Header,
  type RowData,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, type CSSProperties } from "react";
import type { Summary } from "@/api/types";
import { Chips } from "@/components/Choice";
import { downloadText } from "@/lib/download";
import { direction, formatMinuteIST, formatNumber, formatSigned } from "@/lib/format";
import { KINDS, METRICS, SIDES, type Kind, type MetricKey } from "../utils/metrics";
import { cellValue, csvFileName, newestFirst, tableColumns, trackerCsv, type TableColumn } from "../utils/series";

interface TrackerTableProps {
  summary: Summary;
  metrics: readonly MetricKey[];
  kinds: readonly Kind[];
  onKindsChange: (kinds: Kind[]) => void;
}

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** The tracker column a leaf shows (its side, greek and kind). */
    column?: TableColumn;
  }
}

/** Row height in rem (the CSS uses the same); turned into pixels for the virtualiser. */
const ROW_REM = 1.75;
/**
 * Column widths in rem. The table is laid out with `table-layout: fixed` from these, so the browser never
 * measures thousands of cells to size the columns: that halves the time a full day takes to appear.
 */
const WIDTH_REM = { time: 5.5, spot: 6, number: 6, oi: 7.5 } as const;

function columnWidth(column: TableColumn): number {
  return column.metric === "oi" ? WIDTH_REM.oi : WIDTH_REM.number;
}
const helper = createColumnHelper<number>();

function rowHeightPx(): number {
  const root = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  return ROW_REM * (Number.isFinite(root) && root > 0 ? root : 16);
}

/** The header structure (greek → side → kind); the body's cells are drawn straight from the columns. */
function buildColumns(metrics: readonly MetricKey[], kinds: readonly Kind[]): ColumnDef<number>[] {
  const byId = new Map(tableColumns(metrics, kinds).map((column) => [column.id, column]));
  return [
    helper.display({ id: "time", header: "Time (IST)" }),
    helper.display({ id: "spot", header: "Spot" }),
    ...metrics.map((metric) =>
      helper.group({
        id: metric,
        header: `${METRICS[metric].label}${METRICS[metric].unit === "%" ? " (%)" : ""}`,
        columns: SIDES.map((side) =>
          helper.group({
            id: `${side.key}.${metric}`,
            header: side.label,
            columns: kinds.map((kind) => {
              const column = byId.get(`${side.key}.${metric}.${kind}`);
              if (!column) throw new Error(`no column ${side.key}.${metric}.${kind}`);
              return helper.display({
                id: column.id,
                header: KINDS.find((item) => item.key === kind)?.short ?? kind,
                meta: { column },
              });
            }),
          }),
        ),
      }),
    ),
  ] as ColumnDef<number>[];
}

export function TrackerTable({ summary, metrics, kinds, onKindsChange }: TrackerTableProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => newestFirst(summary), [summary]);
  const columns = useMemo(() => buildColumns(metrics, kinds), [metrics, kinds]);
  const leafColumns = useMemo(() => tableColumns(metrics, kinds), [metrics, kinds]);

  // TanStack Table's hook returns functions the React Compiler must not memoise; this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel() });
  const tableRows = table.getRowModel().rows;
  const headerGroups = table.getHeaderGroups();
  const rowHeight = useMemo(rowHeightPx, []);

  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    // Before the first measurement (and in tests): assume a viewport of a few dozen rows.
    initialRect: { width: 1200, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  const download = () => {
    downloadText(csvFileName(summary), trackerCsv(summary, leafColumns));
  };

  // Each header is drawn once, where it first appears, spanning the rows below it that only repeat it.
  const seen = new Set<string>();
  const headerCell = (header: Header<number, unknown>, depth: number) => {
    const id = header.column.id;
    if (seen.has(id)) return null;
    seen.add(id);
    const rowSpan = header.isPlaceholder || header.subHeaders.length === 0 ? headerGroups.length - depth : 1;
    const leafMeta = header.column.columnDef.meta?.column;
    const classes = ["th", `th--depth-${String(depth)}`];
    if (id === "time") classes.push("col-time");
    else if (id === "spot") classes.push("col-spot");
    else if (leafMeta) {
      classes.push(`col-${leafMeta.side}`);
      if (leafMeta.kind === kinds[0]) classes.push("col-start");
    } else if (header.column.depth === 0) classes.push("col-start", "col-metric");
    else classes.push("col-start", `col-${id.split(".")[0] ?? ""}`);
    return (
      <th
        key={header.id}
        colSpan={header.colSpan}
        rowSpan={rowSpan}
        scope={rowSpan > 1 || header.subHeaders.length === 0 ? "col" : "colgroup"}
        className={classes.join(" ")}
      >
        {header.subHeaders.length > 0 && !header.isPlaceholder ? (
          // A group's name stays in view at the left while its columns scroll past (phones see one at a time).
          <span className="th-group-label">{flexRender(header.column.columnDef.header, header.getContext())}</span>
        ) : (
          flexRender(header.column.columnDef.header, header.getContext())
        )}
      </th>
    );
  };

  const spacer = (height: number) => ({ height: `${String(height)}px` }) as CSSProperties;
  const tableWidth =
    WIDTH_REM.time + WIDTH_REM.spot + leafColumns.reduce((sum, column) => sum + columnWidth(column), 0);

  return (
    <section className="panel" aria-labelledby="tracker-table-title">
      <div className="panel__head">
        <h2 id="tracker-table-title" className="panel__title">
          Minute by minute
        </h2>
        <p className="panel__meta">
          {rows.length} rows, newest first · changes since {formatMinuteIST(summary.baseline.minute)} IST
        </p>
      </div>
      <div className="table-tools">
        <Chips<Kind>
          legend="Columns"
          options={KINDS.map((kind) => ({ value: kind.key, label: kind.label }))}
          value={kinds}
          onChange={onKindsChange}
        />
        <button type="button" className="button button--quiet" onClick={download}>
          Download CSV
        </button>
      </div>
      <div
        ref={viewport}
        className="table-viewport table-viewport--tracker"
        // A scrollable region must be reachable by keyboard (WCAG 2.1.1): the rows hold nothing focusable.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        role="region"
        aria-label="Minute table, scrolls both ways"
      >
        <table
          className="table table--dense tracker-table"
          aria-rowcount={rows.length + headerGroups.length}
          style={{ width: `${String(tableWidth)}rem` }}
        >
          <caption className="visually-hidden">
            {`${summary.instrument} ${summary.expiry} on ${summary.date}: delta band ${summary.band.delta_min.toFixed(2)}–${summary.band.delta_max.toFixed(2)}, ${summary.band.selection}, ${summary.interval === 1 ? "one row per minute" : `one row every ${String(summary.interval)} minutes`}, newest first`}
          </caption>
          <colgroup>
            <col style={{ width: `${String(WIDTH_REM.time)}rem` }} />
            <col style={{ width: `${String(WIDTH_REM.spot)}rem` }} />
            {leafColumns.map((column) => (
              <col key={column.id} style={{ width: `${String(columnWidth(column))}rem` }} />
            ))}
          </colgroup>
          <thead>
            {headerGroups.map((group, depth) => (
              <tr key={group.id} aria-rowindex={depth + 1} className={`thead-row thead-row--${String(depth)}`}>
                {group.headers.map((header) => headerCell(header, depth))}
              </tr>
            ))}
          </thead>
          <tbody>
            {before > 0 ? (
              <tr aria-hidden="true" className="spacer-row" style={spacer(before)}>
                <td colSpan={leafColumns.length + 2} />
              </tr>
            ) : null}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (!row) return null;
              return (
                <tr
                  key={row.id}
                  aria-rowindex={headerGroups.length + item.index + 1}
                  className={row.original === summary.minutes.length - 1 ? "row--latest" : undefined}
                >
                  <th scope="row" className="col-time">
                    {formatMinuteIST(summary.minutes[row.original] ?? "")}
                  </th>
                  <td className="td-num">
                    <span className="num">{formatNumber(summary.spot[row.original], 2)}</span>
                  </td>
                  {leafColumns.map((column) => {
                    // Plain cells, not a component each: a screen of rows is a few thousand of them.
                    const value = cellValue(summary, column, row.original);
                    const way = column.signed ? direction(value, column.decimals) : null;
                    const start = column.kind === kinds[0] ? " col-start" : "";
                    return (
                      <td key={column.id} className={`td-num num${way ? ` num--${way}` : ""}${start}`}>
                        {column.signed ? formatSigned(value, column.decimals) : formatNumber(value, column.decimals)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {after > 0 ? (
              <tr aria-hidden="true" className="spacer-row" style={spacer(after)}>
                <td colSpan={leafColumns.length + 2} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

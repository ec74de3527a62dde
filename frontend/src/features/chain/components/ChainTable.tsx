// The chain at one minute: calls on the left, puts on the right, strikes in the middle (the at-the-money
// strike marked "ATM" and shaded); a strike is a button that opens its own minute-by-minute chart.
import { useEffect, useRef } from "react";
import type { Chain, ChainSide } from "@/api/types";
import { direction, formatMinuteIST, formatNumber, formatSigned } from "@/lib/format";
import { CHAIN_COLUMNS, chainRows, chainValue, SOURCE_LABELS, type ChainColumn, type OptionSide } from "../utils/chain";

interface ChainTableProps {
  chain: Chain;
  selected: { strike: number; side: OptionSide } | undefined;
  onPick: (strike: number) => void;
}

const CE_COLUMNS = [...CHAIN_COLUMNS].reverse();

function Cell({ side, column, index }: { side: ChainSide; column: ChainColumn; index: number }) {
  const value = chainValue(side, column, index);
  if (!column.signed) return <td className="td-num">{formatNumber(value, column.decimals)}</td>;
  const way = direction(value, column.decimals);
  return <td className={`td-num num${way ? ` num--${way}` : ""}`}>{formatSigned(value, column.decimals)}</td>;
}

export function ChainTable({ chain, selected, onPick }: ChainTableProps) {
  const rows = chainRows(chain);
  const viewport = useRef<HTMLDivElement>(null);
  const view = `${chain.instrument}:${chain.expiry}:${chain.date}:${String(chain.strikes.length)}`;

  // A new chain opens with the strikes column and the at-the-money row in the middle of the box (on a phone
  // the table is far wider than the screen); the replay then leaves the scroll where the reader put it.
  useEffect(() => {
    const box = viewport.current;
    const atm = box?.querySelector<HTMLElement>(".row--atm .chain-table__strike");
    if (!box || !atm) return;
    box.scrollLeft = atm.offsetLeft - (box.clientWidth - atm.offsetWidth) / 2;
    box.scrollTop = atm.offsetTop - (box.clientHeight - atm.offsetHeight) / 2;
  }, [view]);

  return (
    <div
      ref={viewport}
      className="table-viewport table-viewport--chain"
      role="region"
      aria-label="Option chain, scrolls sideways"
      // A scrollable region must be reachable by keyboard (WCAG 2.1.1) even before a strike button is.
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
    >
      <table className="table table--dense chain-table">
        <caption className="visually-hidden">
          {chain.instrument} option chain, expiry {chain.expiry}, at {formatMinuteIST(chain.minute)} IST; spot{" "}
          {formatNumber(chain.spot, 2)}; the at-the-money strike is {formatNumber(chain.atm_strike, 0)}
        </caption>
        <thead>
          <tr>
            <th scope="colgroup" colSpan={CHAIN_COLUMNS.length + 1} className="chain-table__side chain-table__side--ce">
              Calls (CE)
            </th>
            <th scope="col" rowSpan={2} className="chain-table__strike-head">
              Strike
            </th>
            <th scope="colgroup" colSpan={CHAIN_COLUMNS.length + 1} className="chain-table__side chain-table__side--pe">
              Puts (PE)
            </th>
          </tr>
          <tr>
            <th scope="col">Greeks from</th>
            {CE_COLUMNS.map((column) => (
              <th key={`ce-${column.field}`} scope="col">
                {column.label}
              </th>
            ))}
            {CHAIN_COLUMNS.map((column) => (
              <th key={`pe-${column.field}`} scope="col">
                {column.label}
              </th>
            ))}
            <th scope="col">Greeks from</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const classes = [row.atm ? "row--atm" : "", selected?.strike === row.strike ? "row--selected" : ""]
              .join(" ")
              .trim();
            return (
              <tr key={row.strike} className={classes || undefined}>
                <td className="chain-table__source">{SOURCE_LABELS[chain.ce.source[row.index] ?? "none"]}</td>
                {CE_COLUMNS.map((column) => (
                  <Cell key={`ce-${column.field}`} side={chain.ce} column={column} index={row.index} />
                ))}
                <th scope="row" className="chain-table__strike">
                  <button
                    type="button"
                    className="strike-button"
                    aria-pressed={selected?.strike === row.strike}
                    onClick={() => {
                      onPick(row.strike);
                    }}
                  >
                    {formatNumber(row.strike, 0)}
                    {row.atm ? (
                      <>
                        {" "}
                        <span className="atm-tag" title="At the money">
                          ATM
                        </span>
                      </>
                    ) : null}
                    <span className="visually-hidden">: show its chart</span>
                  </button>
                </th>
                {CHAIN_COLUMNS.map((column) => (
                  <Cell key={`pe-${column.field}`} side={chain.pe} column={column} index={row.index} />
                ))}
                <td className="chain-table__source">{SOURCE_LABELS[chain.pe.source[row.index] ?? "none"]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

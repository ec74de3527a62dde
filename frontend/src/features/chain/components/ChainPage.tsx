// The option chain at any stored minute of a day: replay the session with the slider, pick a strike for its
// own chart. The view (index, day, expiry, minute, window, strike) is in the address. Today's chain is asked
// again once a minute, 5–25 s after the minute turns, while the market is open (docs/scaling.md).
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useInstruments } from "@/api/get-instruments";
import { serverClockOffset, useBadgeStatus, useStatusRefresh } from "@/api/get-market-status";
import { useSessions } from "@/api/get-sessions";
import type { ChainQuery, StrikeQuery } from "@/api/types";
import { ErrorBoundary } from "@/components/ErrorBoundary";
import { ErrorNotice } from "@/components/ErrorNotice";
import { MarketSelect, resolveMarket } from "@/components/MarketSelect";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { formatDay, formatMinuteIST, formatNumber, istDay } from "@/lib/format";
import { useMinutePoll } from "@/lib/poll";
import { useChain } from "../api/get-chain";
import { chainSearch, parseChainParams, replayIndex, STRIKE_WINDOWS, type ChainParams } from "../utils/chain";
import { ChainTable } from "./ChainTable";
import { ReplaySlider } from "./ReplaySlider";
import { StrikePanel } from "./StrikePanel";
import "./chain.css";

export function ChainPage() {
  const [search, setSearch] = useSearchParams();
  const params = parseChainParams(search);
  const instruments = useInstruments();
  const wantedInstrument = params.instrument ?? instruments.data?.instruments[0]?.symbol;
  const sessions = useSessions(wantedInstrument);
  const market = resolveMarket(instruments.data?.instruments, sessions.data?.sessions, params);
  const windowId = useId();

  const update = useCallback(
    (change: Partial<ChainParams>, replace = false) => {
      setSearch((current) => chainSearch({ ...parseChainParams(current), ...change }), { replace });
    },
    [setSearch],
  );

  const query: ChainQuery | null = market
    ? {
        instrument: market.instrument,
        date: market.date,
        expiry: market.expiry,
        at: params.at,
        strikes: params.strikes,
      }
    : null;
  const chain = useChain(query);
  const minutes = chain.data?.minutes_stored ?? [];

  // Only the market's state is needed (asked on open and when the session opens or closes), not its freshness.
  const status = useBadgeStatus();
  useStatusRefresh(status, true);
  const open = status.data?.status?.market.state === "open" ? status.data.status : null;
  const queryClient = useQueryClient();
  useMinutePoll(
    Boolean(open && market?.date === istDay(open.now)),
    () => {
      // The chain (and the open strike's day) grow by a minute; unchanged answers come back as 304s.
      void queryClient.invalidateQueries({ queryKey: ["chain"] });
      void queryClient.invalidateQueries({ queryKey: ["strike"] });
    },
    serverClockOffset(status.data),
  );

  // The slider moves at once; the address (and the request) follows when it rests.
  const [dragIndex, setDragIndex] = useState<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
    },
    [],
  );
  // The slider shows the minute on screen (the latest stored one when the address names none).
  const shownMinute = chain.data ? formatMinuteIST(chain.data.minute) : params.at;
  const index = dragIndex ?? replayIndex(minutes, shownMinute);
  const moveTo = (next: number) => {
    const minute = minutes[next];
    if (!minute) return;
    setDragIndex(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      update({ at: next === minutes.length - 1 ? undefined : formatMinuteIST(minute) }, true);
      setDragIndex(null);
    }, 150);
  };

  const strikeQuery: StrikeQuery | null =
    market && params.strike !== undefined
      ? {
          instrument: market.instrument,
          date: market.date,
          expiry: market.expiry,
          strike: params.strike,
          side: params.side,
        }
      : null;

  const listsError = instruments.error ?? sessions.error;
  return (
    <Page
      title="Option chain"
      lead="Every strike around the money at any stored minute of a day: prices, open interest, IV and greeks, with where each strike's greeks came from."
    >
      {listsError ? <ErrorNotice error={listsError} title="Could not load the indices and days with data" /> : null}
      <section className="panel controls" aria-label="Which chain">
        <div className="controls__row">
          <MarketSelect
            instruments={instruments.data?.instruments ?? []}
            sessions={sessions.data?.sessions}
            value={market ?? { instrument: wantedInstrument }}
            onChange={(change) => {
              update({ ...change, at: undefined, strike: undefined });
            }}
          />
          <div className="field">
            <label className="field__label" htmlFor={windowId}>
              Strikes each side
            </label>
            <select
              id={windowId}
              className="input"
              value={params.strikes}
              onChange={(event) => {
                update({ strikes: Number(event.target.value) });
              }}
            >
              {STRIKE_WINDOWS.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
        </div>
        {minutes.length > 0 ? <ReplaySlider minutes={minutes} index={index} onChange={moveTo} /> : null}
      </section>

      {chain.error ? (
        <ErrorNotice error={chain.error} title="Could not load the chain" onRetry={() => void chain.refetch()} />
      ) : null}
      {chain.data ? (
        <section className="panel" aria-labelledby="chain-title">
          <div className="panel__head">
            <h2 id="chain-title" className="panel__title">
              {chain.data.instrument} at {formatMinuteIST(chain.data.minute)} IST
            </h2>
            <p className="panel__meta" aria-live="polite">
              {formatDay(chain.data.date)} · expiry {chain.data.expiry} · spot {formatNumber(chain.data.spot, 2)} · ATM{" "}
              {formatNumber(chain.data.atm_strike, 0)}
              {chain.isFetching ? " · updating…" : ""}
            </p>
          </div>
          <p className="panel__meta">
            Pick a strike for its minute-by-minute chart. IV in %, theta per calendar day, vega per volatility point;
            “Greeks from” says whether Upstox's greeks were used or our engine computed them.
          </p>
          <ErrorBoundary>
            <ChainTable
              chain={chain.data}
              selected={params.strike !== undefined ? { strike: params.strike, side: params.side } : undefined}
              onPick={(strike) => {
                update({ strike });
              }}
            />
          </ErrorBoundary>
        </section>
      ) : chain.isPending ? (
        <section className="panel" aria-label="Chain loading">
          <Skeleton label="Loading the chain…" lines={12} />
        </section>
      ) : null}

      {strikeQuery ? (
        <ErrorBoundary>
          <StrikePanel
            query={strikeQuery}
            onSide={(side) => {
              update({ side });
            }}
            onClose={() => {
              update({ strike: undefined });
            }}
          />
        </ErrorBoundary>
      ) : null}
    </Page>
  );
}

// Names for the generated API types (schema.d.ts, from the backend's OpenAPI): what the screens read.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type InstrumentsAnswer = Schemas["InstrumentsRead"];
export type Instrument = Schemas["InstrumentRead"];
export type SessionsAnswer = Schemas["SessionsRead"];
export type TradingSession = Schemas["TradingDayRead"];
export type Summary = Schemas["SummaryRead"];
/** GET /api/v1/tracker: the tracker screen's opening answer (its `status` is unchecked, as /status's is). */
export type TrackerAnswer = Schemas["TrackerRead"];
export type SideSeries = Schemas["SideSeriesRead"];
export type Series = Schemas["SeriesRead"];
export type Chain = Schemas["ChainRead"];
export type ChainSide = Schemas["ChainSideRead"];
export type StrikeAnswer = Schemas["StrikeRead"];
export type Selection = Schemas["Selection"];
export type Interval = Schemas["Interval"];
export type Me = Schemas["MeRead"];
export type LoginAnswer = Schemas["LoginAnswer"];
export type LoginRequest = Schemas["LoginRequest"];

/** The query parameters of a GET route, as the backend declares them. */
export type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

export type SummaryQuery = QueryOf<"/api/v1/greeks/summary">;
export type TrackerQuery = QueryOf<"/api/v1/tracker">;
export type ChainQuery = QueryOf<"/api/v1/chain">;
export type StrikeQuery = QueryOf<"/api/v1/greeks/strike">;
export type StreamQuery = QueryOf<"/api/v1/stream">;

export type BrokerStatus = Schemas["BrokerStatus"];
export type TokenRead = Schemas["TokenRead"];
export type TokenEvent = Schemas["TokenEventRead"];
export type TokenPaste = Schemas["TokenPaste"];
export type TokenRequestAnswer = Schemas["TokenRequestAnswer"];
export type DisconnectAnswer = Schemas["DisconnectAnswer"];

export type ConsentAnswer = Schemas["ConsentRead"];
export type ConsentGive = Schemas["ConsentGive"];
export type AccountExport = Schemas["AccountExport"];

export type LegalDocument = Schemas["DocumentRead"];

// A fake backend for screen tests: fetch answers from recorded fixtures (frontend/scripts/record-fixtures.py),
// by method and path; every request is kept so a test can check what the screen asked for.
import { vi } from "vitest";
import type { TrackerAnswer } from "@/api/types";
import accountDeleteWrongPassword from "./fixtures/account-delete-wrong-password.json";
import brokerForbidden from "./fixtures/broker-forbidden.json";
import chain0930 from "./fixtures/chain-nifty-0930.json";
import chain from "./fixtures/chain-nifty.json";
import healthReady from "./fixtures/health-ready.json";
import instruments from "./fixtures/instruments.json";
import legalAccessibility from "./fixtures/legal-accessibility.json";
import legalDisclaimer from "./fixtures/legal-disclaimer.json";
import legalPrivacy from "./fixtures/legal-privacy.json";
import legalTerms from "./fixtures/legal-terms.json";
import login from "./fixtures/login.json";
import me from "./fixtures/me.json";
import sessions from "./fixtures/sessions-nifty.json";
import status from "./fixtures/status.json";
import strike from "./fixtures/strike-nifty-ce.json";
import summaryBand from "./fixtures/summary-nifty-band-20-50.json";
import summary5 from "./fixtures/summary-nifty-5min.json";
import summary from "./fixtures/summary-nifty.json";

export interface FakeAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = FakeAnswer | ((url: URL, init: RequestInit | undefined) => FakeAnswer | Promise<FakeAnswer>);

export function error(status: number, code: string, message: string, details: unknown = null): FakeAnswer {
  return { status, body: { error: { code, message, details, request_id: "req-test" } } };
}

export const signedOut = error(401, "unauthorized", "Sign in first.");

/** The password of the fake signed-in person: DELETE /api/v1/account accepts only this one. */
export const ACCOUNT_PASSWORD = "correct horse battery staple";

/** DELETE /api/v1/account: 204 for the right password, the recorded 400 wrong_password for any other. */
export function deleteAccountRoute(onDeleted: () => void = () => undefined): Route {
  return (_url, init) => {
    const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const password = typeof body === "object" && body !== null && "password" in body ? body.password : undefined;
    if (password !== ACCOUNT_PASSWORD) return { status: 400, body: accountDeleteWrongPassword };
    onDeleted();
    return { status: 204 };
  };
}

/** The answers of a demo day for a signed-in viewer. */
export function demoRoutes(): Record<string, Route> {
  return {
    "GET /api/v1/auth/me": { body: me },
    "POST /api/v1/auth/login": { body: login },
    "POST /api/v1/auth/logout": { status: 204 },
    "DELETE /api/v1/account": deleteAccountRoute(),
    "GET /api/v1/instruments": { body: instruments },
    "GET /api/v1/sessions": { body: sessions },
    "GET /api/v1/status": { body: status },
    "GET /health/ready": { body: healthReady },
    "GET /api/v1/greeks/summary": (url) => {
      if (url.searchParams.get("delta_min") === "0.2") return { body: summaryBand };
      if (url.searchParams.get("interval") === "5") return { body: summary5 };
      return { body: summary };
    },
    // Any minute before 10:00 answers the recorded 09:30 chain, stamped with the minute asked.
    "GET /api/v1/chain": (url) => {
      const at = url.searchParams.get("at");
      if (!at || at >= "10:00") return { body: chain };
      return { body: { ...chain0930, minute: `2026-11-25T${at}:00+05:30`, requested: `2026-11-25T${at}:00+05:30` } };
    },
    "GET /api/v1/greeks/strike": { body: strike },
    "GET /api/v1/broker/upstox/status": { status: 403, body: brokerForbidden },
    "GET /api/v1/legal/privacy": { body: legalPrivacy },
    "GET /api/v1/legal/terms": { body: legalTerms },
    "GET /api/v1/legal/disclaimer": { body: legalDisclaimer },
    "GET /api/v1/legal/accessibility": { body: legalAccessibility },
  };
}

export interface Request {
  method: string;
  url: URL;
  init: RequestInit | undefined;
}

async function answerFrom(
  routes: Record<string, Route>,
  method: string,
  url: URL,
  init: RequestInit | undefined,
): Promise<FakeAnswer> {
  const route = routes[`${method} ${url.pathname}`];
  if (route === undefined) return error(404, "not_found", `No such path: ${method} ${url.pathname}`);
  return typeof route === "function" ? route(url, init) : route;
}

/**
 * The demo day's opening answer (GET /api/v1/tracker with no expiry or date: the latest day, its nearest
 * expiry), from the recorded parts: NIFTY's days start with 2026-11-25, whose nearest expiry is 2026-12-01,
 * the recorded summary's day.
 */
export function trackerAnswer(): TrackerAnswer {
  return { status, instruments, sessions, summary, errors: {} } as TrackerAnswer;
}

/** The parameters GET /api/v1/tracker takes: those of /greeks/summary without `format`. */
const TRACKER_PARAMS = [
  "instrument",
  "expiry",
  "date",
  "delta_min",
  "delta_max",
  "selection",
  "baseline",
  "from",
  "to",
  "interval",
];

/**
 * GET /api/v1/tracker as the backend builds it, from the other routes (so a test's override of a part shows in
 * the bundle too): /status, /instruments, /sessions for the index, /greeks/summary with the same parameters. A
 * part whose route answers 404 is null with its answer in `errors`; any other failure is the whole answer.
 */
export function trackerRoute(routes: Record<string, Route>): Route {
  return async (url, init) => {
    const unknown = [...url.searchParams.keys()].filter((key) => !TRACKER_PARAMS.includes(key));
    if (unknown.length > 0) return error(422, "validation_error", `Unknown query parameter: ${unknown.join(", ")}`);
    // Without an index, the first one /instruments lists.
    const search = new URLSearchParams(url.search);
    if (!search.get("instrument")) {
      const listed = await answerFrom(routes, "GET", new URL("/api/v1/instruments", url), init);
      const first = (listed.body as { instruments?: { symbol: string }[] } | undefined)?.instruments?.[0]?.symbol;
      search.set("instrument", first ?? "-");
    }
    const instrument = search.get("instrument") ?? "-";
    const parts = {
      status: new URL("/api/v1/status", url),
      instruments: new URL("/api/v1/instruments", url),
      sessions: new URL(`/api/v1/sessions?instrument=${encodeURIComponent(instrument)}`, url),
      summary: new URL(`/api/v1/greeks/summary?${search.toString()}`, url),
    };
    const bundle: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const [name, partUrl] of Object.entries(parts)) {
      const part = await answerFrom(routes, "GET", partUrl, init);
      const status = part.status ?? 200;
      if (status === 404) {
        bundle[name] = null;
        errors[name] = { status, ...(part.body as object) };
      } else if (status >= 200 && status < 300) {
        bundle[name] = part.body ?? null;
      } else {
        return part;
      }
    }
    return { body: { ...bundle, errors } };
  };
}

/** Replaces fetch with the routes; unknown paths answer 404 in the backend's error shape. */
export function serveApi(overrides: Record<string, Route> = {}) {
  const routes: Record<string, Route> = { ...demoRoutes(), ...overrides };
  routes["GET /api/v1/tracker"] ??= trackerRoute(routes);
  const requests: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      "http://test",
    );
    const method = (init?.method ?? "GET").toUpperCase();
    requests.push({ method, url, init });
    const reply = await answerFrom(routes, method, url, init);
    const status = reply.status ?? 200;
    const body = status === 204 || reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(body, { status, headers: { "Content-Type": "application/json", ...reply.headers } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    requests,
    fetchMock,
    /** The requests to a path (query ignored). */
    to: (method: string, path: string) =>
      requests.filter((request) => request.method === method && request.url.pathname === path),
  };
}

/** A stand-in for EventSource: tests push `minute` events into the open stream. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  private listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: Event) => void) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: (event: Event) => void) {
    this.listeners.get(type)?.delete(listener);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    this.dispatch("open", new Event("open"));
  }

  emit(type: string, data: unknown, id?: string) {
    this.dispatch(type, new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id ?? "" }));
  }

  fail(closed = false) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.dispatch("error", new Event("error"));
  }

  private dispatch(type: string, event: Event) {
    this.listeners.get(type)?.forEach((listener) => {
      listener(event);
    });
  }
}

export function installEventSource() {
  FakeEventSource.instances = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  return FakeEventSource;
}

/** The JSON a request sent. */
export function sentJson(request: Request | undefined): unknown {
  const body = request?.init?.body;
  return typeof body === "string" ? JSON.parse(body) : undefined;
}

// The one typed way to call the Market Edge backend: every failure comes back as a readable ApiError.

/** The body the backend sends with every error (one shape for all of them, see docs/architecture.md). */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    request_id?: string;
  };
}

/**
 * Codes the client makes up when the backend could not say anything itself.
 * Any other code comes from the backend's error body.
 */
export const CLIENT_ERROR_CODES = {
  network: "network_error",
  timeout: "timeout",
  badJson: "bad_json",
  badResponse: "bad_response",
  http: "http_error",
} as const;

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** HTTP status; 0 when no answer came back at all (network down, timeout). */
  readonly status: number;
  /** Stable machine code: the backend's `error.code`, or one of CLIENT_ERROR_CODES. */
  readonly code: string;
  readonly details: unknown;
  /** The backend's request id, to quote when reporting a problem. */
  readonly requestId: string | undefined;

  constructor(
    message: string,
    init: { status: number; code: string; details?: unknown; requestId?: string | undefined; cause?: unknown },
  ) {
    super(message, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
  }
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = value.error;
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "string" &&
    "message" in error &&
    typeof error.message === "string"
  );
}

export interface ApiFetchOptions<T> extends Omit<RequestInit, "body"> {
  /** Sent as JSON. */
  json?: unknown;
  /**
   * Statuses besides 2xx whose body is an answer, not an error: /health/ready answers 503 with the same
   * report as its 200, and the report is what the status page shows.
   */
  acceptStatuses?: readonly number[];
  /** Checks the parsed body and returns it typed; throw (any Error) to reject an unexpected shape. */
  parse?: (body: unknown) => T;
  /** Give up after this long; default 20 s. The caller's own `signal` still cancels earlier. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const SAFE_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS"];

/** The readable cookie the backend sets at sign-in; state-changing requests send it back as X-CSRF-Token. */
export const CSRF_COOKIE = "me_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/**
 * The API's origin when this UI is served from another one (VITE_API_ORIGIN at build time, e.g. the UI on
 * app.example.com and the API on api.example.com); "" when the backend serves the UI itself.
 */
export const API_ORIGIN: string = (import.meta.env.VITE_API_ORIGIN ?? "").replace(/\/+$/, "");

/** The URL of an API path, on the API's origin. */
export function apiUrl(path: string): string {
  return `${API_ORIGIN}${path}`;
}

/** Cookies go with every request to the API, on its origin or this one. */
export const API_CREDENTIALS: RequestCredentials = API_ORIGIN ? "include" : "same-origin";

// The session's CSRF token as the sign-in or who-am-I answer gave it: on another origin than the API's, the
// page cannot read the API's cookie, so this is what state-changing requests send.
let csrfToken: string | null = null;

/** Keep (or, with null, forget) the CSRF token of the session that is signed in. */
export function rememberCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** The value of a cookie this page may read (the session cookie itself is httpOnly and never visible here). */
export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

/** "?a=1&b=x" from the parameters that have a value (undefined, null and "" are left out); "" when none. */
export function queryString(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
const GATEWAY_STATUSES: readonly number[] = [502, 503, 504];

/**
 * Fetch JSON from the backend: on this page's origin, or on API_ORIGIN (which the CSP's connect-src names).
 *
 * Resolves with the parsed body, or `undefined` for an empty body (204). Rejects with an ApiError for every
 * failure: no answer, timeout, a non-2xx answer (with the backend's code and message when it sent its error
 * body), a body that is not JSON, or a body that `parse` refused. A cancellation by the caller's `signal`
 * (TanStack Query cancelling a query) is rethrown untouched, because it is not a failure.
 */
export async function apiFetch<T = unknown>(path: string, options: ApiFetchOptions<T> = {}): Promise<T> {
  const { json, acceptStatuses = [], parse, timeoutMs = DEFAULT_TIMEOUT_MS, signal, headers, ...init } = options;

  const requestHeaders = new Headers(headers);
  if (!requestHeaders.has("Accept")) requestHeaders.set("Accept", "application/json");
  const method = (init.method ?? "GET").toUpperCase();
  if (!SAFE_METHODS.includes(method) && !requestHeaders.has(CSRF_HEADER)) {
    // The cookie where the page can read it (the API on this origin: it follows a sign-in in another tab), else
    // the token the sign-in or who-am-I answer gave (the API on another origin).
    const csrf = readCookie(CSRF_COOKIE) ?? csrfToken;
    if (csrf) requestHeaders.set(CSRF_HEADER, csrf);
  }
  let body: string | undefined;
  if (json !== undefined) {
    body = JSON.stringify(json);
    requestHeaders.set("Content-Type", "application/json");
  }

  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const combinedSignal = signal ? AbortSignal.any([signal, timeoutSignal]) : timeoutSignal;

  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      credentials: API_CREDENTIALS,
      ...init,
      headers: requestHeaders,
      body,
      signal: combinedSignal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (timeoutSignal.aborted) {
      throw new ApiError(`The server did not answer within ${String(Math.round(timeoutMs / 1000))} s.`, {
        status: 0,
        code: CLIENT_ERROR_CODES.timeout,
        cause: error,
      });
    }
    throw new ApiError("Could not reach the server. Check your connection and try again.", {
      status: 0,
      code: CLIENT_ERROR_CODES.network,
      cause: error,
    });
  }

  const headerRequestId = response.headers.get("X-Request-ID") ?? undefined;
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("The connection broke while the answer was arriving. Try again.", {
      status: response.status,
      code: CLIENT_ERROR_CODES.network,
      requestId: headerRequestId,
      cause: error,
    });
  }

  let parsed: unknown = undefined;
  let parseError: unknown = null;
  if (text.trim() !== "") {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      parseError = error;
    }
  }

  const accepted = response.ok || acceptStatuses.includes(response.status);
  if (!accepted) throw errorFromAnswer(response, parsed, parseError === null, headerRequestId);

  if (parseError !== null) {
    throw new ApiError("The server sent an answer that could not be read.", {
      status: response.status,
      code: CLIENT_ERROR_CODES.badJson,
      requestId: headerRequestId,
      cause: parseError,
    });
  }
  if (!parse) return parsed as T;
  try {
    return parse(parsed);
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw new ApiError(`The server sent an answer in an unexpected shape${reason}.`, {
      status: response.status,
      code: CLIENT_ERROR_CODES.badResponse,
      details: parsed,
      requestId: headerRequestId,
      cause: error,
    });
  }
}

function errorFromAnswer(
  response: Response,
  body: unknown,
  bodyIsJson: boolean,
  headerRequestId: string | undefined,
): ApiError {
  if (bodyIsJson && isApiErrorBody(body)) {
    return new ApiError(body.error.message, {
      status: response.status,
      code: body.error.code,
      details: body.error.details,
      requestId: body.error.request_id ?? headerRequestId,
    });
  }
  const statusText = response.statusText ? ` ${response.statusText}` : "";
  // A gateway answering for the backend (dev proxy, load balancer) means the backend itself is down or busy.
  const message = GATEWAY_STATUSES.includes(response.status)
    ? `The Market Edge server is not answering (${String(response.status)}${statusText}). Try again in a minute.`
    : `The server answered ${String(response.status)}${statusText}.`;
  return new ApiError(message, {
    status: response.status,
    code: CLIENT_ERROR_CODES.http,
    details: bodyIsJson ? body : undefined,
    requestId: headerRequestId,
  });
}

/** A readable sentence for any error a query may throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

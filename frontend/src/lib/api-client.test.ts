import { describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch, CLIENT_ERROR_CODES } from "./api-client";

function answer(body: string, init: ResponseInit = {}): Response {
  return new Response(body, init);
}

function mockFetch(impl: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) {
  const fetchMock = vi.fn(impl);
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("apiFetch", () => {
  it("returns the parsed JSON of a 2xx answer and asks for JSON", async () => {
    const fetchMock = mockFetch(() => Promise.resolve(answer('{"minute": "09:15", "spot": 24310.5}', { status: 200 })));

    await expect(apiFetch("/api/v1/spot")).resolves.toEqual({ minute: "09:15", spot: 24310.5 });

    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe("/api/v1/spot");
    expect(new Headers(init?.headers).get("Accept")).toBe("application/json");
  });

  it("returns undefined for an empty 204", async () => {
    mockFetch(() => Promise.resolve(new Response(null, { status: 204 })));
    await expect(apiFetch("/api/v1/thing", { method: "DELETE" })).resolves.toBeUndefined();
  });

  it("sends `json` as a JSON body", async () => {
    const fetchMock = mockFetch(() => Promise.resolve(answer("{}", { status: 201 })));
    await apiFetch("/api/v1/things", { method: "POST", json: { strike: 24300 } });
    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.body).toBe('{"strike":24300}');
    expect(new Headers(init?.headers).get("Content-Type")).toBe("application/json");
  });

  it("turns a network failure into a readable ApiError with status 0", async () => {
    mockFetch(() => Promise.reject(new TypeError("Failed to fetch")));

    const error = await failure(apiFetch("/api/v1/spot"));
    expect(error.status).toBe(0);
    expect(error.code).toBe(CLIENT_ERROR_CODES.network);
    expect(error.message).toBe("Could not reach the server. Check your connection and try again.");
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("uses the backend's error shape for a 404", async () => {
    mockFetch(() =>
      Promise.resolve(
        answer(
          JSON.stringify({
            error: {
              code: "instrument_not_found",
              message: "No instrument called FOO.",
              details: { symbol: "FOO" },
              request_id: "req-123",
            },
          }),
          { status: 404, statusText: "Not Found", headers: { "Content-Type": "application/json" } },
        ),
      ),
    );

    const error = await failure(apiFetch("/api/v1/instruments/FOO"));
    expect(error.status).toBe(404);
    expect(error.code).toBe("instrument_not_found");
    expect(error.message).toBe("No instrument called FOO.");
    expect(error.details).toEqual({ symbol: "FOO" });
    expect(error.requestId).toBe("req-123");
  });

  it("says what happened for a 500 whose body is not JSON", async () => {
    mockFetch(() =>
      Promise.resolve(
        answer("<html><body>Internal Server Error</body></html>", {
          status: 500,
          statusText: "Internal Server Error",
          headers: { "Content-Type": "text/html", "X-Request-ID": "req-500" },
        }),
      ),
    );

    const error = await failure(apiFetch("/api/v1/spot"));
    expect(error.status).toBe(500);
    expect(error.code).toBe(CLIENT_ERROR_CODES.http);
    expect(error.message).toBe("The server answered 500 Internal Server Error.");
    expect(error.requestId).toBe("req-500");
  });

  it("says the server is down when a gateway answers for it", async () => {
    mockFetch(() => Promise.resolve(answer("", { status: 502, statusText: "Bad Gateway" })));

    const error = await failure(apiFetch("/api/v1/spot"));
    expect(error.status).toBe(502);
    expect(error.message).toBe("The Market Edge server is not answering (502 Bad Gateway). Try again in a minute.");
  });

  it("does not mistake other JSON for the error shape", async () => {
    mockFetch(() => Promise.resolve(answer('{"detail": "Not authenticated"}', { status: 401 })));

    const error = await failure(apiFetch("/api/v1/me"));
    expect(error.status).toBe(401);
    expect(error.code).toBe(CLIENT_ERROR_CODES.http);
    expect(error.message).toBe("The server answered 401.");
    expect(error.details).toEqual({ detail: "Not authenticated" });
  });

  it("rejects a 2xx answer that is not JSON", async () => {
    mockFetch(() => Promise.resolve(answer("<!doctype html><title>Market Edge</title>", { status: 200 })));

    const error = await failure(apiFetch("/api/v1/spot"));
    expect(error.status).toBe(200);
    expect(error.code).toBe(CLIENT_ERROR_CODES.badJson);
    expect(error.message).toBe("The server sent an answer that could not be read.");
  });

  it("rejects an answer that `parse` refuses", async () => {
    mockFetch(() => Promise.resolve(answer('{"spot": "high"}', { status: 200 })));
    const parse = (body: unknown) => {
      if (typeof body === "object" && body !== null && "spot" in body && typeof body.spot === "number") {
        return body.spot;
      }
      throw new Error("spot is not a number");
    };

    const error = await failure(apiFetch("/api/v1/spot", { parse }));
    expect(error.code).toBe(CLIENT_ERROR_CODES.badResponse);
    expect(error.message).toBe("The server sent an answer in an unexpected shape (spot is not a number).");
  });

  it("treats statuses in `acceptStatuses` as answers", async () => {
    mockFetch(() => Promise.resolve(answer('{"status": "fail", "checks": {}}', { status: 503 })));
    await expect(apiFetch("/health/ready", { acceptStatuses: [503] })).resolves.toEqual({
      status: "fail",
      checks: {},
    });
  });

  it("gives up after `timeoutMs` with a timeout error", async () => {
    mockFetch(
      (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => {
            reject(init.signal?.reason as Error);
          });
        }),
    );

    const error = await failure(apiFetch("/api/v1/slow", { timeoutMs: 10 }));
    expect(error.status).toBe(0);
    expect(error.code).toBe(CLIENT_ERROR_CODES.timeout);
  });

  it("lets a cancellation by the caller through untouched", async () => {
    mockFetch(
      (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => {
            reject(new DOMException("The operation was aborted.", "AbortError"));
          });
        }),
    );
    const controller = new AbortController();
    const pending = apiFetch("/api/v1/spot", { signal: controller.signal });
    controller.abort();

    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});

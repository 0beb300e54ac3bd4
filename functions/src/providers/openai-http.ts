import type { z } from "zod";
import { FailedPreconditionError, UnavailableError, isAppError } from "../lib/errors";
import { logger } from "../lib/logging";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How the HTTP client reaches an OpenAI-compatible server. */
export type OpenAiHttpConfig = {
  /** Provider id used in logs. */
  providerId: string;
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`, an Azure deployment URL. */
  baseUrl: string;
  /** Empty for servers without authentication (local vLLM, Ollama). */
  apiKey: string;
  /** `authorization` sends `Bearer <key>`; `api-key` sends the key as Azure expects. @default "authorization" */
  authHeader?: "authorization" | "api-key";
  /** Appended as `?api-version=` (Azure OpenAI). */
  apiVersion?: string;
  /** Per-attempt limit: the whole response, or for streams the gap between chunks. @default 60000 */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, network errors and timeouts. @default 2 */
  maxRetries?: number;
  /** First backoff delay, doubled per retry with jitter. @default 500 */
  baseDelayMs?: number;
  /** Longest wait between attempts; a longer `Retry-After` gives up instead. @default 10000 */
  maxDelayMs?: number;
  fetch?: FetchLike;
  sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
};

export const DEFAULT_TIMEOUT_MS = 60_000;

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

class RetryableFailure extends Error {
  constructor(
    readonly final: UnavailableError,
    readonly retryAfterMs?: number,
  ) {
    super(final.message);
  }
}

/**
 * The provider's HTTP client: POSTs JSON with a timeout, retries transient failures with bounded
 * backoff, and maps every failure to a typed error. It never logs request or response bodies
 * (they hold prompts and outputs) nor the key.
 */
export function createOpenAiHttp(config: OpenAiHttpConfig) {
  const doFetch: FetchLike = config.fetch ?? ((input, init) => fetch(input, init));
  const sleep = config.sleep ?? realSleep;
  const random = config.random ?? Math.random;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = config.maxRetries ?? 2;
  const baseDelayMs = config.baseDelayMs ?? 500;
  const maxDelayMs = config.maxDelayMs ?? 10_000;

  const urlFor = (path: string): string => {
    const url = new URL(`${config.baseUrl.replace(/\/+$/, "")}${path}`);
    if (config.apiVersion) url.searchParams.set("api-version", config.apiVersion);
    return url.toString();
  };

  const headers = (): Record<string, string> => {
    const out: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
    if (config.apiKey) {
      if (config.authHeader === "api-key") out["api-key"] = config.apiKey;
      else out.Authorization = `Bearer ${config.apiKey}`;
    }
    return out;
  };

  /** One attempt: resolves with a 2xx response whose body the caller reads under `attemptSignal`. */
  async function attempt(path: string, body: unknown, attemptSignal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(urlFor(path), { method: "POST", headers: headers(), body: JSON.stringify(body), signal: attemptSignal });
    } catch (error) {
      throw new RetryableFailure(transportError(error));
    }
    if (res.ok) return res;
    await res.body?.cancel().catch(() => undefined);
    throw statusError(res, path);
  }

  function statusError(res: Response, path: string): Error {
    const status = res.status;
    if (status === 401 || status === 403) {
      logger.error("llm_provider_auth_failed", { provider: config.providerId, status, path, host: hostOf(config.baseUrl) });
      return new FailedPreconditionError("The model provider refused the configured credentials; check the provider API key.", { reason: "provider-auth", providerStatus: status });
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      const details: Record<string, unknown> = { reason: "provider-rate-limited", providerStatus: status };
      if (retryAfterMs !== undefined) details.retryAfterSeconds = Math.ceil(retryAfterMs / 1000);
      return new RetryableFailure(new UnavailableError("The model provider is rate limiting requests; try again shortly.", details), retryAfterMs);
    }
    if (RETRYABLE_STATUS.has(status)) {
      return new RetryableFailure(new UnavailableError("The model provider is unavailable; try again shortly.", { reason: "provider-unavailable", providerStatus: status }));
    }
    logger.warn("llm_provider_rejected_request", { provider: config.providerId, status, path });
    return new FailedPreconditionError(`The model provider rejected the request (HTTP ${status}); check the model name and limits.`, { reason: "provider-rejected", providerStatus: status });
  }

  /** Attempt state: an abort controller fed by the caller's deadline and an idle timer. */
  function openAttempt(signal: AbortSignal | undefined) {
    if (signal?.aborted) throw deadlineError();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const touch = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new DOMException("Provider request timed out", "TimeoutError")), timeoutMs);
    };
    const onOuterAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onOuterAbort, { once: true });
    touch();
    const close = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onOuterAbort);
    };
    return { signal: controller.signal, touch, close };
  }

  /**
   * Decides what follows a failed attempt: rethrows what is final, else waits the backoff (at
   * least the server's `Retry-After`) and returns so the caller tries again.
   */
  async function afterFailure(error: unknown, attemptNo: number, path: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw deadlineError();
    if (isAppError(error)) throw error;
    const failure = error instanceof RetryableFailure ? error : new RetryableFailure(transportError(error));
    if (attemptNo >= maxRetries) throw failure.final;
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > maxDelayMs) throw failure.final;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attemptNo * (0.5 + random() / 2));
    const delayMs = Math.round(Math.max(backoff, failure.retryAfterMs ?? 0));
    logger.warn("llm_provider_retry", { provider: config.providerId, path, attempt: attemptNo + 1, delayMs, reason: failure.final.details?.reason, providerStatus: failure.final.details?.providerStatus });
    try {
      await sleep(delayMs, signal);
    } catch {
      throw deadlineError();
    }
  }

  /**
   * POSTs and parses a JSON answer with `schema` (the parts the caller uses). Transient failures
   * are retried; an unparsable or unexpected answer is a provider fault and is not. `signal` is
   * the caller's overall deadline.
   */
  async function postJson<S extends z.ZodType>(path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.output<S>> {
    for (let attemptNo = 0; ; attemptNo++) {
      const state = openAttempt(signal);
      try {
        const res = await attempt(path, body, state.signal);
        let text: string;
        try {
          text = await res.text();
        } catch (error) {
          throw new RetryableFailure(transportError(error));
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw malformedResponse();
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) throw malformedResponse();
        return parsed.data;
      } catch (error) {
        await afterFailure(error, attemptNo, path, signal);
      } finally {
        state.close();
      }
    }
  }

  /**
   * POSTs and yields the response body as it arrives. Transient failures are retried until the
   * first chunk has been handed on (what was yielded cannot be taken back); after that a failure
   * is final. The timeout applies to the gap between chunks, so a long but live stream goes on.
   */
  async function* postStream(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<Uint8Array, void, void> {
    for (let attemptNo = 0; ; attemptNo++) {
      const state = openAttempt(signal);
      let yielded = false;
      try {
        const res = await attempt(path, body, state.signal);
        if (!res.body) throw malformedResponse();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            state.touch();
            yielded = true;
            yield chunk;
          }
        } catch (error) {
          if (yielded) throw streamFailure(error, signal);
          throw new RetryableFailure(transportError(error));
        }
        return;
      } catch (error) {
        if (yielded) throw error;
        await afterFailure(error, attemptNo, path, signal);
      } finally {
        state.close();
      }
    }
  }

  return { postJson, postStream };
}

export type OpenAiHttp = ReturnType<typeof createOpenAiHttp>;

/** Network failures and timeouts (ours or the deadline's) become UnavailableError. */
function transportError(error: unknown): UnavailableError {
  if (isAppError(error) && error instanceof UnavailableError) return error;
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return new UnavailableError("The model provider did not answer in time.", { reason: "provider-timeout" });
  }
  return new UnavailableError("The model provider could not be reached.", { reason: "provider-unreachable" });
}

/** A stream that broke after it started: cut by the server or the network, or timed out. */
function streamFailure(error: unknown, signal: AbortSignal | undefined): Error {
  if (isAppError(error)) return error;
  if (signal?.aborted) return deadlineError();
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return transportError(error);
  return new UnavailableError("The model provider's stream ended before it finished.", { reason: "provider-stream-cut" });
}

function deadlineError(): UnavailableError {
  return new UnavailableError("The model provider did not answer in time.", { reason: "provider-timeout" });
}

export function malformedResponse(): UnavailableError {
  return new UnavailableError("The model provider returned an invalid response.", { reason: "provider-malformed-response" });
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "invalid-url";
  }
}

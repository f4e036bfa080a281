// One HTTP client for every cart: timeouts, retries with exponential backoff and jitter, Retry-After,
// and a client-side token bucket (`rate-limit.ts`) so a normal run never meets a 429. Cart-specific
// meaning of a response (which 4xx is an auth failure, which body says "rate limited") is the
// adapter's `classify`.
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_HTTP, type HttpSettings } from './contract.js';
import {
  CartAuthError,
  CartClockError,
  CartError,
  CartRateLimitError,
  CartRequestError,
  CartResponseError,
  CartUnavailableError,
} from './errors.js';
import {
  isLimiterStopped,
  type LimitSpec,
  LocalLimiter,
  limitBucket,
  type RequestLimiter,
} from './rate-limit.js';

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body decoded as UTF-8. */
  text: string;
  /** The body as received, for carts that answer in another charset (makeshop's EUC-JP / Shift_JIS XML). */
  bytes?: Uint8Array;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the base URL (leading slash), or an absolute URL (Shopify's Link header). */
  path: string;
  query?: Record<string, string | number | undefined | null | Array<string | number>>;
  headers?: Record<string, string>;
  body?: string;
  /** Name of the operation, for the rate limiter and error messages (`searchOrder`). */
  operation: string;
  /**
   * False for a write that must not be repeated blindly (Shopify fulfillmentCreate adds a second
   * fulfillment): a lost answer (network error, timeout) or a 5xx may mean the cart acted, so it
   * throws at once and the caller re-reads before trying again. A 429 or a refused token is still
   * retried, the cart having acted on neither. Default true.
   */
  idempotent?: boolean;
}

export type Classified =
  | { kind: 'ok' }
  | { kind: 'auth'; message: string }
  /** The cart refused the request's signed time: retried once at once (the classifier corrected its clock). */
  | { kind: 'clock'; message: string }
  | { kind: 'rate-limited'; message: string; retryAfterMs: number | null }
  | { kind: 'unavailable'; message: string }
  | { kind: 'bad-request'; message: string };

/** Default meaning of HTTP statuses; adapters override for carts that put errors in 200 bodies. */
export function classifyByStatus(res: HttpResponse): Classified {
  if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
  const snippet = res.text.slice(0, 300);
  if (res.status === 401 || res.status === 403)
    return { kind: 'auth', message: `HTTP ${res.status}: ${snippet}` };
  if (res.status === 429)
    return { kind: 'rate-limited', message: `HTTP 429: ${snippet}`, retryAfterMs: retryAfterMs(res.headers) };
  if (res.status >= 500) return { kind: 'unavailable', message: `HTTP ${res.status}: ${snippet}` };
  return { kind: 'bad-request', message: `HTTP ${res.status}: ${snippet}` };
}

/** `Retry-After` in seconds (or an HTTP date) → ms. */
export function retryAfterMs(headers: Headers): number | null {
  const v = headers.get('retry-after');
  if (!v) return null;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export interface CartHttpClientOptions {
  cart: string;
  baseUrl: string;
  http?: Partial<HttpSettings>;
  /** Per-operation token buckets; `*` applies to every operation without its own. */
  limits?: Record<string, LimitSpec>;
  /**
   * Where the tokens come from: the Redis limiter every process shares (workers, scheduler, CLI), or
   * by default a `LocalLimiter` of this client alone.
   */
  limiter?: RequestLimiter;
  /**
   * Whom the cart counts the requests of (the shop, or the seller account): the bucket's name, so
   * every adapter of the same account shares it. Default: the base URL.
   */
  account?: string;
  classify?: (res: HttpResponse, req: HttpRequest) => Classified;
  /** Called before every attempt to add auth headers (may refresh a token). */
  authorize?: (req: HttpRequest) => Promise<Record<string, string>> | Record<string, string>;
  /**
   * Called when an attempt got no answer (a timeout, a hang cut off, a reset connection, an abort), so
   * an adapter that counts points in flight (Shopify's cost bucket) can stop counting that attempt.
   */
  onNoAnswer?: (req: HttpRequest) => void;
  /** Called once when the cart refuses the credentials: return true after refreshing to retry once. */
  onAuthFailure?: (req: HttpRequest, res: HttpResponse) => Promise<boolean>;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

export class CartHttpClient {
  readonly settings: HttpSettings;
  readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0 };
  readonly limiter: RequestLimiter;
  private readonly account: string;

  constructor(private readonly opts: CartHttpClientOptions) {
    this.settings = { ...DEFAULT_HTTP, ...opts.http };
    this.limiter = opts.limiter ?? new LocalLimiter();
    this.account = opts.account ?? opts.baseUrl;
  }

  /** The bucket an operation takes from (its own documented limit, else `*`), or none. */
  limitFor(operation: string): { bucket: string; spec: LimitSpec } | undefined {
    const limits = this.opts.limits ?? {};
    const name = operation in limits ? operation : '*' in limits ? '*' : null;
    if (name === null) return undefined;
    return { bucket: limitBucket(this.opts.cart, this.account, name), spec: limits[name]! };
  }

  /** Tokens from the limiter; a limiter that cannot answer (Redis down) is a transient failure. */
  private async limited(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      // Aborted by the caller, or not sent because the process is stopping: neither is the limiter's fault.
      if (isLimiterStopped(e) || (e instanceof Error && e.name === 'AbortError')) throw e;
      throw new CartUnavailableError(
        `${this.opts.cart}: rate limiter unavailable: ${e instanceof Error ? e.message : String(e)}`,
        this.opts.cart,
        null,
        { cause: e },
      );
    }
  }

  url(req: Pick<HttpRequest, 'path' | 'query'>): string {
    const u = /^https?:\/\//.test(req.path)
      ? new URL(req.path)
      : new URL(this.opts.baseUrl.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /** Sends with retries; resolves only with a response the classifier calls ok, else throws a CartError. */
  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const { maxAttempts } = this.settings;
    let authRetried = false;
    let clockRetried = false;
    let lastError: CartError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) this.stats.retries++;
      const limit = this.limitFor(req.operation);
      if (limit) await this.limited(() => this.limiter.take(limit.bucket, limit.spec, { signal }));
      let res: HttpResponse;
      try {
        res = await this.fetchOnce(req, signal);
      } catch (e) {
        if (limit?.spec.serial) await this.limited(() => this.limiter.answered(limit.bucket, limit.spec));
        this.opts.onNoAnswer?.(req);
        if (signal?.aborted) throw e;
        // A CartError from the authorize hook (a refused token refresh) is the answer, not a network blip.
        if (e instanceof CartError) throw e;
        lastError = new CartUnavailableError(
          `${this.opts.cart} ${req.operation}: ${e instanceof Error ? e.message : String(e)}`,
          this.opts.cart,
          null,
          { cause: e },
        );
        if (req.idempotent === false) throw lastError;
        await this.backoff(attempt, null, signal);
        continue;
      }
      if (limit?.spec.serial) await this.limited(() => this.limiter.answered(limit.bucket, limit.spec));
      const c = (this.opts.classify ?? classifyByStatus)(res, req);
      switch (c.kind) {
        case 'ok':
          return res;
        case 'auth':
          if (!authRetried && this.opts.onAuthFailure && (await this.opts.onAuthFailure(req, res))) {
            authRetried = true;
            attempt--; // a refreshed token is not a retry of a failure
            continue;
          }
          throw new CartAuthError(
            `${this.opts.cart} ${req.operation}: ${c.message}`,
            this.opts.cart,
            res.status,
          );
        case 'clock':
          if (!clockRetried) {
            clockRetried = true;
            attempt--; // the same request on a corrected clock, not a retry of a failure
            continue;
          }
          throw new CartClockError(
            `${this.opts.cart} ${req.operation}: ${c.message}`,
            this.opts.cart,
            res.status,
          );
        case 'bad-request':
          throw new CartRequestError(
            `${this.opts.cart} ${req.operation}: ${c.message}`,
            this.opts.cart,
            res.status,
          );
        case 'rate-limited':
          this.stats.rateLimited++;
          // Every process of the account waits: the cart counts them all.
          if (limit)
            await this.limited(() =>
              this.limiter.pause(
                limit.bucket,
                limit.spec,
                Math.min(c.retryAfterMs ?? 0, this.settings.maxDelayMs),
              ),
            );
          lastError = new CartRateLimitError(
            `${this.opts.cart} ${req.operation}: ${c.message}`,
            this.opts.cart,
            c.retryAfterMs,
            res.status,
          );
          await this.backoff(attempt, c.retryAfterMs, signal);
          continue;
        case 'unavailable':
          lastError = new CartUnavailableError(
            `${this.opts.cart} ${req.operation}: ${c.message}`,
            this.opts.cart,
            res.status,
          );
          if (req.idempotent === false) throw lastError;
          await this.backoff(attempt, null, signal);
          continue;
      }
    }
    throw (
      lastError ??
      new CartUnavailableError(`${this.opts.cart} ${req.operation}: no attempt made`, this.opts.cart)
    );
  }

  private async fetchOnce(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    this.stats.requests++;
    const auth = this.opts.authorize ? await this.opts.authorize(req) : {};
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const res = await fetch(this.url(req), {
      method: req.method,
      headers: { ...req.headers, ...auth },
      body: req.body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    return { status: res.status, headers: res.headers, text, bytes };
  }

  private async backoff(attempt: number, serverWaitMs: number | null, signal?: AbortSignal): Promise<void> {
    if (attempt >= this.settings.maxAttempts) return;
    const { baseDelayMs, maxDelayMs } = this.settings;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Full jitter spreads retries of many workers; the cart's own wait is a floor, not a suggestion.
    const jittered = exp / 2 + Math.random() * (exp / 2);
    const wait = Math.min(maxDelayMs, Math.max(jittered, serverWaitMs ?? 0));
    await sleep(wait, undefined, { signal });
  }
}

/**
 * A classifier that reads the body (Shopify GraphQL's errors and cost) parses it with this, and the
 * reader's parseJsonBody then takes that parse instead of parsing the page a second time: a
 * 250-order page is the largest JSON.parse of an import. Handed over once (the reader may change
 * what it got); a later parseJsonBody parses again.
 */
const parsedForReader = new WeakMap<HttpResponse, unknown>();

/** The body as JSON for a classifier, kept for the reader; undefined when it is not JSON. */
export function peekJsonBody(res: HttpResponse): unknown {
  if (parsedForReader.has(res)) return parsedForReader.get(res);
  let value: unknown;
  try {
    value = JSON.parse(res.text);
  } catch {
    return undefined;
  }
  parsedForReader.set(res, value);
  return value;
}

/** Parses a JSON body or throws a CartResponseError that says which call returned what. */
export function parseJsonBody(cart: string, operation: string, res: HttpResponse): unknown {
  if (parsedForReader.has(res)) {
    const value = parsedForReader.get(res);
    parsedForReader.delete(res);
    return value;
  }
  try {
    return JSON.parse(res.text);
  } catch {
    throw new CartResponseError(
      `${cart} ${operation}: response is not JSON (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content-type'}): ${res.text.slice(0, 120)}`,
      cart,
      res.status,
    );
  }
}

// A client-side token bucket: the HTTP client takes a token before every request so a normal run
// never meets a cart's 429, and the simulators use the same bucket to enforce the cart's limits.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** Token bucket: `ratePerSec` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Ms to wait before a token is available (0 = take it now). Takes the token when 0. */
  tryTake(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }

  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake();
      if (wait === 0) return;
      await sleep(wait, undefined, { signal });
    }
  }

  /** Drain the bucket (the server told us we are over its limit). */
  empty(): void {
    this.tokens = 0;
    this.last = this.clock();
  }
}

// ─── One limiter per store, shared by every process ──────────────────────────────────────────────
//
// A cart counts requests per shop or per seller account, not per process: four workers each pacing
// themselves at the documented rate would together send four times too many. The HTTP client
// therefore takes its tokens from a `RequestLimiter` keyed by the store's account and the bucket
// (`*`, or an operation with its own documented limit such as Amazon's confirmShipment). Workers,
// the scheduler and the CLI pass the Redis limiter (`infra/redis-limiter.ts`), which every process
// shares; tools without Redis (`juchu parse`, `simulate`, tests of one adapter) use `LocalLimiter`.

export interface LimitSpec {
  /** Tokens a second (requests, or Shopify cost points). */
  ratePerSec: number;
  /** At most this many saved up. */
  burst: number;
  /**
   * The next request of the bucket waits for this one's answer, then one interval (makeshop: "one
   * call after another"): `answered()` ends the hold; a process that dies mid-request holds it at
   * most `holdMs`.
   */
  serial?: { holdMs: number };
}

export interface TakeOptions {
  /** Tokens to take (Shopify's cost points). Default 1. */
  cost?: number;
  /** The caller's own abort: the wait ends with an AbortError. */
  signal?: AbortSignal;
  /**
   * The process is stopping once aborted (`stopWaiting`): a wait longer than MAX_SLEEP_MS then ends
   * with LimiterStopped, nothing sent; a shorter one is waited.
   */
  stop?: AbortSignal;
}

export interface RequestLimiter {
  /** Waits until `cost` (default 1) tokens of `bucket` are free and takes them. */
  take(bucket: string, spec: LimitSpec, opts?: TakeOptions): Promise<void>;
  /** A serial bucket's request was answered: the next one may go one interval from now. */
  answered(bucket: string, spec: LimitSpec): Promise<void>;
  /**
   * The cart said "over the limit" (429, Retry-After, THROTTLED, a quota answer): the bucket is empty
   * and nobody takes from it for `ms` (0: just empty).
   */
  pause(bucket: string, spec: LimitSpec, ms: number): Promise<void>;
  /**
   * A cost bucket's request was answered (Shopify): `taken` is what `take` took for it, `charged`
   * what the cart says it cost (the rest is given back; 0 for a throttled query, null: unknown), and
   * `available` what the cart says is left. The cart's count is the truth, less what is still in
   * flight from every process (taken, not yet answered).
   */
  settle(
    bucket: string,
    spec: LimitSpec,
    answer: { taken: number; charged: number | null; available: number | null },
  ): Promise<void>;
}

/**
 * Points taken this long ago without a settle are of a request that will never be settled (a dead
 * process, or a settle lost while Redis was down): twice the default HTTP timeout, since every
 * attempt is its own take and settle. They stop counting even while other requests keep taking.
 */
export const IN_FLIGHT_TTL_MS = 60_000;

/**
 * Points in flight by slot (a sixth of the TTL each), oldest first: a settle gives back from the
 * newest, and a slot past the TTL is dropped, so a lost settle costs the bucket at most the TTL.
 * The Redis limiter keeps the same ledger in its script.
 */
export class InFlightLedger {
  private slots: Array<{ slot: number; points: number }> = [];
  constructor(private readonly ttlMs = IN_FLIGHT_TTL_MS) {}

  private prune(now: number): number {
    const width = Math.max(1, Math.floor(this.ttlMs / 6));
    this.slots = this.slots.filter((e) => (e.slot + 1) * width + this.ttlMs > now);
    return Math.floor(now / width);
  }

  add(now: number, points: number): void {
    const slot = this.prune(now);
    const last = this.slots.at(-1);
    if (last?.slot === slot) last.points += points;
    else this.slots.push({ slot, points });
  }

  /** Gives `points` back (newest first); returns what is still in flight. */
  giveBack(now: number, points: number): number {
    this.prune(now);
    let back = points;
    while (back > 0 && this.slots.length) {
      const last = this.slots.at(-1)!;
      if (last.points > back) {
        last.points -= back;
        back = 0;
      } else {
        back -= last.points;
        this.slots.pop();
      }
    }
    return this.slots.reduce((n, e) => n + e.points, 0);
  }
}

/**
 * A request was still waiting for its token, more than one sleep (MAX_SLEEP_MS) away, when the
 * process began to stop: it was not sent. Tested by name (`isLimiterStopped`): the Redis limiter
 * (infra/, which may not import carts/) throws its own of the same name.
 */
export class LimiterStopped extends Error {
  override name = 'LimiterStopped';
}

export function isLimiterStopped(e: unknown): boolean {
  return e instanceof Error && e.name === 'LimiterStopped';
}

/**
 * The limiter with the process's stop signal (workers/worker.ts passes its Shutdown's): once it
 * fires, a `take` whose token is more than a second away ends at once with LimiterStopped instead of
 * waiting out the bucket (a pause after a 429 can last minutes), so the job is retried and the
 * process exits promptly. The short waits of normal pacing are still waited, so running work
 * finishes as before; a request already sent is never cut off.
 */
export function stopWaiting(limiter: RequestLimiter, stop: AbortSignal): RequestLimiter {
  return {
    take: (bucket, spec, opts = {}) => limiter.take(bucket, spec, { ...opts, stop }),
    answered: (bucket, spec) => limiter.answered(bucket, spec),
    pause: (bucket, spec, ms) => limiter.pause(bucket, spec, ms),
    settle: (bucket, spec, answer) => limiter.settle(bucket, spec, answer),
  };
}

/** A limiter's longest sleep before it asks its bucket again. */
export const MAX_SLEEP_MS = 1_000;

/**
 * The bucket a store's requests take from: `<cart>-<account>-<bucket>`, where account names the
 * shop or seller the cart counts by. Secrets (a refresh token) are hashed; nothing in it is `:` or
 * `{}`, so the Redis key stays in the slot of the queue prefix's hash tag.
 */
export function limitBucket(cart: string, account: string, bucket: string): string {
  const safe = (s: string) => s.replace(/[^\w.-]/g, '_');
  return `${cart}-${safe(account)}-${safe(bucket)}`;
}

/** A short stable id for an account known only by a secret (Amazon's refresh token). */
export function accountOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function stoppedWaiting(bucket: string, waitMs: number): LimiterStopped {
  return new LimiterStopped(
    `not sent: the process is stopping (the request would have waited ${Math.ceil(waitMs / 1000)} s for a rate-limit token of ${bucket})`,
  );
}

/** Sleeps `ms`; a stop (not the caller's abort) ends the sleep early, without an error. */
async function sleepUnlessStopped(ms: number, opts: TakeOptions): Promise<void> {
  const { signal, stop } = opts;
  if (!stop || stop.aborted) return sleep(ms, undefined, { signal });
  try {
    await sleep(ms, undefined, { signal: signal ? AbortSignal.any([signal, stop]) : stop });
  } catch (e) {
    if (signal?.aborted || !stop.aborted) throw e;
  }
}

/**
 * The in-process limiter: one bucket per name in this process only. For tools without Redis and for
 * an adapter of its own; never what two processes of the same store should use.
 */
export class LocalLimiter implements RequestLimiter {
  private readonly buckets = new Map<
    string,
    {
      tokens: number;
      at: number;
      held: number;
      inFlight: InFlightLedger;
      /** A cost bucket's size and rate as the cart last reported them (as in the Redis limiter). */
      reported?: LimitSpec;
    }
  >();
  constructor(
    private readonly clock: () => number = () => performance.now(),
    private readonly inFlightTtlMs = IN_FLIGHT_TTL_MS,
  ) {}

  private state(bucket: string, given: LimitSpec) {
    let s = this.buckets.get(bucket);
    if (!s) {
      s = {
        tokens: given.burst,
        at: this.clock(),
        held: 0,
        inFlight: new InFlightLedger(this.inFlightTtlMs),
      };
      this.buckets.set(bucket, s);
    }
    const spec = s.reported ?? given;
    const now = this.clock();
    // `at` in the future is a pause (or a serial hold): no refill until then.
    if (now > s.at) {
      s.tokens = Math.min(spec.burst, s.tokens + ((now - s.at) / 1000) * spec.ratePerSec);
      s.at = now;
    }
    return { s, now, spec };
  }

  /** Ms to wait (0: taken now). */
  tryTake(bucket: string, given: LimitSpec, cost = 1): number {
    const { s, now, spec } = this.state(bucket, given);
    const need = Math.min(cost, spec.burst);
    // A serial bucket's request in flight: poll, its answer usually comes long before the hold ends.
    if (s.held > now) return Math.max(1, Math.min(s.held - now, Math.ceil(50 / spec.ratePerSec)));
    if (s.at <= now && s.tokens >= need) {
      s.tokens -= need;
      if (spec.serial) s.held = now + spec.serial.holdMs;
      s.inFlight.add(now, need);
      return 0;
    }
    return Math.max(1, Math.ceil(Math.max(0, s.at - now) + ((need - s.tokens) / spec.ratePerSec) * 1000));
  }

  async take(bucket: string, spec: LimitSpec, opts: TakeOptions = {}) {
    for (;;) {
      const wait = this.tryTake(bucket, spec, opts.cost);
      if (wait === 0) return;
      if (opts.stop?.aborted && wait > MAX_SLEEP_MS) throw stoppedWaiting(bucket, wait);
      // Asked again at least every second: a settle may shorten the wait. A stop wakes it to ask now.
      await sleepUnlessStopped(Math.min(wait, MAX_SLEEP_MS), opts);
    }
  }

  async answered(bucket: string, spec: LimitSpec): Promise<void> {
    const { s, now } = this.state(bucket, spec);
    s.held = 0;
    s.tokens = Math.min(s.tokens, 0);
    s.at = Math.max(s.at, now);
  }

  async pause(bucket: string, spec: LimitSpec, ms: number): Promise<void> {
    const { s, now } = this.state(bucket, spec);
    s.tokens = 0;
    s.at = Math.max(s.at, now + Math.max(0, ms));
  }

  async settle(
    bucket: string,
    given: LimitSpec,
    answer: { taken: number; charged: number | null; available: number | null },
  ): Promise<void> {
    const { s, now } = this.state(bucket, given);
    // An answer with the bucket's count comes with its size and rate: they are the truth from now on.
    if (answer.available !== null) s.reported = given;
    const spec = s.reported ?? given;
    const inFlight = s.inFlight.giveBack(now, answer.taken);
    if (answer.charged !== null)
      s.tokens = Math.min(spec.burst, s.tokens + Math.max(0, answer.taken - answer.charged));
    if (answer.available !== null) s.tokens = Math.min(spec.burst, Math.max(0, answer.available - inFlight));
  }
}

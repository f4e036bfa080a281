// The request limiter every process of juchu shares: one token bucket per store (or seller account)
// and bucket in Redis, changed only by one Lua script so that taking a token is atomic across worker
// processes, the scheduler and the CLI. Time is Redis's own (TIME), so the processes' clocks need
// not agree. A cart's "over the limit" answer (429 with Retry-After, Shopify THROTTLED) pauses the
// bucket for every process. It implements `RequestLimiter` of carts/rate-limit.ts (infra/ may not
// import carts/; the shapes match).
//
// Keys are `<queue prefix>:ratelimit:<bucket>`: under a hash-tagged prefix (`{juchu}`) every key of
// the prefix lives in one Redis Cluster slot, as BullMQ's own keys do; each script call touches one
// key anyway. A bucket left alone expires once it would be full again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';

/** As carts/rate-limit.ts IN_FLIGHT_TTL_MS. */
const IN_FLIGHT_TTL_MS = 60_000;
/** As carts/rate-limit.ts MAX_SLEEP_MS. */
const MAX_SLEEP_MS = 1_000;

/** The same shape as carts/rate-limit.ts LimitSpec. */
export interface RedisLimitSpec {
  ratePerSec: number;
  burst: number;
  serial?: { holdMs: number };
}

// State: hash { t = tokens, at = ms from which tokens accrue (in the future: a pause), held = ms
// until which a serial bucket's request in flight holds it, fls = tokens taken by requests not yet
// answered (cost buckets), as "slot:tokens,…" per sixth of the in-flight TTL: a settle takes them
// back newest first, and a slot older than the TTL is dropped, so points whose settle never came
// (Redis was down when the answer came, a dead process) stop counting after the TTL even while other
// requests keep taking; r and b = the rate and size the cart last
// reported (cost buckets: they override the caller's spec, which before its first answer is only an
// assumption) }. ARGV: mode, rate (tokens/s), burst, amount
// (cost, or ms), holdMs (serial, else 0), in-flight TTL (ms); for `settle` also charged and
// available (-1: unknown). Returns the ms to wait before trying again
// (0: done; for `take`, the tokens were taken). A held bucket is polled every 1/20 interval, since
// its answer usually comes long before the hold would run out.
const SCRIPT = `
local mode = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local hold = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 't', 'at', 'held', 'fls', 'r', 'b')
local reported = mode == 'settle' and tonumber(ARGV[8]) >= 0
if reported then
  redis.call('HSET', KEYS[1], 'r', tostring(rate), 'b', tostring(burst))
elseif tonumber(h[5]) and tonumber(h[6]) then
  rate = tonumber(h[5])
  burst = tonumber(h[6])
end
local tokens = tonumber(h[1]) or burst
local at = tonumber(h[2]) or now
local held = tonumber(h[3]) or 0
local width = math.max(1, math.floor(ttl / 6))
local slot = math.floor(now / width)
local ledger = {}
for s, n in string.gmatch(h[4] or '', '(%d+):([%d%.]+)') do
  if (tonumber(s) + 1) * width + ttl > now then ledger[#ledger + 1] = { tonumber(s), tonumber(n) } end
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
  at = now
end
local wait = 0
if mode == 'take' then
  local need = math.min(amount, burst)
  if held > now then
    wait = math.max(1, math.min(held - now, math.ceil(50 / rate)))
  elseif at <= now and tokens >= need then
    tokens = tokens - need
    if hold > 0 then held = now + hold end
    local last = ledger[#ledger]
    if last and last[1] == slot then last[2] = last[2] + need else ledger[#ledger + 1] = { slot, need } end
  else
    wait = math.max(1, math.ceil(math.max(0, at - now) + (need - tokens) / rate * 1000))
  end
elseif mode == 'answered' then
  held = 0
  tokens = math.min(tokens, 0)
  at = math.max(at, now)
elseif mode == 'pause' then
  tokens = 0
  at = math.max(at, now + math.max(0, amount))
elseif mode == 'settle' then
  local charged = tonumber(ARGV[7])
  local available = tonumber(ARGV[8])
  local back = amount
  while back > 0 and #ledger > 0 do
    local last = ledger[#ledger]
    if last[2] > back then last[2] = last[2] - back; back = 0 else back = back - last[2]; ledger[#ledger] = nil end
  end
  local fl = 0
  for _, e in ipairs(ledger) do fl = fl + e[2] end
  if charged >= 0 then tokens = math.min(burst, tokens + math.max(0, amount - charged)) end
  if available >= 0 then tokens = math.min(burst, math.max(0, available - fl)) end
end
local parts = {}
for _, e in ipairs(ledger) do parts[#parts + 1] = string.format('%d:%s', e[1], tostring(e[2])) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at), 'held', tostring(held),
  'fls', table.concat(parts, ','))
redis.call('HDEL', KEYS[1], 'fl', 'flat')
local full = math.max(0, at - now, held - now) + (burst - tokens) / rate * 1000
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(full, ttl)) + 60000)
return wait
`;

/** As carts/rate-limit.ts LimiterStopped: callers test the name (infra/ may not import carts/). */
export class RedisLimiterStopped extends Error {
  override name = 'LimiterStopped';
}

/** Sleeps `ms`; a stop (not the caller's abort) ends the sleep early, without an error. */
async function sleepUnlessStopped(ms: number, signal?: AbortSignal, stop?: AbortSignal): Promise<void> {
  if (!stop || stop.aborted) return sleep(ms, undefined, { signal });
  try {
    await sleep(ms, undefined, { signal: signal ? AbortSignal.any([signal, stop]) : stop });
  } catch (e) {
    if (signal?.aborted || !stop.aborted) throw e;
  }
}

type BucketCommand = (key: string, ...args: Array<string | number>) => Promise<number>;

export class RedisLimiter {
  private readonly run: BucketCommand;
  /** Calls that had to wait, and for how long in all (for benchmarks and logs). */
  readonly stats = { takes: 0, waits: 0, waitedMs: 0, pauses: 0 };

  constructor(
    redis: Redis | Cluster,
    private readonly prefix: string,
    /** How long points taken count as in flight without a settle (tests shorten it). */
    private readonly inFlightTtlMs = IN_FLIGHT_TTL_MS,
  ) {
    // V2: the in-flight ledger by slot (V1 kept one count that never expired under steady takes).
    const name = 'juchuRateLimitV2';
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua: SCRIPT });
    const cmd = (redis as unknown as Record<string, BucketCommand>)[name]!;
    this.run = (key, ...args) => cmd.call(redis, key, ...args);
  }

  /** The Redis key of a bucket. */
  key(bucket: string): string {
    return `${this.prefix}:ratelimit:${bucket}`;
  }

  private call(
    mode: string,
    bucket: string,
    spec: RedisLimitSpec,
    amount: number,
    ...extra: number[]
  ): Promise<number> {
    return this.run(
      this.key(bucket),
      mode,
      spec.ratePerSec,
      spec.burst,
      amount,
      spec.serial?.holdMs ?? 0,
      this.inFlightTtlMs,
      ...extra,
    );
  }

  async take(
    bucket: string,
    spec: RedisLimitSpec,
    opts: { cost?: number; signal?: AbortSignal; stop?: AbortSignal } = {},
  ) {
    this.stats.takes++;
    for (let waited = false; ; waited = true) {
      const wait = Number(await this.call('take', bucket, spec, opts.cost ?? 1));
      if (wait === 0) return;
      // The process is stopping: a wait longer than one sleep is given up (nothing was sent), the
      // short waits of normal pacing are still waited (carts/rate-limit.ts TakeOptions.stop).
      if (opts.stop?.aborted && wait > MAX_SLEEP_MS)
        throw new RedisLimiterStopped(
          `not sent: the process is stopping (the request would have waited ${Math.ceil(wait / 1000)} s for a rate-limit token of ${bucket})`,
        );
      if (!waited) this.stats.waits++;
      // Asked again at least every second: a settle or a reported size may shorten the wait (a new
      // adapter's first take waits by an assumed, slower rate until another process's answer). A
      // stop wakes it to ask at once.
      const ms = Math.min(wait, MAX_SLEEP_MS);
      this.stats.waitedMs += ms;
      await sleepUnlessStopped(ms, opts.signal, opts.stop);
    }
  }

  async answered(bucket: string, spec: RedisLimitSpec): Promise<void> {
    await this.call('answered', bucket, spec, 0);
  }

  async pause(bucket: string, spec: RedisLimitSpec, ms: number): Promise<void> {
    this.stats.pauses++;
    await this.call('pause', bucket, spec, Math.ceil(ms));
  }

  async settle(
    bucket: string,
    spec: RedisLimitSpec,
    answer: { taken: number; charged: number | null; available: number | null },
  ): Promise<void> {
    await this.call('settle', bucket, spec, answer.taken, answer.charged ?? -1, answer.available ?? -1);
  }
}

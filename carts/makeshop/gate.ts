// One gate per shop and API in this process: every adapter of the shop (import, re-import, status
// updates) goes through it, one call after another, as makeshop requires of the classic API [V] (and,
// by our guess, of the next-generation one [I]). The next attempt starts one interval after the
// previous one *answered* — not after it was sent — so that however the network delays a request,
// makeshop never sees two within the interval. `burst` is ignored: makeshop allows none.
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_HTTP, type HttpSettings, type RateLimits } from '../contract.js';

export class ShopGate {
  private tail: Promise<unknown> = Promise.resolve();
  private last = Number.NEGATIVE_INFINITY;
  constructor(readonly intervalMs: number) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Before every attempt (retries included). */
  async space(): Promise<void> {
    const wait = this.last + this.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    this.last = performance.now();
  }

  /** After every answer, and with the cart's own wait after a refusal. */
  answered(extraMs = 0): void {
    this.last = performance.now() + extraMs;
  }
}

const GATES = new Map<string, ShopGate>();

/** The gate of one shop (`key`: the API, its URL and the shop's credential id) at one rate. */
export function gateFor(key: string, limit: { ratePerSec: number }): ShopGate {
  const k = `${key}|${limit.ratePerSec}`;
  let g = GATES.get(k);
  if (!g) {
    g = new ShopGate(1000 / limit.ratePerSec);
    GATES.set(k, g);
  }
  return g;
}

/**
 * The same rule for the limiter every process shares (`opts.limiter`): one serial bucket for the
 * shop's API, the next request one interval after the previous answer. A process that dies
 * mid-request holds it no longer than a request may take.
 */
export function serialLimits(
  limit: { ratePerSec: number; burst: number },
  http: Partial<HttpSettings> | undefined,
): RateLimits {
  const timeoutMs = http?.timeoutMs ?? DEFAULT_HTTP.timeoutMs;
  return { '*': { ratePerSec: limit.ratePerSec, burst: 1, serial: { holdMs: timeoutMs + 1000 } } };
}

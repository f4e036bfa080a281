// A client-side token bucket: the HTTP client takes a token before every request so a normal run
// never meets a cart's 429, and the simulators use the same bucket to enforce the cart's limits.
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

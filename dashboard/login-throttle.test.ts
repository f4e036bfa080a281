import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  DEVICE_RULE,
  delaySeconds,
  type Failures,
  secondsToWait,
} from './login-throttle.js';

const now = new Date('2026-12-02T10:00:00+09:00');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const none: Failures = { count: 0, last: null };

describe('login throttle', () => {
  it('lets the first failures pass, then doubles the wait up to its cap', () => {
    const account = Array.from({ length: 16 }, (_, n) => delaySeconds(ACCOUNT_RULE, n));
    expect(account).toEqual([0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    expect(delaySeconds(ACCOUNT_RULE, 10_000)).toBe(300);
    expect(delaySeconds(ADDRESS_RULE, 19)).toBe(0);
    expect([20, 21, 25, 26, 27, 100].map((n) => delaySeconds(ADDRESS_RULE, n))).toEqual([
      1, 2, 32, 60, 60, 60,
    ]);
    expect([4, 5, 6, 11].map((n) => delaySeconds(DEVICE_RULE, n))).toEqual([0, 1, 2, 60]);
  });

  it('waits from the latest failure, for the longest of the login and the address', () => {
    expect(secondsToWait({ account: none, address: none, device: null }, now)).toBe(0);
    expect(secondsToWait({ account: { count: 7, last: ago(1) }, address: none, device: null }, now)).toBe(7);
    expect(secondsToWait({ account: { count: 7, last: ago(8) }, address: none, device: null }, now)).toBe(0);
    // Free failures never wait, even one written a moment "after" now (a transaction that queued).
    expect(secondsToWait({ account: { count: 2, last: ago(-0.2) }, address: none, device: null }, now)).toBe(
      0,
    );
    // An office address with a spraying attacker behind it: at most a minute for a browser without a cookie.
    expect(
      secondsToWait(
        { account: { count: 1, last: ago(1) }, address: { count: 500, last: ago(0) }, device: null },
        now,
      ),
    ).toBe(60);
    expect(
      secondsToWait(
        { account: { count: 13, last: ago(0) }, address: { count: 500, last: ago(0) }, device: null },
        now,
      ),
    ).toBe(300);
  });

  it('holds a browser with the login’s device cookie only to its own failures', () => {
    const attacked = { account: { count: 5000, last: ago(0) }, address: { count: 5000, last: ago(0) } };
    expect(secondsToWait({ ...attacked, device: none }, now)).toBe(0);
    expect(secondsToWait({ ...attacked, device: { count: 4, last: ago(0) } }, now)).toBe(0);
    expect(secondsToWait({ ...attacked, device: { count: 6, last: ago(0) } }, now)).toBe(2);
    expect(secondsToWait({ ...attacked, device: null }, now)).toBe(300);
  });
});

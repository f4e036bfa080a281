// How long a login attempt waits after failures: growing delays, never a lockout an attacker can
// set off against the real user (OWASP's device cookies). A browser that logged in as this login
// before (it shows a valid device cookie) is held back only by its own failures, so guesses from
// anywhere else cannot keep the real user out. Every other attempt waits for the failures against the
// login and for those from its address (a shop's office shares one); each wait doubles per failure
// past a free allowance, up to a cap, counted over the last FAILURE_MEMORY_HOURS. Pure: the failures
// are read from login_failures (db/login-failures.ts).

export interface ThrottleRule {
  /** Failures before any wait: a typo or two costs nothing. */
  free: number;
  /** The wait after the first failure past the free ones; doubles with each further failure. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

/** Failures against one login from browsers it has not logged in from. */
export const ACCOUNT_RULE: ThrottleRule = { free: 5, firstDelaySeconds: 2, maxDelaySeconds: 300 };
/** Failures from one address (any login) without a device cookie: password spraying. */
export const ADDRESS_RULE: ThrottleRule = { free: 20, firstDelaySeconds: 1, maxDelaySeconds: 60 };
/** Failures from one browser with a device cookie for the login (a cookie thief is held back too). */
export const DEVICE_RULE: ThrottleRule = { free: 5, firstDelaySeconds: 1, maxDelaySeconds: 60 };
/** Failures older than this are forgotten (and pruned). */
export const FAILURE_MEMORY_HOURS = 24;

export interface Failures {
  count: number;
  /** The latest failure; null when there are none. */
  last: Date | null;
}

export interface LoginHistory {
  /** Failures against this login, not counting those from browsers with its device cookie. */
  account: Failures;
  /** Failures from this address without a device cookie. */
  address: Failures;
  /** This browser's own failures, when it shows a valid device cookie for this login; else null. */
  device: Failures | null;
}

/** The wait owed after `failures` failures under `rule`, in seconds. */
export function delaySeconds(rule: ThrottleRule, failures: number): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.maxDelaySeconds, rule.firstDelaySeconds * 2 ** (failures - rule.free));
}

/** Seconds until this attempt may check a password (0: now). */
export function secondsToWait(history: LoginHistory, now: Date): number {
  const owed: Array<[ThrottleRule, Failures]> = history.device
    ? [[DEVICE_RULE, history.device]]
    : [
        [ACCOUNT_RULE, history.account],
        [ADDRESS_RULE, history.address],
      ];
  let wait = 0;
  for (const [rule, f] of owed) {
    const delay = delaySeconds(rule, f.count);
    if (!f.last || delay === 0) continue;
    const until = f.last.getTime() + delay * 1000;
    wait = Math.max(wait, Math.ceil((until - now.getTime()) / 1000));
  }
  return wait;
}

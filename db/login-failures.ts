// Failed dashboard logins (`login_failures`), read by the throttle in dashboard/login-throttle.ts.
// An attempt is written as a failure *before* its password is checked, in a transaction that holds
// the login's and the address's advisory locks: racing guesses queue and each sees the others, so a
// burst of parallel requests gets no more tries than a patient attacker. A success takes its row back.
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface LoginClient {
  /** Lower case, as typed. */
  login: string;
  address: string;
  /** The device id of a valid device cookie for this login, or null. */
  device: string | null;
}

export interface FailureCount {
  count: number;
  last: Date | null;
}

export interface LoginFailureCounts {
  account: FailureCount;
  address: FailureCount;
  device: FailureCount | null;
  /**
   * The database's clock when the locks were held (clock_timestamp(), not now(): a transaction that
   * began before it waited for the lock would otherwise see the failures it waited for in its future).
   */
  now: Date;
}

/** Serializes attempts for the same login or from the same address until the transaction ends. */
async function lockLoginClient(trx: Db, c: LoginClient): Promise<void> {
  // Always login then address: one order, so two attempts never wait on each other in a circle.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`juchu-login:${c.login}`}, 0)),
                   pg_advisory_xact_lock(hashtextextended(${`juchu-address:${c.address}`}, 0))`.execute(trx);
}

/** The failures of the last `hours` that concern this attempt. */
async function countLoginFailures(trx: Db, c: LoginClient, hours: number): Promise<LoginFailureCounts> {
  const r = await sql<{
    account_n: number;
    account_last: Date | null;
    address_n: number;
    address_last: Date | null;
    device_n: number;
    device_last: Date | null;
    now: Date;
  }>`
    SELECT
      count(*) FILTER (WHERE login = ${c.login} AND device IS NULL) AS account_n,
      max(failed_at) FILTER (WHERE login = ${c.login} AND device IS NULL) AS account_last,
      count(*) FILTER (WHERE address = ${c.address} AND device IS NULL) AS address_n,
      max(failed_at) FILTER (WHERE address = ${c.address} AND device IS NULL) AS address_last,
      count(*) FILTER (WHERE device = ${c.device}) AS device_n,
      max(failed_at) FILTER (WHERE device = ${c.device}) AS device_last,
      clock_timestamp() AS now
    FROM login_failures
    WHERE failed_at > now() - make_interval(hours => ${hours})
      AND ((login = ${c.login} AND device IS NULL) OR (address = ${c.address} AND device IS NULL)
           OR device = ${c.device})`.execute(trx);
  const row = r.rows[0]!;
  return {
    account: { count: row.account_n, last: row.account_last },
    address: { count: row.address_n, last: row.address_last },
    device: c.device === null ? null : { count: row.device_n, last: row.device_last },
    now: row.now,
  };
}

/** Writes a failure; returns its id (to take it back if the password was right). */
async function recordLoginFailure(trx: Db, c: LoginClient): Promise<number> {
  const r = await trx
    .insertInto('login_failures')
    .values({ login: c.login, address: c.address, device: c.device, failed_at: sql<Date>`clock_timestamp()` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Lets an attempt check its password or not. In one transaction, holding the login's and the
 * address's locks: the failures of the last `hours` are counted, `wait` (the throttle policy) says how
 * long this attempt must still wait, and if not at all the attempt is written as a failure up front.
 * Returns the wait (attemptId null) or the attempt's row (wait 0), to clear if the password is right.
 */
export async function claimLoginAttempt(
  db: Db,
  c: LoginClient,
  hours: number,
  wait: (counts: LoginFailureCounts) => number,
): Promise<{ waitSeconds: number; attemptId: number | null }> {
  return db.transaction().execute(async (trx) => {
    await lockLoginClient(trx, c);
    const waitSeconds = wait(await countLoginFailures(trx, c, hours));
    return waitSeconds > 0
      ? { waitSeconds, attemptId: null }
      : { waitSeconds: 0, attemptId: await recordLoginFailure(trx, c) };
  });
}

/**
 * After a success: the attempt's own row, and this client's earlier failures for the login (its
 * device's, or those from its address without a cookie). Failures from elsewhere stay counted.
 */
export async function clearLoginFailures(db: Db, c: LoginClient, attemptId: number): Promise<void> {
  await db
    .deleteFrom('login_failures')
    .where((eb) =>
      eb.or([
        eb('id', '=', attemptId),
        c.device === null
          ? eb.and([eb('login', '=', c.login), eb('address', '=', c.address), eb('device', 'is', null)])
          : eb.and([eb('login', '=', c.login), eb('device', '=', c.device)]),
      ]),
    )
    .execute();
}

/** Deletes failures older than `hours`; returns how many. */
export async function pruneLoginFailures(db: Db, hours: number): Promise<number> {
  const r = await db
    .deleteFrom('login_failures')
    .where('failed_at', '<', sql<Date>`now() - make_interval(hours => ${hours})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

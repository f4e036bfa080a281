// One way to open the database: a pg Pool with an error listener (an idle client dying must not kill
// the process), a finite connect timeout, and int8/numeric parsed as numbers where they are safe.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { logger } from './logger.js';

// int8 (count(*), sum(), bigint money) arrives as a string by default; our values fit in 2^53.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds JavaScript's safe integer range`);
  return n;
});
// `date` stays a plain 'YYYY-MM-DD' string: a Date would shift it by the process's time zone.
pg.types.setTypeParser(1082, (v) => v);

export interface DbOptions {
  max?: number;
  applicationName?: string;
}

export function createPool(url: string, opts: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'juchu',
  });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle postgres client error (will reconnect)'));
  // pg-pool listens for errors only on idle clients. A client lent out — a transaction between two
  // statements, a job awaiting something while it holds one — that loses its server (PostgreSQL
  // restarting, a failover, a killed backend) emits 'error' with no listener, and that kills the
  // process. With this listener the statement in flight or the next one fails instead (the
  // transaction rolls back, the job is retried) and the pool discards the broken client.
  pool.on('connect', (client) => {
    client.on('error', (err) =>
      logger.warn(
        { err: err.message },
        'postgres connection lost while in use (its work fails and is retried)',
      ),
    );
  });
  return pool;
}

/** A Kysely over a fresh pool; the schema type comes from the caller (`db/db.ts`), so infra knows no table. */
export function createKysely<DB>(url: string, opts: DbOptions = {}): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(url, opts) }) });
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/** True for errors that mean "run the transaction again": deadlocks and serialization failures. */
export function isRetryableTxError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && RETRYABLE.has((e as { code?: string }).code ?? '');
}

/** Runs `fn` in a transaction, retrying it on deadlock / serialization failure with a short jittered wait. */
export async function withTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Kysely<DB>) => Promise<T>,
  opts: { attempts?: number; isolation?: 'read committed' | 'repeatable read' | 'serializable' } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 8;
  for (let i = 1; ; i++) {
    try {
      const tx = opts.isolation ? db.transaction().setIsolationLevel(opts.isolation) : db.transaction();
      return await tx.execute(fn);
    } catch (e) {
      if (i >= attempts || !isRetryableTxError(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * i));
    }
  }
}

// The database's clock. Window ends, cursors and the times juchu writes come from PostgreSQL's
// now(), not from the process: a worker whose clock runs ahead (or behind) must neither push a
// cursor into the future nor leave a gap (issue 15). `databaseNow` asks; `databaseClock` keeps the
// offset to the database so that synchronous `now()` callers (use-case deps) read database time.
import { sql } from 'kysely';
import type { Db } from './db.js';

export async function databaseNow(db: Db): Promise<Date> {
  const r = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
  return new Date(r.rows[0]!.now);
}

export interface DatabaseClock {
  /** Database time: the process clock corrected by the offset last measured. */
  now: () => Date;
  /** Measures the offset again (half the round trip is taken as the query's moment). */
  sync: () => Promise<number>;
  /** The offset last measured, in ms (database minus process). */
  offsetMs: () => number;
  stop: () => void;
}

/**
 * A clock that follows the database's, measured now and every `everyMs` after. `processNow` is the
 * process's own clock (tests give one that runs ahead, as a machine's might).
 */
export async function databaseClock(
  db: Db,
  everyMs = 60_000,
  processNow: () => number = Date.now,
): Promise<DatabaseClock> {
  let offset = 0;
  const sync = async () => {
    const before = processNow();
    const r = await sql<{
      ms: string;
    }>`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint::text AS ms`.execute(db);
    const after = processNow();
    offset = Number(r.rows[0]!.ms) - (before + after) / 2;
    return offset;
  };
  await sync();
  const timer = setInterval(() => void sync().catch(() => undefined), everyMs);
  timer.unref();
  return {
    now: () => new Date(processNow() + offset),
    sync,
    offsetMs: () => offset,
    stop: () => clearInterval(timer),
  };
}

// Where a store's import stands: its cursor (every order the cart changed before it is in) and the
// end of the window being worked through. An import commits both as it goes, page by page or
// sub-window by sub-window, so a retry resumes instead of listing the window from its start.
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface ImportPosition {
  cursor: Date | null;
  /** The window an earlier attempt made progress in and did not finish; null when none. */
  windowTo: Date | null;
  /** The database's time as the position was read. */
  dbNow: Date;
}

/** Read after the lease is taken (the store row a job read at its start may be old). */
export async function readImportPosition(db: Db, storeId: number): Promise<ImportPosition> {
  const r = await sql<{ import_cursor: Date | null; import_window_to: Date | null; now: Date }>`
    SELECT import_cursor, import_window_to, now() AS now FROM stores WHERE id = ${storeId}`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error(`store ${storeId} does not exist`);
  return { cursor: row.import_cursor, windowTo: row.import_window_to, dbNow: new Date(row.now) };
}

/**
 * Progress inside a window: everything changed before `at` is stored. Forward only, inside the
 * window, never beyond the database's time; the window's end is kept with the first progress, so a
 * retry finishes this window (from the cursor) before starting the next. True when the cursor moved.
 */
export async function checkpointCursor(db: Db, storeId: number, at: Date, windowTo: Date): Promise<boolean> {
  const r = await sql`
    UPDATE stores SET import_cursor = ${at}, import_window_to = COALESCE(import_window_to, ${windowTo}::timestamptz)
    WHERE id = ${storeId} AND ${at}::timestamptz <= now() AND ${at}::timestamptz < ${windowTo}::timestamptz
      AND (import_window_to IS NULL OR ${at}::timestamptz < import_window_to)
      AND (import_cursor IS NULL OR import_cursor < ${at}::timestamptz)`.execute(db);
  return Number(r.numAffectedRows ?? 0) === 1;
}

/**
 * A cursor beyond the database's time (written by a process whose clock ran ahead) is refused: it is
 * set back to the last point every earlier import is known to have reached — the latest end of a
 * completed window, or its start where the window ended after the run itself began (that window
 * listed only what existed when it ran) — and the window in progress is dropped. Returns the cursor
 * refused and the one set, or null when the cursor was sane.
 */
export async function refuseFutureCursor(
  db: Db,
  storeId: number,
): Promise<{ refused: Date; setTo: Date | null; dbNow: Date } | null> {
  const r = await sql<{ refused: Date; set_to: Date | null; now: Date }>`
    WITH known AS (
      SELECT max(LEAST(window_to, started_at)) AS reached FROM import_runs
      WHERE store_id = ${storeId} AND outcome = 'succeeded' AND window_to IS NOT NULL
        AND trigger IN ('schedule', 'manual', 'retry') AND LEAST(window_to, started_at) <= now()
    ), old AS (SELECT import_cursor FROM stores WHERE id = ${storeId} FOR UPDATE)
    UPDATE stores s SET import_cursor = (SELECT reached FROM known), import_window_to = NULL
    FROM old WHERE s.id = ${storeId} AND old.import_cursor > now()
    RETURNING old.import_cursor AS refused, s.import_cursor AS set_to, now() AS now`.execute(db);
  const row = r.rows[0];
  return row ? { refused: row.refused, setTo: row.set_to, dbNow: new Date(row.now) } : null;
}

/**
 * The start of the earliest window since `since` that cannot be trusted to have listed everything
 * it claims: a succeeded scheduled window that ended after its own run finished (its process's clock
 * ran ahead: orders placed between then and the window's end were never listed) or that was empty
 * the wrong way round (from after to). Null when every window is sound. The scheduled reconcile
 * covers from there.
 */
export async function firstUntrustedWindow(db: Db, storeId: number, since: Date): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    SELECT min(LEAST(started_at, window_from)) AS at FROM import_runs
    WHERE store_id = ${storeId} AND outcome = 'succeeded' AND trigger IN ('schedule', 'manual', 'retry')
      AND window_to IS NOT NULL AND started_at >= ${since}
      AND (window_to > finished_at OR window_from >= window_to)`.execute(db);
  return r.rows[0]?.at ?? null;
}

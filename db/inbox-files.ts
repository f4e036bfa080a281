// The inbox file ledger: each file a CSV store's import takes, recorded BEFORE it is read (its own
// committed statement), so that a file that was being read when its worker died is known on the
// next attempt: the row is still `reading`. A file is identified by name, size and modification
// time (a file dropped again under the same name is another file).
import { sql } from 'kysely';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';

export interface InboxFileKey {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface BegunInboxFile {
  id: number;
  /** What the last attempt left: `reading` means it never ended (its process died). */
  before: 'new' | 'reading' | 'waiting' | 'imported' | 'failed';
  attempts: number;
}

/**
 * Records that an attempt at the file begins (state `reading`). Returns what the previous attempt
 * left: `reading` (it never ended), `imported` (its orders are in; only the move was lost), or
 * `waiting` / `failed` / `new`. A file `imported` or last seen `reading` is not marked reading again:
 * the caller moves it (to processed/ or failed/) and records that.
 */
export async function beginInboxFile(
  db: Db,
  input: { storeId: number; runId: number; file: InboxFileKey },
): Promise<BegunInboxFile> {
  const { storeId, runId, file } = input;
  const r = await sql<{ id: number; before: BegunInboxFile['before']; attempts: number }>`
    WITH prev AS (
      SELECT id, state FROM inbox_files
      WHERE store_id = ${storeId} AND name = ${file.name} AND size_bytes = ${file.size} AND mtime_ms = ${file.mtimeMs}
    ), up AS (
      INSERT INTO inbox_files (store_id, name, size_bytes, mtime_ms, state, attempts, import_run_id, started_at)
      VALUES (${storeId}, ${file.name}, ${file.size}, ${file.mtimeMs}, 'reading', 1, ${runId}, now())
      ON CONFLICT (store_id, name, size_bytes, mtime_ms) DO UPDATE SET
        state = CASE WHEN inbox_files.state IN ('waiting', 'failed') THEN 'reading' ELSE inbox_files.state END,
        attempts = inbox_files.attempts + CASE WHEN inbox_files.state IN ('waiting', 'failed') THEN 1 ELSE 0 END,
        import_run_id = EXCLUDED.import_run_id,
        started_at = CASE WHEN inbox_files.state IN ('waiting', 'failed') THEN now() ELSE inbox_files.started_at END
      RETURNING id, attempts
    )
    SELECT up.id, COALESCE((SELECT state FROM prev), 'new') AS before, up.attempts FROM up`.execute(db);
  return r.rows[0]!;
}

/** The attempt ended well: every order of the file is stored. */
export async function inboxFileImported(db: Db, id: number, orders: number): Promise<void> {
  await db
    .updateTable('inbox_files')
    .set({ state: 'imported', orders, error: null, finished_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** The attempt ended with an ordinary error (the database, the share): the next run tries again. */
export async function inboxFileWaiting(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('inbox_files')
    .set({ state: 'waiting', error: error.slice(0, 2000) })
    .where('id', '=', id)
    .execute();
}

/** The file cannot be processed: it was moved aside, with this reason. */
export async function inboxFileFailed(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('inbox_files')
    .set({ state: 'failed', error: error.slice(0, 2000), finished_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface FailedInboxFileView {
  id: number;
  store: string;
  storeName: string;
  name: string;
  sizeBytes: number;
  attempts: number;
  runId: number | null;
  error: string | null;
  failedAt: string | null;
}

/** The files set aside (failed/), newest first: what the 取込履歴 screen lists. */
export async function listFailedInboxFiles(
  db: Db,
  q: { store?: string; limit?: number } = {},
): Promise<FailedInboxFileView[]> {
  let query = db
    .selectFrom('inbox_files as f')
    .innerJoin('stores as s', 's.id', 'f.store_id')
    .select([
      'f.id',
      's.code',
      's.name as store_name',
      'f.name',
      'f.size_bytes',
      'f.attempts',
      'f.import_run_id',
      'f.error',
      'f.finished_at',
    ])
    .where('f.state', '=', 'failed');
  if (q.store) query = query.where('s.code', '=', q.store);
  const rows = await query
    .orderBy('f.finished_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(q.limit ?? 100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    store: r.code,
    storeName: r.store_name,
    name: r.name,
    sizeBytes: r.size_bytes,
    attempts: r.attempts,
    runId: r.import_run_id,
    error: r.error,
    failedAt: r.finished_at ? toJstIso(r.finished_at) : null,
  }));
}

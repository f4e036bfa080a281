// The upload ledger: an operator upload (stock, shipment results, mappings, products) as one unit,
// keyed by its kind and the SHA-256 of its content. Each batch of rows records, in the same
// transaction as its effect, the last row it covered (applied_through), so an upload whose process
// died resumes after that row when the same file is sent again, and a finished one changes nothing.
import { sql } from 'kysely';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import type { UploadKind, UploadStatus } from './schema.js';

/** While an upload runs its lease is renewed with every batch; past it, the process is taken as dead. */
export const UPLOAD_LEASE_SECONDS = 120;
/** Refused rows kept by line per upload (the count is kept whole). */
export const UPLOAD_ERRORS_KEPT = 10_000;

export interface UploadFile {
  kind: UploadKind;
  fileName: string;
  sha256: string;
  byteSize: number;
  actor: string;
  /** Part of the key besides kind and content (an order file's store: the same file for another store is another upload). */
  scope?: string;
}

export interface UploadView {
  id: number;
  kind: UploadKind;
  fileName: string;
  byteSize: number;
  sha256: string;
  actor: string;
  status: UploadStatus;
  rowsRead: number;
  rowsApplied: number;
  rowsFailed: number;
  appliedThrough: number;
  attempts: number;
  result: UploadResult | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  updatedAt: string;
}

/** What a finished upload did, as the screen and the CLI print it. */
export interface UploadResult {
  ok: number;
  failed: number;
  ordersMoved: number;
  lines: string[];
  /** An order file's import run and its counts (kind orders). */
  runId?: number;
  counts?: Record<string, number>;
  /** A carrier's result file (kind tracking): whose file it was. */
  carrier?: string;
}

export const uploadKey = (f: Pick<UploadFile, 'kind' | 'sha256' | 'scope'>) =>
  f.scope ? `${f.kind}:${f.scope}:${f.sha256}` : `${f.kind}:${f.sha256}`;

type Claim =
  | { claimed: true; upload: UploadView }
  /** Finished (the same file was applied already) or running in a live process. */
  | { claimed: false; upload: UploadView };

/**
 * Takes the upload for this process: a new file, one that failed, or one whose process died (its
 * lease ran out) is claimed (status running, lease renewed); a finished one or one still running
 * elsewhere is returned as it is.
 */
export async function claimUpload(db: Db, f: UploadFile): Promise<Claim> {
  const r = await sql<{ id: number }>`
    INSERT INTO uploads (kind, file_name, byte_size, sha256, upload_key, actor, status, lease_until)
    VALUES (${f.kind}, ${f.fileName}, ${f.byteSize}, ${f.sha256}, ${uploadKey(f)}, ${f.actor}, 'running',
            now() + make_interval(secs => ${UPLOAD_LEASE_SECONDS}))
    ON CONFLICT (upload_key) DO UPDATE SET
      status = 'running', attempts = uploads.attempts + 1, error = NULL, actor = EXCLUDED.actor,
      file_name = EXCLUDED.file_name, lease_until = EXCLUDED.lease_until, updated_at = now()
    WHERE uploads.status = 'failed' OR (uploads.status = 'running' AND uploads.lease_until < now())
    RETURNING id`.execute(db);
  const claimed = r.rows.length > 0;
  const upload = claimed
    ? await getUpload(db, r.rows[0]!.id)
    : await db
        .selectFrom('uploads')
        .select('id')
        .where('upload_key', '=', uploadKey(f))
        .executeTakeFirstOrThrow()
        .then((u) => getUpload(db, u.id));
  return { claimed, upload: upload! };
}

export interface BatchRecord {
  /** The last row number the batch covered (applied or refused). */
  through: number;
  read: number;
  applied: number;
  refused: ReadonlyArray<{ line: number; message: string }>;
}

/** In the batch's own transaction: its progress and its refused rows, and the lease renewed. */
export async function recordUploadBatch(trx: Db, uploadId: number, b: BatchRecord): Promise<void> {
  await sql`
    UPDATE uploads SET applied_through = ${b.through}, rows_read = rows_read + ${b.read},
      rows_applied = rows_applied + ${b.applied}, rows_failed = rows_failed + ${b.refused.length},
      lease_until = now() + make_interval(secs => ${UPLOAD_LEASE_SECONDS}), updated_at = now()
    WHERE id = ${uploadId}`.execute(trx);
  if (b.refused.length === 0) return;
  const kept = await trx
    .selectFrom('upload_errors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('upload_id', '=', uploadId)
    .executeTakeFirstOrThrow();
  const room = UPLOAD_ERRORS_KEPT - Number(kept.n);
  if (room <= 0) return;
  await trx
    .insertInto('upload_errors')
    .values(
      b.refused
        .slice(0, room)
        .map((e) => ({ upload_id: uploadId, line: e.line, message: e.message.slice(0, 1000) })),
    )
    .execute();
}

/**
 * Progress of an upload whose effect commits elsewhere (an order file's pages, each its own
 * transaction and idempotent by order number): the counts so far, and the lease renewed.
 */
export async function noteUploadProgress(
  db: Db,
  uploadId: number,
  p: { read: number; applied: number; failed: number },
): Promise<void> {
  await sql`
    UPDATE uploads SET rows_read = ${p.read}, rows_applied = ${p.applied}, rows_failed = ${p.failed},
      lease_until = now() + make_interval(secs => ${UPLOAD_LEASE_SECONDS}), updated_at = now()
    WHERE id = ${uploadId}`.execute(db);
}

export async function finishUpload(db: Db, uploadId: number, result: UploadResult): Promise<void> {
  await db
    .updateTable('uploads')
    .set({
      status: 'succeeded',
      result: JSON.stringify(result),
      lease_until: null,
      finished_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', uploadId)
    .execute();
}

/**
 * The file was checked whole before any row was applied and refused (the product master: one bad
 * row and nothing is applied): its bad rows by line and column, its result lines; nothing else
 * changed, so sending it again (fixed or not) checks it again.
 */
export async function refuseUpload(
  db: Db,
  uploadId: number,
  r: {
    errors: ReadonlyArray<{ line: number; column?: string; message: string }>;
    rows: number;
    lines: string[];
  },
): Promise<void> {
  await db.deleteFrom('upload_errors').where('upload_id', '=', uploadId).execute();
  const kept = r.errors.slice(0, UPLOAD_ERRORS_KEPT);
  if (kept.length)
    await db
      .insertInto('upload_errors')
      .values(
        kept.map((e) => ({
          upload_id: uploadId,
          line: e.line,
          column_name: e.column ?? null,
          message: e.message.slice(0, 1000),
        })),
      )
      .execute();
  const failed = new Set(r.errors.map((e) => e.line)).size;
  const result: UploadResult = { ok: 0, failed, ordersMoved: 0, lines: r.lines };
  await db
    .updateTable('uploads')
    .set({
      status: 'failed',
      error: (r.lines.at(-1) ?? '').slice(0, 2000),
      result: JSON.stringify(result),
      rows_read: r.rows,
      rows_applied: 0,
      rows_failed: failed,
      lease_until: null,
      finished_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', uploadId)
    .execute();
}

/** The file could not be read (columns missing, not CSV) or a fault stopped it: sending it again retries. */
export async function failUpload(db: Db, uploadId: number, error: string): Promise<void> {
  await db
    .updateTable('uploads')
    .set({
      status: 'failed',
      error: error.slice(0, 2000),
      lease_until: null,
      finished_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', uploadId)
    .execute();
}

const COLUMNS = [
  'id',
  'kind',
  'file_name',
  'byte_size',
  'sha256',
  'actor',
  'status',
  'rows_read',
  'rows_applied',
  'rows_failed',
  'applied_through',
  'attempts',
  'result',
  'error',
  'created_at',
  'finished_at',
  'updated_at',
] as const;

function viewOf(r: {
  id: number;
  kind: UploadKind;
  file_name: string;
  byte_size: number;
  sha256: string;
  actor: string;
  status: UploadStatus;
  rows_read: number;
  rows_applied: number;
  rows_failed: number;
  applied_through: number;
  attempts: number;
  result: unknown;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
  updated_at: Date;
}): UploadView {
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    byteSize: r.byte_size,
    sha256: r.sha256,
    actor: r.actor,
    status: r.status,
    rowsRead: r.rows_read,
    rowsApplied: r.rows_applied,
    rowsFailed: r.rows_failed,
    appliedThrough: r.applied_through,
    attempts: r.attempts,
    result: (r.result as UploadResult | null) ?? null,
    error: r.error,
    createdAt: toJstIso(r.created_at),
    finishedAt: r.finished_at ? toJstIso(r.finished_at) : null,
    updatedAt: toJstIso(r.updated_at),
  };
}

export async function getUpload(db: Db, id: number): Promise<UploadView | null> {
  const r = await db.selectFrom('uploads').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? viewOf(r) : null;
}

/** The latest uploads, newest first (the upload history of a screen). */
export async function listUploads(
  db: Db,
  q: { kind?: UploadKind; limit?: number } = {},
): Promise<UploadView[]> {
  let query = db.selectFrom('uploads').select(COLUMNS);
  if (q.kind) query = query.where('kind', '=', q.kind);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit ?? 20)
    .execute();
  return rows.map(viewOf);
}

/** The rows an upload refused, by line. */
export async function listUploadErrors(
  db: Db,
  uploadId: number,
  limit = 500,
): Promise<Array<{ line: number | null; message: string }>> {
  return db
    .selectFrom('upload_errors')
    .select(['line', 'message'])
    .where('upload_id', '=', uploadId)
    .orderBy('line')
    .orderBy('id')
    .limit(limit)
    .execute();
}

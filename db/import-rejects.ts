// Import rejects: records a cart sent that could not be read, kept with their error for a human
// (deduplicated per store by payload), and the reads of them.
import { sql } from 'kysely';
import { sha256, stableJson } from '../domain/hash.js';
import { keptCopy } from '../domain/record-limits.js';
import { storable, storableText } from '../domain/storable.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { decodeIdCursor, fetchPage, mapPage, type Page } from './paging.js';

export interface RejectInput {
  storeId: number;
  runId: number | null;
  cartOrderNo: string | null;
  payload: unknown;
  field: string | null;
  error: string;
}

/**
 * Keeps a record that could not be read; the same payload again refreshes its open reject. A record
 * too large to keep whole is kept as a shortened copy (domain/record-limits.ts keptCopy), deduplicated
 * by the whole record's hash.
 */
export async function recordReject(db: Db, r: RejectInput): Promise<void> {
  // The reject must be storable whatever the cart sent, or one bad record would fail its whole page.
  const whole = storable(r.payload === undefined ? null : r.payload);
  const payload = keptCopy(whole);
  const cartOrderNo = r.cartOrderNo === null ? null : storableText(r.cartOrderNo);
  await sql`
    INSERT INTO import_rejects (store_id, import_run_id, cart_order_no, field, error, raw_payload, payload_hash)
    VALUES (${r.storeId}, ${r.runId}, ${cartOrderNo}, ${r.field === null ? null : storableText(r.field)}, ${storableText(r.error).slice(0, 2000)}, ${JSON.stringify(payload)}::jsonb,
            ${sha256(stableJson(whole))})
    ON CONFLICT (store_id, payload_hash) WHERE resolved_at IS NULL
    DO UPDATE SET error = EXCLUDED.error, field = EXCLUDED.field, import_run_id = EXCLUDED.import_run_id`.execute(
    db,
  );
}

export async function getReject(db: Db, id: number) {
  return db.selectFrom('import_rejects').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A reject read again and still unreadable: its new error. */
export async function updateRejectError(db: Db, id: number, error: string, field: string | null) {
  await db.updateTable('import_rejects').set({ error, field }).where('id', '=', id).execute();
}

/** Resolved (or, with `resolution` null, open again). */
export async function setRejectResolution(db: Db, id: number, resolution: string | null) {
  await db
    .updateTable('import_rejects')
    .set({ resolved_at: resolution === null ? null : sql`now()`, resolution })
    .where('id', '=', id)
    .execute();
}

// Reads for the screens (取込エラー), the order upload's answer, the store list and the metrics.

export interface ImportRejectView {
  id: number;
  store: string;
  storeName: string;
  cartOrderNo: string | null;
  field: string | null;
  error: string;
  runId: number | null;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export type RejectState = 'open' | 'resolved' | 'all';

/** Rejects newest first, a page at a time; `before` is the `next` of the page before. */
export async function listImportRejects(
  db: Db,
  q: { store?: string; state?: RejectState; before?: string | number; size?: number } = {},
): Promise<Page<ImportRejectView, number>> {
  const before = decodeIdCursor(q.before);
  const state = q.state ?? 'open';
  let query = db
    .selectFrom('import_rejects as r')
    .innerJoin('stores as s', 's.id', 'r.store_id')
    .select([
      'r.id',
      'r.cart_order_no',
      'r.field',
      'r.error',
      'r.created_at',
      'r.resolved_at',
      'r.resolution',
      'r.import_run_id',
      's.code as store_code',
      's.name as store_name',
    ]);
  if (q.store) query = query.where('s.code', '=', q.store);
  if (state === 'open') query = query.where('r.resolved_at', 'is', null);
  if (state === 'resolved') query = query.where('r.resolved_at', 'is not', null);
  if (before) query = query.where('r.id', '<', before);
  const page = await fetchPage(
    q.size ?? 100,
    (limit) => query.orderBy('r.id', 'desc').limit(limit).execute(),
    (last) => last.id,
  );
  return mapPage(page, (r) => ({
    id: r.id,
    store: r.store_code,
    storeName: r.store_name,
    cartOrderNo: r.cart_order_no,
    field: r.field,
    error: r.error,
    runId: r.import_run_id,
    createdAt: toJstIso(r.created_at),
    resolvedAt: r.resolved_at ? toJstIso(r.resolved_at) : null,
    resolution: r.resolution,
  }));
}

export interface ImportRejectDetail {
  id: number;
  store: string;
  cartOrderNo: string | null;
  field: string | null;
  error: string;
  rawPayload: unknown;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** One reject with the payload the cart sent. */
export async function findImportReject(db: Db, id: number): Promise<ImportRejectDetail | null> {
  const r = await db
    .selectFrom('import_rejects as r')
    .innerJoin('stores as s', 's.id', 'r.store_id')
    .selectAll('r')
    .select(['s.code as store_code'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id,
    store: r.store_code,
    cartOrderNo: r.cart_order_no,
    field: r.field,
    error: r.error,
    rawPayload: r.raw_payload,
    createdAt: toJstIso(r.created_at),
    resolvedAt: r.resolved_at ? toJstIso(r.resolved_at) : null,
    resolution: r.resolution,
  };
}

/** The rejects of one import run, first found first (the order upload shows them at once). */
export async function rejectsOfRun(
  db: Db,
  runId: number,
  limit = 200,
): Promise<Array<{ id: number; cartOrderNo: string | null; field: string | null; error: string }>> {
  const rows = await db
    .selectFrom('import_rejects')
    .select(['id', 'cart_order_no', 'field', 'error'])
    .where('import_run_id', '=', runId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, cartOrderNo: r.cart_order_no, field: r.field, error: r.error }));
}

/** Unresolved rejects per store, every store listed (0 when it has none). */
export async function openRejectCounts(
  db: Db,
): Promise<Array<{ storeId: number; store: string; open: number }>> {
  const rows = await db
    .selectFrom('stores as s')
    .leftJoin('import_rejects as r', (j) =>
      j.onRef('r.store_id', '=', 's.id').on('r.resolved_at', 'is', null),
    )
    .select(['s.id', 's.code', (eb) => eb.fn.count<number>('r.id').as('n')])
    .groupBy(['s.id', 's.code'])
    .execute();
  return rows.map((r) => ({ storeId: r.id, store: r.code, open: Number(r.n) }));
}

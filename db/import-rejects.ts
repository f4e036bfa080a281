// Import rejects: records a cart sent that could not be read, kept with their error for a human
// (deduplicated per store by payload), and the reads of them.
import { sql } from 'kysely';
import { sha256, stableJson } from '../domain/hash.js';
import { storable, storableText } from '../domain/storable.js';
import type { Db } from './db.js';

export interface RejectInput {
  storeId: number;
  runId: number | null;
  cartOrderNo: string | null;
  payload: unknown;
  field: string | null;
  error: string;
}

/** Keeps a record that could not be read; the same payload again refreshes its open reject. */
export async function recordReject(db: Db, r: RejectInput): Promise<void> {
  // The reject must be storable whatever the cart sent, or one bad record would fail its whole page.
  const payload = storable(r.payload === undefined ? null : r.payload);
  const cartOrderNo = r.cartOrderNo === null ? null : storableText(r.cartOrderNo);
  await sql`
    INSERT INTO import_rejects (store_id, import_run_id, cart_order_no, field, error, raw_payload, payload_hash)
    VALUES (${r.storeId}, ${r.runId}, ${cartOrderNo}, ${r.field === null ? null : storableText(r.field)}, ${storableText(r.error).slice(0, 2000)}, ${JSON.stringify(payload)}::jsonb,
            ${sha256(stableJson(payload))})
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

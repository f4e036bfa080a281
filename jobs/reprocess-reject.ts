// Job `reprocess-reject` (queue maintenance): read a rejected record again after a fix (new code, a
// corrected setting) and import it if it now reads; otherwise keep it open with the new error.
// Idempotency: a resolved reject is skipped; the import itself is idempotent.
// Enqueues next: nothing.
import { sql } from 'kysely';
import { cartModule } from '../carts/registry.js';
import { getStoreById } from '../db/stores.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { importPage } from './import-page.js';

export type ReprocessPayload = JobCatalogue['reprocess-reject'];

export async function processReprocessReject(data: ReprocessPayload, deps: JobDeps) {
  const reject = await deps.db
    .selectFrom('import_rejects')
    .selectAll()
    .where('id', '=', data.rejectId)
    .executeTakeFirst();
  if (!reject) return { rejectId: data.rejectId, outcome: 'not-found' };
  if (reject.resolved_at) return { rejectId: data.rejectId, outcome: 'already-resolved' };
  const store = await getStoreById(deps.db, reject.store_id);
  const mod = cartModule(store.cart);
  const raw = { cartOrderNo: reject.cart_order_no, payload: reject.raw_payload };
  const result = mod.normalize(raw, store.code);
  if (!result.ok) {
    await deps.db
      .updateTable('import_rejects')
      .set({ error: `${result.cartOrderNo ?? '(注文番号不明)'}: ${result.message}`, field: result.field })
      .where('id', '=', reject.id)
      .execute();
    return { rejectId: reject.id, outcome: 'still-rejected', error: result.message };
  }
  // Mark it resolved first: importPage would otherwise see the same open reject and refresh it.
  await deps.db
    .updateTable('import_rejects')
    .set({ resolved_at: sql`now()`, resolution: `reprocessed by ${data.requestedBy}` })
    .where('id', '=', reject.id)
    .execute();
  const counts = await importPage(deps.db, store, mod, [raw], {
    runId: reject.import_run_id,
    actor: `reprocess:${data.requestedBy}`,
    now: deps.now(),
  });
  if (counts.rejected > 0) {
    await deps.db
      .updateTable('import_rejects')
      .set({ resolved_at: null, resolution: null })
      .where('id', '=', reject.id)
      .execute();
    return { rejectId: reject.id, outcome: 'still-rejected' };
  }
  return { rejectId: reject.id, outcome: 'imported', ...counts };
}

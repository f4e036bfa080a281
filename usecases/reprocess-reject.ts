// Operation: read a rejected record again after a fix (new code, a corrected setting) and import it
// if it now reads; otherwise keep it open with the new error. A resolved reject is left alone.
import { cartModule } from '../carts/registry.js';
import { getReject, setRejectResolution, updateRejectError } from '../db/import-rejects.js';
import { getStoreById } from '../db/stores.js';
import type { UseCaseDeps } from './deps.js';
import { importPage } from './import-page.js';

export async function reprocessReject(deps: UseCaseDeps, input: { rejectId: number; requestedBy: string }) {
  const reject = await getReject(deps.db, input.rejectId);
  if (!reject) return { rejectId: input.rejectId, outcome: 'not-found' };
  if (reject.resolved_at) return { rejectId: input.rejectId, outcome: 'already-resolved' };
  const store = await getStoreById(deps.db, reject.store_id);
  const mod = cartModule(store.cart);
  const raw = { cartOrderNo: reject.cart_order_no, payload: reject.raw_payload };
  const result = mod.normalize(raw, store.code);
  if (!result.ok) {
    await updateRejectError(
      deps.db,
      reject.id,
      `${result.cartOrderNo ?? '(注文番号不明)'}: ${result.message}`,
      result.field,
    );
    return { rejectId: reject.id, outcome: 'still-rejected', error: result.message };
  }
  // Resolved first: the import would otherwise see the same open reject and refresh it.
  await setRejectResolution(deps.db, reject.id, `reprocessed by ${input.requestedBy}`);
  const counts = await importPage(deps, store, mod, [raw], {
    runId: reject.import_run_id,
    actor: `reprocess:${input.requestedBy}`,
  });
  if (counts.rejected > 0) {
    await setRejectResolution(deps.db, reject.id, null);
    return { rejectId: reject.id, outcome: 'still-rejected' };
  }
  return { rejectId: reject.id, outcome: 'imported', ...counts };
}

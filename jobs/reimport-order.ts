// Job `reimport-order` (queue orders-import): an operator or admin re-imports one order by cart order number —
// the seed's "delete the slip and import it again", including an order that was deleted.
// Idempotency: the same as any import (unique per store + cart order number; unchanged is a no-op).
// Enqueues next: nothing.
import { getStore } from '../db/stores.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { type ImportJob, runImportJob, skipIfDue } from './import-store.js';

export type ReimportPayload = JobCatalogue['reimport-order'];

export async function processReimportOrder(
  data: ReimportPayload,
  job: ImportJob | null,
  token: string | undefined,
  deps: JobDeps,
) {
  const store = await getStore(deps.db, data.storeCode);
  const base = { store: store.code, cartOrderNo: data.cartOrderNo };
  const skipped = await skipIfDue(deps, store, 'reimport', job);
  if (skipped) return { ...base, outcome: 'skipped' as const, reason: skipped };
  let kind = 'unchanged';
  const r = await runImportJob(
    deps,
    store,
    {
      trigger: 'reimport',
      source: { kind: 'order', cartOrderNo: data.cartOrderNo },
      actor: `reimport:${data.requestedBy}`,
    },
    job,
    token,
  );
  if (r.outcome === 'not-found') return { ...base, outcome: 'not-found' as const };
  if (r.outcome !== 'succeeded') return { ...base, outcome: r.outcome === 'busy' ? 'delayed' : 'skipped' };
  const c = r.counts;
  kind = c.new ? 'new' : c.updated ? 'updated' : c.flagged ? 'flagged' : c.skipped ? 'skipped' : kind;
  return { ...base, outcome: kind, runId: r.runId, ...c };
}

// Job `reimport-order` (queue orders-import): an operator or admin re-imports one order by cart order number —
// the seed's "delete the slip and import it again", including an order that was deleted.
// Idempotency: the same as any import (unique per store + cart order number; unchanged is a no-op).
// Enqueues next: nothing.
import type { Job } from 'bullmq';
import { finishRun, openRun } from '../db/import-runs.js';
import { getStore } from '../db/stores.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { importPage } from './import-page.js';
import { failImport } from './import-store.js';

export type ReimportPayload = JobCatalogue['reimport-order'];

export async function processReimport(data: ReimportPayload, job: Pick<Job, 'id'> | null, deps: JobDeps) {
  const store = await getStore(deps.db, data.storeCode);
  const run = await openRun(deps.db, {
    storeId: store.id,
    trigger: 'reimport',
    jobId: job?.id ?? null,
    slot: null,
    windowFrom: null,
    windowTo: null,
  });
  if (!run) return { outcome: 'skipped' };
  try {
    const adapter = await deps.adapterFor(store);
    const raw = await adapter.fetchOrder(data.cartOrderNo);
    if (!raw) {
      await finishRun(
        deps.db,
        run.id,
        store.id,
        'failed',
        `${store.code}: the cart has no order ${data.cartOrderNo}`,
      );
      return { store: store.code, cartOrderNo: data.cartOrderNo, outcome: 'not-found' as const };
    }
    let kind = 'unchanged';
    const counts = await importPage(deps.db, store, adapter, [raw], {
      runId: run.id,
      actor: `reimport:${data.requestedBy}`,
      now: deps.now(),
      force: true,
      onOutcome: (_no, k) => {
        kind = k;
      },
    });
    await finishRun(deps.db, run.id, store.id, 'succeeded', null);
    return { store: store.code, cartOrderNo: data.cartOrderNo, outcome: kind, runId: run.id, ...counts };
  } catch (e) {
    return await failImport(deps, store, run.id, e);
  }
}

// Job `reconcile-store` (queue orders-import) — the missed-order backstop.
// Re-lists one whole JST day (default: yesterday) and imports whatever the regular imports missed;
// records how many it found (0 is the healthy answer). Does not move the cursor.
// Idempotency: orders are unique per store; a second run finds 0; the store's lease keeps it apart
//   from a running import.
// Enqueues next: nothing.
import { getStore } from '../db/stores.js';
import type { PageCounts } from '../domain/import-counts.js';
import { SKIP_REASONS } from '../domain/import-skip.js';
import { yesterdayJst } from '../usecases/run-import.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { type ImportJob, runImportJob, skipIfDue } from './import-store.js';

export { reconcileWindow, yesterdayJst } from '../usecases/run-import.js';

export type ReconcilePayload = JobCatalogue['reconcile-store'];

export interface ReconcileResult extends Partial<PageCounts> {
  store: string;
  outcome: 'succeeded' | 'skipped' | 'delayed';
  reason?: string;
  day?: string;
  runId?: number;
  /** Orders the regular imports had missed (0 is the healthy answer). */
  missingFound?: number;
  missing?: string[];
}

export async function processReconcileStore(
  data: ReconcilePayload,
  job: ImportJob | null,
  token: string | undefined,
  deps: JobDeps,
): Promise<ReconcileResult> {
  const store = await getStore(deps.db, data.storeCode);
  const skipped = await skipIfDue(deps, store, 'reconcile', job);
  if (skipped) return { store: store.code, outcome: 'skipped', reason: skipped };
  const day = data.day ?? yesterdayJst(deps.now());
  const r = await runImportJob(
    deps,
    store,
    { trigger: 'reconcile', source: { kind: 'day', day }, actor: 'reconcile' },
    job,
    token,
  );
  if (r.outcome === 'busy') return { store: store.code, outcome: 'delayed', reason: SKIP_REASONS.busy };
  if (r.outcome !== 'succeeded') return { store: store.code, outcome: 'skipped' };
  if (r.newOrders.length)
    deps.log.warn(
      { store: store.code, day, missing: r.newOrders },
      'reconciliation found orders the imports had missed',
    );
  return {
    store: store.code,
    day,
    runId: r.runId,
    outcome: 'succeeded',
    missingFound: r.newOrders.length,
    missing: r.newOrders,
    ...r.counts,
  };
}

// Job `reconcile-store` (queue orders-import) — the missed-order backstop.
// Re-lists one whole JST day (default: yesterday) and imports whatever the regular imports missed;
// records how many it found (0 is the healthy answer). Does not move the cursor.
// Idempotency: orders are unique per store; a second run finds 0; the store's lease keeps it apart
//   from a running import.
// Enqueues next: nothing.
import { databaseNow } from '../db/clock.js';
import { firstUntrustedWindow } from '../db/import-position.js';
import { getStore, type Store } from '../db/stores.js';
import type { PageCounts } from '../domain/import-counts.js';
import { SKIP_REASONS } from '../domain/import-skip.js';
import { reconcileWindow, yesterdayJst } from '../usecases/run-import.js';
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

async function reconcileSpan(
  deps: JobDeps,
  store: Store,
  day: string,
): Promise<{ from: Date; to: Date } | null> {
  const yesterday = reconcileWindow(day);
  const gap = await firstUntrustedWindow(deps.db, store.id, new Date(yesterday.from.getTime() - 86_400_000));
  if (!gap) return null;
  const now = await databaseNow(deps.db);
  deps.log.warn(
    { store: store.code, from: gap.toISOString() },
    'reconciling from a window that could not list all it claimed',
  );
  return {
    from: new Date(Math.min(yesterday.from.getTime(), gap.getTime())),
    to: new Date(Math.max(yesterday.to.getTime(), now.getTime() - store.settings.settleLagSeconds * 1000)),
  };
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
  const day = data.day ?? yesterdayJst(await databaseNow(deps.db));
  // Scheduled (no day asked): from yesterday, or from the first window since then that cannot have
  // listed all it claims (a clock ahead), up to now — the gap such a window left is covered too.
  const span = data.day ? null : await reconcileSpan(deps, store, day);
  const r = await runImportJob(
    deps,
    store,
    {
      trigger: 'reconcile',
      source: span ? { kind: 'span', window: span } : { kind: 'day', day },
      actor: 'reconcile',
    },
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

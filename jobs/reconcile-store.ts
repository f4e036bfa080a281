// Job `reconcile-store` (queue orders-import) — the missed-order backstop.
// Re-lists one whole JST day (default: yesterday) and imports whatever the regular imports missed;
// records how many it found (0 is the healthy answer). Does not move the cursor.
// Idempotency: orders are unique per store; a second run finds 0.
// Enqueues next: nothing.
import type { Job } from 'bullmq';
import { finishRun, openRun } from '../db/import-runs.js';
import { getStore } from '../db/stores.js';
import { jstDate, parseJstLocal } from '../domain/time.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { addCounts, importPage, type PageCounts, zeroCounts } from './import-page.js';
import { failImport } from './import-store.js';

export type ReconcilePayload = JobCatalogue['reconcile-store'];

/** [day 00:00 JST, next day 00:00 JST). */
export function reconcileWindow(day: string): { from: Date; to: Date } {
  const from = parseJstLocal(`${day} 00:00:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

export function yesterdayJst(now: Date): string {
  return jstDate(new Date(now.getTime() - 86_400_000));
}

export interface ReconcileResult extends Partial<PageCounts> {
  store: string;
  outcome: 'succeeded' | 'skipped';
  reason?: string;
  day?: string;
  runId?: number;
  /** Orders the regular imports had missed (0 is the healthy answer). */
  missingFound?: number;
  missing?: string[];
}

export async function processReconcile(
  data: ReconcilePayload,
  job: Pick<Job, 'id'> | null,
  deps: JobDeps,
): Promise<ReconcileResult> {
  const store = await getStore(deps.db, data.storeCode);
  if (!store.enabled) return { store: store.code, outcome: 'skipped', reason: 'store disabled' };
  const day = data.day ?? yesterdayJst(deps.now());
  const window = reconcileWindow(day);
  const run = await openRun(deps.db, {
    storeId: store.id,
    trigger: 'reconcile',
    jobId: job?.id ?? null,
    slot: null,
    windowFrom: window.from,
    windowTo: window.to,
  });
  if (!run) return { store: store.code, outcome: 'skipped' };
  const missing: string[] = [];
  try {
    const adapter = await deps.adapterFor(store);
    let total = zeroCounts();
    for await (const page of adapter.listOrders(window)) {
      const c = await importPage(deps.db, store, adapter, page.orders, {
        runId: run.id,
        actor: 'reconcile',
        now: deps.now(),
        onOutcome: (no, kind) => {
          if (kind === 'new') missing.push(no);
        },
      });
      total = addCounts(total, c);
    }
    await finishRun(deps.db, run.id, store.id, 'succeeded', null, { missingFound: missing.length });
    if (missing.length)
      deps.log.warn(
        { store: store.code, day, missing },
        'reconciliation found orders the imports had missed',
      );
    return {
      store: store.code,
      day,
      runId: run.id,
      outcome: 'succeeded',
      missingFound: missing.length,
      missing,
      ...total,
    };
  } catch (e) {
    return await failImport(deps, store, run.id, e);
  }
}

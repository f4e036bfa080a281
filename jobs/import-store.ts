// Job `import-store` (queue orders-import)
// Idempotency: the store's lease allows one import at a time; the window is re-derived from the
//   cursor on every attempt; orders are unique per (store, cart order number); a scheduled slot has
//   one run row. Running it twice imports nothing twice.
// Enqueues next: nothing — stock allocation and status settling run inline after each page commit.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { sql } from 'kysely';
import { CartAuthError, isCartError } from '../carts/errors.js';
import { finishRun, openRun } from '../db/import-runs.js';
import {
  acquireImportLease,
  getStore,
  markNeedsCredentials,
  releaseImportLease,
  type Store,
} from '../db/stores.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { addCounts, importPage, type PageCounts, zeroCounts } from './import-page.js';

export type ImportStorePayload = JobCatalogue['import-store'];

export interface ImportResult extends Partial<PageCounts> {
  store: string;
  runId?: number;
  outcome: 'succeeded' | 'skipped' | 'delayed';
  reason?: string;
  window?: { from: string; to: string };
}

const MINUTE = 60_000;

/** [cursor − overlap, now − settle lag]; the first import looks back `initialImportDays`. */
export function importWindow(store: Store, now: Date): { from: Date; to: Date } {
  const s = store.settings;
  const start = store.importCursor ?? new Date(now.getTime() - s.initialImportDays * 24 * 60 * MINUTE);
  return {
    from: new Date(start.getTime() - s.syncOverlapMinutes * MINUTE),
    to: new Date(now.getTime() - s.settleLagSeconds * 1000),
  };
}

/** Failures that a human must fix stop at once and mark the store; others are retried by BullMQ. */
export async function failImport(
  deps: JobDeps,
  store: Store,
  runId: number | null,
  e: unknown,
): Promise<never> {
  const message = e instanceof Error ? e.message : String(e);
  if (runId !== null) await finishRun(deps.db, runId, store.id, 'failed', message);
  if (e instanceof CartAuthError) {
    await markNeedsCredentials(deps.db, store.id, message);
    deps.log.error({ store: store.code, err: message }, 'authentication refused: store needs credentials');
    throw new UnrecoverableError(`authentication refused for store ${store.code}: ${message}`);
  }
  if (isCartError(e) && !e.retryable) throw new UnrecoverableError(message);
  throw e instanceof Error ? e : new Error(message);
}

export async function processImportStore(
  data: ImportStorePayload,
  job: Pick<Job, 'id' | 'moveToDelayed'> | null,
  token: string | undefined,
  deps: JobDeps,
): Promise<ImportResult> {
  const store = await getStore(deps.db, data.storeCode);
  if (!store.enabled) return { store: store.code, outcome: 'skipped', reason: 'store disabled' };
  if (store.credentialState === 'needs_credentials' && data.trigger === 'schedule')
    return { store: store.code, outcome: 'skipped', reason: 'store needs credentials' };

  const owner = `${deps.processId}-${job?.id ?? 'direct'}`;
  if (!(await acquireImportLease(deps.db, store.id, owner, deps.config.IMPORT_LEASE_SECONDS))) {
    // Another import of this store is running (a duplicate delivery, or two workers): wait for it.
    if (job && token) {
      await job.moveToDelayed(Date.now() + 5_000, token);
      throw new DelayedError();
    }
    return { store: store.code, outcome: 'delayed', reason: 'another import of this store is running' };
  }
  let runId: number | null = null;
  try {
    const now = deps.now();
    const adapter = await deps.adapterFor(store);
    const window = importWindow(store, now);
    const listable = adapter.listableUntil?.();
    if (listable && listable < window.to) window.to = listable;
    const run = await openRun(deps.db, {
      storeId: store.id,
      trigger: data.trigger,
      jobId: job?.id ?? null,
      slot: data.slot ? new Date(data.slot) : null,
      windowFrom: window.from,
      windowTo: window.to,
    });
    if (!run) return { store: store.code, outcome: 'skipped', reason: 'this slot was already imported' };
    runId = run.id;
    let total = zeroCounts();
    if (window.to > window.from) {
      for await (const page of adapter.listOrders(window)) {
        const counts = await importPage(deps.db, store, adapter, page.orders, {
          runId,
          actor: 'import',
          now: deps.now(),
        });
        total = addCounts(total, counts);
        await acquireImportLease(deps.db, store.id, owner, deps.config.IMPORT_LEASE_SECONDS); // renew
      }
      // The window is complete: only now does the cursor move (forward only).
      await deps.db
        .updateTable('stores')
        .set({ import_cursor: window.to, credential_state: 'ok', credential_error: null })
        .where('id', '=', store.id)
        .where((eb) => eb.or([eb('import_cursor', 'is', null), eb('import_cursor', '<', window.to)]))
        .execute();
      await adapter.afterWindow?.();
    }
    await finishRun(deps.db, runId, store.id, 'succeeded', null);
    deps.log.info({ store: store.code, runId, ...total }, 'import finished');
    return {
      store: store.code,
      runId,
      outcome: 'succeeded',
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      ...total,
    };
  } catch (e) {
    if (e instanceof DelayedError) throw e;
    return await failImport(deps, store, runId, e);
  } finally {
    await releaseImportLease(deps.db, store.id, owner).catch(() => undefined);
  }
}

/** Cursor lag of a store: how far behind now its last completed window ends. */
export async function storeLagSeconds(deps: Pick<JobDeps, 'db'>, storeId: number): Promise<number | null> {
  const r = await sql<{ lag: number | null }>`
    SELECT extract(epoch from now() - import_cursor)::int AS lag FROM stores WHERE id = ${storeId}`.execute(
    deps.db,
  );
  return r.rows[0]?.lag ?? null;
}

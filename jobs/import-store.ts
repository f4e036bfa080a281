// Job `import-store` (queue orders-import)
// Idempotency: the store's lease allows one import at a time; the window is re-derived from the
//   cursor on every attempt; orders are unique per (store, cart order number); a scheduled slot has
//   one run row. Running it twice imports nothing twice.
// Enqueues next: nothing — stock allocation and status settling run inline after each page commit.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { CartAuthError, isCartError } from '../carts/errors.js';
import { getStore, type Store } from '../db/stores.js';
import type { PageCounts } from '../domain/import-counts.js';
import { type RunImportResult, runImport } from '../usecases/run-import.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export { importWindow } from '../usecases/run-import.js';

export type ImportStorePayload = JobCatalogue['import-store'];

export interface ImportResult extends Partial<PageCounts> {
  store: string;
  runId?: number;
  outcome: 'succeeded' | 'skipped' | 'delayed';
  reason?: string;
  window?: { from: string; to: string };
}

/** Failures a human must fix stop at once (no BullMQ retries); others are retried with backoff. */
export function failImport(store: Store, e: unknown): never {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof CartAuthError)
    throw new UnrecoverableError(`authentication refused for store ${store.code}: ${message}`);
  if (isCartError(e) && !e.retryable) throw new UnrecoverableError(message);
  throw e instanceof Error ? e : new Error(message);
}

/** Another import of the store holds its lease (a duplicate delivery, two workers): wait for it. */
export async function waitForLease(
  job: Pick<Job, 'moveToDelayed'> | null,
  token: string | undefined,
): Promise<void> {
  if (job && token) {
    await job.moveToDelayed(Date.now() + 5_000, token);
    throw new DelayedError();
  }
}

/** Runs the import use case for a job, turning its outcomes into BullMQ's vocabulary. */
export async function runImportJob(
  deps: JobDeps,
  store: Store,
  input: Omit<Parameters<typeof runImport>[1], 'store' | 'jobId'>,
  job: Pick<Job, 'id' | 'moveToDelayed'> | null,
  token: string | undefined,
): Promise<RunImportResult> {
  let r: RunImportResult;
  try {
    r = await runImport(deps, { ...input, store, jobId: job?.id ?? null });
  } catch (e) {
    return failImport(store, e);
  }
  if (r.outcome === 'busy') await waitForLease(job, token);
  return r;
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
  const r = await runImportJob(
    deps,
    store,
    {
      trigger: data.trigger,
      source: { kind: 'window' },
      actor: 'import',
      slot: data.slot ? new Date(data.slot) : null,
    },
    job,
    token,
  );
  switch (r.outcome) {
    case 'busy':
      return { store: store.code, outcome: 'delayed', reason: 'another import of this store is running' };
    case 'already-imported':
    case 'not-found':
      return { store: store.code, outcome: 'skipped', reason: 'this slot was already imported' };
    case 'succeeded':
      deps.log.info({ store: store.code, runId: r.runId, ...r.counts }, 'import finished');
      return {
        store: store.code,
        runId: r.runId,
        outcome: 'succeeded',
        ...(r.window ? { window: { from: r.window.from.toISOString(), to: r.window.to.toISOString() } } : {}),
        ...r.counts,
      };
  }
}

// Job `import-store` (queue orders-import)
// Idempotency: the store's lease allows one import at a time; the window is re-derived from the
//   cursor on every attempt (a window left half done is resumed from where its cursor stands:
//   progress commits page by page or sub-window by sub-window); orders are unique per (store, cart
//   order number); a scheduled slot has one run row. Running it twice imports nothing twice.
//   An attempt that failed after moving the cursor runs again shortly without counting as failed.
// Enqueues next: nothing — stock allocation and status settling run inline after each page commit.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { CartAuthError, isCartError } from '../carts/errors.js';
import type { ImportTrigger } from '../db/schema.js';
import { getStore, type Store } from '../db/stores.js';
import type { PageCounts } from '../domain/import-counts.js';
import { SKIP_REASONS } from '../domain/import-skip.js';
import { ImportProgressed, type RunImportResult, runImport } from '../usecases/run-import.js';
import { skipImportIfDue } from '../usecases/skip-import.js';
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

/** What the import jobs use of their BullMQ job: its id, the attempts it made, its log and progress. */
export type ImportJob = Pick<Job, 'id' | 'moveToDelayed'> &
  Partial<Pick<Job, 'attemptsMade' | 'log' | 'updateProgress'>>;

/**
 * Says on Bull Board why a job did not import (its log and its progress), and in the worker's log.
 * Best effort: the board's words must never fail the job.
 */
export async function sayOnBoard(
  deps: Pick<JobDeps, 'log'>,
  job: ImportJob | null,
  store: string,
  reason: string,
): Promise<void> {
  deps.log.info({ store, jobId: job?.id, reason }, 'import skipped');
  await job?.log?.(reason).catch(() => undefined);
  await job?.updateProgress?.({ skipped: true, reason }).catch(() => undefined);
}

/**
 * Skips the job when domain/import-skip.ts says so (a stopped store; a scheduled slot of a store that
 * needs its credentials, unless the job is being retried): the run row says why, and so does the board.
 */
export async function skipIfDue(
  deps: JobDeps,
  store: Store,
  trigger: ImportTrigger,
  job: ImportJob | null,
  slot: Date | null = null,
): Promise<string | null> {
  const reason = await skipImportIfDue(deps, {
    store,
    trigger,
    retry: (job?.attemptsMade ?? 0) > 0,
    jobId: job?.id ?? null,
    slot,
  });
  if (reason) await sayOnBoard(deps, job, store.code, reason);
  return reason;
}

/** Another import of the store holds its lease (a duplicate delivery, two workers): wait for it. */
export async function waitForLease(job: ImportJob | null, token: string | undefined): Promise<void> {
  await job?.log?.(SKIP_REASONS.busy).catch(() => undefined);
  if (job && token) {
    await job.moveToDelayed(Date.now() + 5_000, token);
    throw new DelayedError();
  }
}

/** How soon an attempt that failed after committing progress is tried again. */
export const PROGRESS_RETRY_MS = 2_000;

/**
 * The attempt failed but moved the cursor first: the job runs again shortly, from where it stopped,
 * and the attempt is not counted (moveToDelayed + DelayedError keeps attemptsMade): a job is failed
 * only when attempts in a row make no progress.
 */
async function continueAfterProgress(
  deps: Pick<JobDeps, 'log'>,
  job: ImportJob,
  token: string,
  store: Store,
  e: ImportProgressed,
): Promise<never> {
  const reason = `取込は進みましたが途中で失敗しました（${e.message.slice(0, 300)}）。続きから再開します`;
  deps.log.warn(
    { store: store.code, jobId: job.id, err: e.message },
    'import failed after progress; resuming',
  );
  await job.log?.(reason).catch(() => undefined);
  await job.moveToDelayed(Date.now() + PROGRESS_RETRY_MS, token);
  throw new DelayedError();
}

/** Runs the import use case for a job, turning its outcomes into BullMQ's vocabulary. */
export async function runImportJob(
  deps: JobDeps,
  store: Store,
  input: Omit<Parameters<typeof runImport>[1], 'store' | 'jobId'>,
  job: ImportJob | null,
  token: string | undefined,
): Promise<RunImportResult> {
  let r: RunImportResult;
  try {
    r = await runImport(deps, { ...input, store, jobId: job?.id ?? null });
  } catch (e) {
    if (e instanceof ImportProgressed && job && token)
      await continueAfterProgress(deps, job, token, store, e);
    return failImport(store, e);
  }
  if (r.outcome === 'busy') await waitForLease(job, token);
  return r;
}

export async function processImportStore(
  data: ImportStorePayload,
  job: ImportJob | null,
  token: string | undefined,
  deps: JobDeps,
): Promise<ImportResult> {
  const store = await getStore(deps.db, data.storeCode);
  const slot = data.slot ? new Date(data.slot) : null;
  const skipped = await skipIfDue(deps, store, data.trigger, job, slot);
  if (skipped) return { store: store.code, outcome: 'skipped', reason: skipped };
  const r = await runImportJob(
    deps,
    store,
    { trigger: data.trigger, source: { kind: 'window' }, actor: 'import', slot },
    job,
    token,
  );
  switch (r.outcome) {
    case 'busy':
      return { store: store.code, outcome: 'delayed', reason: SKIP_REASONS.busy };
    case 'already-imported':
    case 'not-found':
      await sayOnBoard(deps, job, store.code, SKIP_REASONS.alreadyImported);
      return { store: store.code, outcome: 'skipped', reason: SKIP_REASONS.alreadyImported };
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

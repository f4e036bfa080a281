// Operation: an import of one store — the one skeleton the scheduled import, the reconciliation,
// the re-import of one order and an uploaded file all run: the store's import lease (one import of a
// store at a time, whoever starts it), the run row, the pages, the cursor (scheduled windows only,
// forward only, once the whole window is in), then finish or fail. A cart refusing our credentials
// stops at once and marks the store; other failures are the caller's to retry (jobs: BullMQ).
import { randomUUID } from 'node:crypto';
import type { CartAdapter, RawOrder } from '../carts/contract.js';
import { CsvFormatError } from '../carts/csv/format-error.js';
import { CartAuthError } from '../carts/errors.js';
import { closeAbandonedRuns, finishRun, openRun } from '../db/import-runs.js';
import type { ImportTrigger } from '../db/schema.js';
import {
  acquireImportLease,
  advanceCursor,
  credentialsWorked,
  markNeedsCredentials,
  releaseImportLease,
  type Store,
} from '../db/stores.js';
import { addCounts, type PageCounts, zeroCounts } from '../domain/import-counts.js';
import { jstDate, parseJstLocal } from '../domain/time.js';
import type { Logger } from '../infra/logger.js';
import type { UseCaseDeps } from './deps.js';
import { importInboxFiles } from './import-inbox-files.js';
import { importPage } from './import-page.js';

export interface ImportDeps extends UseCaseDeps {
  log: Logger;
  /** Builds the store's cart adapter (not needed for records in hand). */
  adapterFor?: (store: Store) => Promise<CartAdapter>;
  /** Identifies this process in leases (host-pid). */
  processId: string;
  config: { IMPORT_LEASE_SECONDS: number };
}

/** What the run reads: the window after the cursor, one JST day, one order, or records in hand. */
export type ImportSource =
  | { kind: 'window' }
  | { kind: 'day'; day: string }
  | { kind: 'order'; cartOrderNo: string }
  | { kind: 'records'; records: readonly RawOrder[]; adapter: Pick<CartAdapter, 'normalize'> }
  /** An uploaded order file read as a stream: its pages (one transaction each). */
  | { kind: 'pages'; pages: AsyncIterable<readonly RawOrder[]>; adapter: Pick<CartAdapter, 'normalize'> };

export interface RunImportInput {
  store: Store;
  trigger: ImportTrigger;
  source: ImportSource;
  actor: string;
  /** The BullMQ job (a retry continues its run) and the scheduled slot (one run per slot). */
  jobId?: string | null;
  slot?: Date | null;
}

export type RunImportResult =
  | { outcome: 'busy' }
  | { outcome: 'already-imported' }
  | {
      outcome: 'succeeded';
      runId: number;
      counts: PageCounts;
      window: { from: Date; to: Date } | null;
      /** Cart order numbers stored for the first time (a reconciliation's missed orders). */
      newOrders: string[];
    }
  | { outcome: 'not-found'; runId: number };

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

/** [day 00:00 JST, next day 00:00 JST). */
export function reconcileWindow(day: string): { from: Date; to: Date } {
  const from = parseJstLocal(`${day} 00:00:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

export function yesterdayJst(now: Date): string {
  return jstDate(new Date(now.getTime() - 86_400_000));
}

export async function runImport(deps: ImportDeps, input: RunImportInput): Promise<RunImportResult> {
  const { store, source } = input;
  const owner = `${deps.processId}-${input.jobId ?? `direct-${randomUUID()}`}`;
  const leaseSeconds = deps.config.IMPORT_LEASE_SECONDS;
  if (!(await acquireImportLease(deps.db, store.id, owner, leaseSeconds))) return { outcome: 'busy' };
  let runId: number | null = null;
  try {
    const inHand = source.kind === 'records' || source.kind === 'pages';
    if (!inHand && !deps.adapterFor) throw new Error('runImport: no adapterFor for a cart source');
    const adapter = inHand ? null : await deps.adapterFor!(store);
    // We hold the store's lease, so a run of it still `running` belongs to a process that died.
    await closeAbandonedRuns(deps.db, store.id);
    let window: { from: Date; to: Date } | null = null;
    if (source.kind === 'window') {
      window = importWindow(store, deps.now());
      const listable = adapter!.listableUntil?.();
      if (listable && listable < window.to) window.to = listable;
    } else if (source.kind === 'day') window = reconcileWindow(source.day);
    const run = await openRun(deps.db, {
      storeId: store.id,
      trigger: input.trigger,
      jobId: input.jobId ?? null,
      slot: input.slot ?? null,
      windowFrom: window?.from ?? null,
      windowTo: window?.to ?? null,
    });
    if (!run) return { outcome: 'already-imported' };
    runId = run.id;
    const newOrders: string[] = [];
    let counts = zeroCounts();
    const page = async (raws: readonly RawOrder[], normalizer: Pick<CartAdapter, 'normalize'>) => {
      counts = addCounts(
        counts,
        await importPage(deps, store, normalizer, raws, {
          runId: run.id,
          actor: input.actor,
          force: source.kind === 'order',
          onOutcome: (no, kind) => {
            if (kind === 'new') newOrders.push(no);
          },
        }),
      );
      await acquireImportLease(deps.db, store.id, owner, leaseSeconds); // renew
    };
    if (source.kind === 'records') await page(source.records, source.adapter);
    else if (source.kind === 'pages') for await (const p of source.pages) await page(p, source.adapter);
    else if (source.kind === 'window' && adapter!.inbox) {
      // Files (CSV): each recorded before it is read; one that cannot be processed is set aside.
      const files = await importInboxFiles(deps, {
        storeId: store.id,
        runId: run.id,
        inbox: adapter!.inbox,
        page: (orders) => page(orders, adapter!),
      });
      if (window) await advanceCursor(deps.db, store.id, window.to);
      if (files.setAside.length)
        throw new CsvFormatError(
          `${files.setAside.length} 件のファイルを failed/ に移しました: ${files.setAside.map((f) => `${f.name}（${f.reason}）`).join('; ')}`,
          adapter!.inbox.dir,
        );
    } else if (source.kind === 'order') {
      const raw = await adapter!.fetchOrder(source.cartOrderNo);
      if (!raw) {
        await finishRun(
          deps.db,
          run.id,
          store.id,
          'failed',
          `${store.code}: the cart has no order ${source.cartOrderNo}`,
        );
        return { outcome: 'not-found', runId: run.id };
      }
      await page([raw], adapter!);
      await credentialsWorked(deps.db, store.id);
    } else if (window && window.to > window.from) {
      for await (const p of adapter!.listOrders(window)) await page(p.orders, adapter!);
      if (source.kind === 'window') {
        // The window is complete: only now does the cursor move (forward only); the credentials
        // proved good, so 要再登録 clears with it.
        await advanceCursor(deps.db, store.id, window.to);
        await adapter!.afterWindow?.();
      } else await credentialsWorked(deps.db, store.id);
    }
    await finishRun(
      deps.db,
      run.id,
      store.id,
      'succeeded',
      null,
      source.kind === 'day' ? { missingFound: newOrders.length } : {},
    );
    return { outcome: 'succeeded', runId: run.id, counts, window, newOrders };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (runId !== null) await finishRun(deps.db, runId, store.id, 'failed', message);
    if (e instanceof CartAuthError) {
      await markNeedsCredentials(deps.db, store.id, message);
      deps.log.error({ store: store.code, err: message }, 'authentication refused: store needs credentials');
    }
    throw e;
  } finally {
    await releaseImportLease(deps.db, store.id, owner).catch(() => undefined);
  }
}

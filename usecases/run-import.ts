// Operation: an import of one store — the one skeleton the scheduled import, the reconciliation,
// the re-import of one order and an uploaded file all run: the store's import lease (one import of a
// store at a time, whoever starts it), the run row, the pages, the cursor (scheduled windows only,
// forward only, on the database's clock; committed as the window goes where the cart's pages say how
// far they are in, or per sub-window, so a retry resumes), then finish or fail. A cart refusing our credentials
// stops at once and marks the store; other failures are the caller's to retry (jobs: BullMQ).
import { randomUUID } from 'node:crypto';
import type { CartAdapter, RawOrder } from '../carts/contract.js';
import { CsvFormatError } from '../carts/csv/format-error.js';
import { CartAuthError, isCartError } from '../carts/errors.js';
import { checkpointCursor, readImportPosition, refuseFutureCursor } from '../db/import-position.js';
import { closeAbandonedRuns, finishRun, noteRun, openRun } from '../db/import-runs.js';
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
import { subWindows } from '../domain/import-window.js';
import { jstDate, parseJstLocal, toJstIso } from '../domain/time.js';
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
  | { kind: 'span'; window: { from: Date; to: Date } }
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
  /** After each page commits: the run's counts so far (an upload's progress). */
  onPage?: (counts: PageCounts) => Promise<void> | void;
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

/**
 * The attempt failed after committing progress (the cursor moved): a retry resumes where it stopped.
 * Jobs retry such an attempt without counting it as failed.
 */
export class ImportProgressed extends Error {
  override name = 'ImportProgressed';
}

/** Retrying may help: not a refusal of our credentials nor a request the cart will never take. */
function isRetryableFailure(e: unknown): boolean {
  if (e instanceof CartAuthError) return false;
  if (isCartError(e)) return e.retryable;
  return true;
}

/**
 * The window of a scheduled import, on the database's clock: the one an earlier attempt left half
 * done (from where its cursor stands, to its end), else [cursor − overlap, now − settle lag). A
 * cursor beyond the database's time is refused and set back (db/import-position.ts), and the run
 * says so.
 */
async function windowToImport(
  deps: ImportDeps,
  store: Store,
): Promise<{ window: { from: Date; to: Date }; resume: boolean; notice: string | null }> {
  let pos = await readImportPosition(deps.db, store.id);
  let notice: string | null = null;
  if (pos.cursor && pos.cursor > pos.dbNow) {
    const r = await refuseFutureCursor(deps.db, store.id);
    if (r) {
      notice = `取込カーソル ${toJstIso(r.refused)} がデータベースの時刻 ${toJstIso(r.dbNow)} より先でした（時計の進んだプロセスが書いたものです）。受け付けず、${r.setTo ? `${toJstIso(r.setTo)} から` : '初回取込の範囲で'}取り込み直します。`;
      deps.log.error(
        {
          store: store.code,
          refused: r.refused.toISOString(),
          dbNow: r.dbNow.toISOString(),
          setTo: r.setTo?.toISOString() ?? null,
        },
        'import cursor beyond the database time refused and set back',
      );
    }
    pos = await readImportPosition(deps.db, store.id);
  }
  if (pos.windowTo && pos.cursor && pos.cursor < pos.windowTo && pos.windowTo <= pos.dbNow)
    return { window: { from: pos.cursor, to: pos.windowTo }, resume: true, notice };
  return { window: importWindow({ ...store, importCursor: pos.cursor }, pos.dbNow), resume: false, notice };
}

/**
 * The items of `source` with the next page already asked for: while the caller stores page n, the
 * source works on page n + 1 (an adapter waits for its token and fetches it), so the import's own
 * writes overlap the cart's interval instead of adding to it. Items that are no page (`isPage`
 * false: a progress mark) cost nothing to hold, so the source is read on past them until one page is
 * ready ahead, never more. Items are handed out in order; a failure of the work ahead surfaces when
 * the caller has taken every item before it. When the caller stops early, `abort` is aborted and the
 * source is closed once its step in flight ends (nobody waits for it).
 */
export async function* fetchingAhead<T>(
  source: AsyncIterable<T>,
  opts: { isPage?: (item: T) => boolean; abort?: AbortController } = {},
): AsyncGenerator<T> {
  const isPage = opts.isPage ?? (() => true);
  const it = source[Symbol.asyncIterator]();
  const ready: T[] = [];
  let inFlight: Promise<unknown> | null = null;
  let ended = false;
  let failure: { error: unknown } | null = null;
  const askAhead = (): void => {
    if (inFlight || ended || failure || ready.some(isPage)) return;
    inFlight = it.next().then(
      (r) => {
        inFlight = null;
        if (r.done) ended = true;
        else {
          ready.push(r.value);
          askAhead();
        }
      },
      (error: unknown) => {
        inFlight = null;
        failure = { error };
      },
    );
  };
  try {
    for (;;) {
      askAhead();
      while (ready.length === 0) {
        if (failure) throw (failure as { error: unknown }).error;
        if (ended) return;
        await inFlight;
      }
      const item = ready.shift() as T;
      askAhead();
      yield item;
    }
  } finally {
    if (!ended && !failure) {
      opts.abort?.abort();
      void Promise.resolve(inFlight)
        .then(() => it.return?.())
        .catch(() => undefined);
    }
  }
}

/** One step of a window's listing: a page of orders, and the instant progress may move to after it. */
interface ListStep {
  orders: readonly RawOrder[];
  commitAt: Date | null;
}

/**
 * The steps of a scheduled window: the adapter's pages and, where the cart can say how far the window
 * is in, the instants to commit (`progress: 'pages'`: a page's `resumeFrom`; `progress: 'windows'`:
 * the end of each sub-window of `importSliceMinutes`; neither: only the whole window commits).
 */
async function* windowSteps(
  store: Store,
  adapter: CartAdapter,
  window: { from: Date; to: Date },
  opts: { resume: boolean; signal: AbortSignal },
): AsyncGenerator<ListStep> {
  if (adapter.progress === 'windows') {
    for (const w of subWindows(window, store.settings.importSliceMinutes * MINUTE)) {
      for await (const p of adapter.listOrders(w, opts)) yield { orders: p.orders, commitAt: null };
      if (w.to < window.to) yield { orders: [], commitAt: w.to };
    }
    return;
  }
  for await (const p of adapter.listOrders(window, opts)) {
    const at = adapter.progress === 'pages' && p.resumeFrom && p.resumeFrom < window.to ? p.resumeFrom : null;
    yield { orders: p.orders, commitAt: at };
  }
}

/**
 * Lists a scheduled window committing progress as it goes, the next page fetched while this one is
 * stored (`fetchingAhead`). The cursor moves only past steps already stored: a step's commit runs
 * after its page and every page before it are written, never for the page being fetched ahead.
 */
async function listCommitting(
  deps: ImportDeps,
  store: Store,
  adapter: CartAdapter,
  window: { from: Date; to: Date },
  resume: boolean,
  page: (raws: readonly RawOrder[]) => Promise<void>,
  onProgress: () => void,
): Promise<void> {
  const abort = new AbortController();
  const steps = windowSteps(store, adapter, window, { resume, signal: abort.signal });
  for await (const step of fetchingAhead(steps, { isPage: (s) => s.orders.length > 0, abort })) {
    if (step.orders.length) await page(step.orders);
    if (step.commitAt && (await checkpointCursor(deps.db, store.id, step.commitAt, window.to))) onProgress();
  }
}

export async function runImport(deps: ImportDeps, input: RunImportInput): Promise<RunImportResult> {
  const { store, source } = input;
  const owner = `${deps.processId}-${input.jobId ?? `direct-${randomUUID()}`}`;
  const leaseSeconds = deps.config.IMPORT_LEASE_SECONDS;
  if (!(await acquireImportLease(deps.db, store.id, owner, leaseSeconds))) return { outcome: 'busy' };
  let runId: number | null = null;
  let progressed = false;
  try {
    const inHand = source.kind === 'records' || source.kind === 'pages';
    if (!inHand && !deps.adapterFor) throw new Error('runImport: no adapterFor for a cart source');
    const adapter = inHand ? null : await deps.adapterFor!(store);
    // We hold the store's lease, so a run of it still `running` belongs to a process that died.
    await closeAbandonedRuns(deps.db, store.id);
    let window: { from: Date; to: Date } | null = null;
    let resume = false;
    let notice: string | null = null;
    if (source.kind === 'window') {
      const w = await windowToImport(deps, store);
      ({ window, resume, notice } = w);
      const listable = adapter!.listableUntil?.();
      if (!resume && listable && listable < window.to) window.to = listable;
    } else if (source.kind === 'day') window = reconcileWindow(source.day);
    else if (source.kind === 'span') window = source.window;
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
    if (notice) await noteRun(deps.db, run.id, notice);
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
      await input.onPage?.(counts);
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
      if (source.kind === 'window') {
        const w = window;
        await listCommitting(
          deps,
          store,
          adapter!,
          w,
          resume,
          (raws) => page(raws, adapter!),
          () => {
            progressed = true;
          },
        );
        // The window is complete: the cursor moves to its end (forward only, never beyond the
        // database's time); the credentials proved good, so 要再登録 clears with it.
        if (!(await advanceCursor(deps.db, store.id, w.to)))
          deps.log.error(
            { store: store.code, to: w.to.toISOString() },
            'the window end is beyond the database time: the cursor was not moved',
          );
        await adapter!.afterWindow?.();
      } else {
        const abort = new AbortController();
        const pages = adapter!.listOrders(window, { signal: abort.signal });
        for await (const p of fetchingAhead(pages, { isPage: (x) => x.orders.length > 0, abort }))
          await page(p.orders, adapter!);
        await credentialsWorked(deps.db, store.id);
      }
    }
    await finishRun(
      deps.db,
      run.id,
      store.id,
      'succeeded',
      null,
      source.kind === 'day' || source.kind === 'span' ? { missingFound: newOrders.length } : {},
    );
    return { outcome: 'succeeded', runId: run.id, counts, window, newOrders };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const goesOn = progressed && isRetryableFailure(e);
    if (runId !== null)
      await finishRun(
        deps.db,
        runId,
        store.id,
        'failed',
        goesOn ? `${message}（取込は進んでいます: 次の試行は続きから再開します）` : message,
      );
    if (e instanceof CartAuthError) {
      await markNeedsCredentials(deps.db, store.id, message);
      deps.log.error({ store: store.code, err: message }, 'authentication refused: store needs credentials');
    }
    // Progress was committed before the failure: the caller may try again at once without counting
    // a failed attempt (a store with a backlog catches up while the cart is merely unreliable).
    if (goesOn) throw new ImportProgressed(message, { cause: e });
    throw e;
  } finally {
    await releaseImportLease(deps.db, store.id, owner).catch(() => undefined);
  }
}

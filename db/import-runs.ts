// Import runs: one row per import attempt, with its window, counts, outcome and timings. The import
// opens and finishes its run here; 取込履歴 (dashboard, `juchu runs`) reads them through listImportRuns.
import { sql } from 'kysely';
import type { PageCounts } from '../domain/import-counts.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { decodeIdCursor, fetchPage, mapPage, type Page } from './paging.js';
import type { ImportRunOutcome, ImportRunRow, ImportTrigger } from './schema.js';

/**
 * The run for this job: a retry of the same BullMQ job continues its run; a scheduled slot gets at
 * most one run however many schedulers fired it. Returns null when the slot already succeeded.
 */
export async function openRun(
  db: Db,
  input: {
    storeId: number;
    trigger: ImportTrigger;
    jobId: string | null;
    slot: Date | null;
    windowFrom: Date | null;
    windowTo: Date | null;
  },
): Promise<{ id: number; resumed: boolean } | null> {
  if (input.slot) {
    const bySlot = await db
      .selectFrom('import_runs')
      .select(['id', 'outcome'])
      .where('store_id', '=', input.storeId)
      .where('trigger', '=', 'schedule')
      .where('slot', '=', input.slot)
      .executeTakeFirst();
    if (bySlot?.outcome === 'succeeded') return null;
    if (bySlot) {
      await db
        .updateTable('import_runs')
        .set({
          outcome: 'running',
          error: null,
          window_from: input.windowFrom,
          window_to: input.windowTo,
          job_id: input.jobId,
        })
        .where('id', '=', bySlot.id)
        .execute();
      return { id: bySlot.id, resumed: true };
    }
  } else if (input.jobId) {
    const byJob = await db
      .selectFrom('import_runs')
      .select(['id', 'outcome'])
      .where('job_id', '=', input.jobId)
      .where('store_id', '=', input.storeId)
      .where('outcome', '<>', 'succeeded')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (byJob) {
      await db
        .updateTable('import_runs')
        .set({ outcome: 'running', error: null, window_from: input.windowFrom, window_to: input.windowTo })
        .where('id', '=', byJob.id)
        .execute();
      return { id: byJob.id, resumed: true };
    }
  }
  const r = await sql<{ id: number }>`
    INSERT INTO import_runs (store_id, trigger, job_id, slot, window_from, window_to)
    VALUES (${input.storeId}, ${input.trigger}, ${input.jobId}, ${input.slot}, ${input.windowFrom}, ${input.windowTo})
    ON CONFLICT (store_id, slot) WHERE trigger = 'schedule' DO NOTHING
    RETURNING id`.execute(db);
  const id = r.rows[0]?.id;
  if (id === undefined) return openRun(db, input); // a concurrent twin inserted it: resume that one
  return { id, resumed: false };
}

export const ABANDONED_RUN =
  '取込の途中でワーカーが停止しました（リースの期限切れで終了）。次の取込が続きから取り込みます';

/**
 * The store's runs left `running` by a process that died, closed as failed. Only the holder of the
 * store's import lease calls it (so no run of the store is live).
 */
export async function closeAbandonedRuns(db: Db, storeId: number): Promise<number> {
  const r = await db
    .updateTable('import_runs')
    .set({
      outcome: 'failed',
      error: ABANDONED_RUN,
      finished_at: sql`now()`,
      duration_ms: sql`(extract(epoch from now() - started_at) * 1000)::int`,
    })
    .where('store_id', '=', storeId)
    .where('outcome', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Every run left `running` whose store's import lease is free or expired (its worker died and no
 * import of the store came since): closed as failed. The sweep's half of closeAbandonedRuns.
 */
export async function closeExpiredRuns(db: Db): Promise<number> {
  const r = await sql`
    UPDATE import_runs r SET outcome = 'failed', error = ${ABANDONED_RUN}, finished_at = now(),
      duration_ms = (extract(epoch from now() - r.started_at) * 1000)::int
    FROM stores s
    WHERE s.id = r.store_id AND r.outcome = 'running'
      AND (s.import_lease_until IS NULL OR s.import_lease_until < now())`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** What the run corrected on its way (Japanese, shown with the run). */
export async function noteRun(db: Db, runId: number, notice: string): Promise<void> {
  await db
    .updateTable('import_runs')
    .set({ notice: notice.slice(0, 2000) })
    .where('id', '=', runId)
    .execute();
}

export async function finishRun(
  db: Db,
  runId: number,
  storeId: number,
  outcome: 'succeeded' | 'failed',
  error: string | null,
  extra: { missingFound?: number } = {},
): Promise<void> {
  await db
    .updateTable('import_runs')
    .set({
      outcome,
      error: error?.slice(0, 2000) ?? null,
      finished_at: sql`now()`,
      duration_ms: sql`(extract(epoch from now() - started_at) * 1000)::int`,
      ...(extra.missingFound !== undefined ? { missing_found: extra.missingFound } : {}),
    })
    .where('id', '=', runId)
    .execute();
  await db
    .updateTable('stores')
    .set({ last_import_at: sql`now()`, last_import_outcome: outcome })
    .where('id', '=', storeId)
    .execute();
}

/**
 * A job that did not import, and why: a run row with outcome 'skipped'. A scheduled slot keeps one
 * row (a slot that already failed or was skipped says the latest; a succeeded or running one stays).
 */
export async function recordSkippedRun(
  db: Db,
  input: { storeId: number; trigger: ImportTrigger; jobId: string | null; slot: Date | null; reason: string },
): Promise<number | null> {
  const slot = input.trigger === 'schedule' ? input.slot : null;
  const r = await sql<{ id: number }>`
    INSERT INTO import_runs (store_id, trigger, job_id, slot, outcome, skip_reason, finished_at, duration_ms)
    VALUES (${input.storeId}, ${input.trigger}, ${input.jobId}, ${slot}, 'skipped', ${input.reason.slice(0, 2000)}, now(), 0)
    ON CONFLICT (store_id, slot) WHERE trigger = 'schedule' DO UPDATE
      SET outcome = 'skipped', skip_reason = EXCLUDED.skip_reason, job_id = EXCLUDED.job_id,
          finished_at = now(), error = NULL
      WHERE import_runs.outcome IN ('failed', 'skipped')
    RETURNING id`.execute(db);
  return r.rows[0]?.id ?? null;
}

/** Per store, its latest run when that run was skipped: when, and why (the stores screen). */
export async function latestSkips(db: Db): Promise<Map<number, { at: Date; reason: string }>> {
  const r = await sql<{ store_id: number; outcome: string; skip_reason: string | null; started_at: Date }>`
    SELECT DISTINCT ON (store_id) store_id, outcome, skip_reason, started_at
    FROM import_runs ORDER BY store_id, started_at DESC, id DESC`.execute(db);
  return new Map(
    r.rows
      .filter((x) => x.outcome === 'skipped')
      .map((x) => [x.store_id, { at: x.started_at, reason: x.skip_reason ?? '' }]),
  );
}

export interface ImportRunView {
  id: number;
  store: string;
  storeName: string;
  trigger: ImportTrigger;
  jobId: string | null;
  slot: string | null;
  windowFrom: string | null;
  windowTo: string | null;
  counts: {
    fetched: number;
    new: number;
    updated: number;
    unchanged: number;
    rejected: number;
    skipped: number;
    missingFound: number | null;
  };
  outcome: ImportRunOutcome;
  error: string | null;
  /** Why the job did not import (outcome 'skipped'). */
  skipReason: string | null;
  /** What the run corrected on its way (a cursor beyond the database's time), Japanese. */
  notice: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

const jstOrNull = (d: Date | null) => (d ? toJstIso(d) : null);

function toRunView(r: ImportRunRow & { store_code: string; store_name: string }): ImportRunView {
  return {
    id: r.id,
    store: r.store_code,
    storeName: r.store_name,
    trigger: r.trigger,
    jobId: r.job_id,
    slot: jstOrNull(r.slot),
    windowFrom: jstOrNull(r.window_from),
    windowTo: jstOrNull(r.window_to),
    counts: {
      fetched: r.fetched,
      new: r.new,
      updated: r.updated,
      unchanged: r.unchanged,
      rejected: r.rejected,
      skipped: r.skipped,
      missingFound: r.missing_found,
    },
    outcome: r.outcome,
    error: r.error,
    skipReason: r.skip_reason,
    notice: r.notice,
    startedAt: toJstIso(r.started_at),
    finishedAt: jstOrNull(r.finished_at),
    durationMs: r.duration_ms,
  };
}

/** Import runs newest first, a page at a time; `before` is the `next` of the page before. */
export async function listImportRuns(
  db: Db,
  q: {
    store?: string;
    outcome?: ImportRunOutcome;
    before?: string | number;
    size?: number;
  } = {},
): Promise<Page<ImportRunView, number>> {
  const before = decodeIdCursor(q.before);
  let query = db
    .selectFrom('import_runs as r')
    .innerJoin('stores as s', 's.id', 'r.store_id')
    .selectAll('r')
    .select(['s.code as store_code', 's.name as store_name']);
  if (q.store) query = query.where('s.code', '=', q.store);
  if (q.outcome) query = query.where('r.outcome', '=', q.outcome);
  if (before) query = query.where('r.id', '<', before);
  const page = await fetchPage(
    q.size ?? 100,
    (limit) => query.orderBy('r.id', 'desc').limit(limit).execute(),
    (last) => last.id,
  );
  return mapPage(page, toRunView);
}

/** A page's counts added to its run, in the page's transaction (so they commit with its orders). */
export async function addRunCounts(trx: Db, runId: number, c: Omit<PageCounts, 'flagged'>): Promise<void> {
  await trx
    .updateTable('import_runs')
    .set((eb) => ({
      fetched: eb('fetched', '+', c.fetched),
      new: eb('new', '+', c.new),
      updated: eb('updated', '+', c.updated),
      unchanged: eb('unchanged', '+', c.unchanged),
      rejected: eb('rejected', '+', c.rejected),
      skipped: eb('skipped', '+', c.skipped),
    }))
    .where('id', '=', runId)
    .execute();
}

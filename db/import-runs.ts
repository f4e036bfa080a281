// Import runs: one row per import attempt, with its window, counts, outcome and timings.
import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ImportTrigger } from './schema.js';

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

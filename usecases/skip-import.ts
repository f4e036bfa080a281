// Operation: an import job that should not import (domain/import-skip.ts says when) records why — a
// run row with outcome 'skipped' (取込履歴, the stores screen) — and hands the reason back for the
// job to show on Bull Board. Idempotent: a scheduled slot keeps one row, re-delivered or not.
import { recordSkippedRun } from '../db/import-runs.js';
import type { ImportTrigger } from '../db/schema.js';
import type { Store } from '../db/stores.js';
import { importSkipReason } from '../domain/import-skip.js';
import type { UseCaseDeps } from './deps.js';

export async function skipImportIfDue(
  deps: Pick<UseCaseDeps, 'db'>,
  input: {
    store: Store;
    trigger: ImportTrigger;
    /** The job has run before (a BullMQ retry, or an admin's retry of the failed job). */
    retry: boolean;
    jobId: string | null;
    slot: Date | null;
  },
): Promise<string | null> {
  const reason = importSkipReason(input.store, input.trigger, { retry: input.retry });
  if (!reason) return null;
  await recordSkippedRun(deps.db, {
    storeId: input.store.id,
    trigger: input.trigger,
    jobId: input.jobId,
    slot: input.slot,
    reason,
  });
  return reason;
}

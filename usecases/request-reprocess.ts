// Operation: ask for a rejected record to be read again (the `reprocess-reject` job runs
// usecases/reprocess-reject.ts). Refused when the reject does not exist (404) or is already resolved.
// The dashboard's 再処理 button and `juchu rejects reprocess` both come here.
import { findImportReject } from '../db/import-rejects.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { Queues } from '../jobs/queues.js';
import type { UseCaseDeps } from './deps.js';

export async function requestReprocess(
  deps: Pick<UseCaseDeps, 'db'> & { queues: Pick<Queues, 'add'> },
  input: { rejectId: number; actor: string },
): Promise<{ jobId: string | null }> {
  const r = await findImportReject(deps.db, input.rejectId);
  if (!r) throw new RuleRefusal(`取込エラー ${input.rejectId} はありません`, 'not_found');
  if (r.resolvedAt) throw new RuleRefusal('この取込エラーは解決済みです', 'already_resolved');
  const jobId = await deps.queues.add('reprocess-reject', {
    rejectId: input.rejectId,
    requestedBy: input.actor,
  });
  return { jobId: jobId ?? null };
}

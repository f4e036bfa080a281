// Operations on the store mapping (EC店舗別商品マスタ): add or change a cart code → product, or
// remove one. After commit, adding or changing one enqueues the re-check of the orders waiting in
// マスタなし商品 on that cart code (job `recheck-mapping`, idempotent); removing one changes no
// order already converted — only future imports.
import { deleteMapping, type MappingInput, updateMapping, upsertMapping } from '../db/products.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { Queues } from '../jobs/queues.js';
import type { UseCaseDeps } from './deps.js';

export interface MappingDeps extends Pick<UseCaseDeps, 'db'> {
  queues: Pick<Queues, 'add'>;
}

export interface SavedMapping {
  id: number;
  /** The re-check job (null when BullMQ deduplicated it into one already waiting). */
  jobId: string | null;
}

async function enqueueRecheck(deps: MappingDeps, storeCode: string, cartProductCode: string, by: string) {
  return (await deps.queues.add('recheck-mapping', { storeCode, cartProductCode, requestedBy: by })) ?? null;
}

export async function saveMapping(
  deps: MappingDeps,
  input: { storeCode: string; mapping: MappingInput; actor: string; id?: number },
): Promise<SavedMapping> {
  let id = input.id;
  if (id === undefined) id = await upsertMapping(deps.db, input.mapping);
  else if (!(await updateMapping(deps.db, id, input.mapping)))
    throw new RuleRefusal(`マッピング ${id} はありません`, 'not_found');
  const jobId = await enqueueRecheck(deps, input.storeCode, input.mapping.cartProductCode, input.actor);
  return { id, jobId };
}

export async function removeMapping(deps: Pick<UseCaseDeps, 'db'>, input: { id: number }): Promise<void> {
  if (!(await deleteMapping(deps.db, input.id)))
    throw new RuleRefusal(`マッピング ${input.id} はありません`, 'not_found');
}

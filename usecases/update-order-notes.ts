// Operation: operator notes and acknowledgements on the detail screen (社内メモ, コメント確認済み,
// 商品確認済み, 出荷予定日). One event records what changed.
import { type Actor, lockOrder, type NotesPatch, updateNotes } from '../db/order-status.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export async function updateOrderNotes(
  deps: UseCaseDeps,
  input: { orderId: number; patch: NotesPatch; actor: Actor },
): Promise<void> {
  await withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, input.orderId);
    if (!row)
      throw new RuleRefusal(`注文 ${input.orderId} はありません（削除された可能性があります）`, 'not_found');
    await updateNotes(trx, row, input.patch, input.actor);
  });
}

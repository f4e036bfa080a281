// Operation: 入金. Records the payment date once; a 入金待ち order then moves on by 自動確認.
import { type Actor, currentStatus, lockOrder, recordPaidAt } from '../db/order-status.js';
import { formatOrderNo } from '../domain/order.js';
import { AUTO_CONFIRM, S } from '../domain/statuses.js';
import { toJstIso } from '../domain/time.js';
import { withTransaction } from '../infra/postgres.js';
import { changeStatus } from './change-status.js';
import type { UseCaseDeps } from './deps.js';
import { type ChangeResult, missingOrder } from './results.js';

export async function recordPayment(
  deps: UseCaseDeps,
  input: { orderId: number; paidAt: Date; actor: Actor },
): Promise<ChangeResult> {
  const { orderId, paidAt, actor } = input;
  const before = await currentStatus(deps.db, orderId);
  if (!before) return missingOrder(orderId);
  await withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, orderId);
    if (row) await recordPaidAt(trx, row, paidAt, actor, `入金 ${toJstIso(paidAt)}`);
  });
  if (before.status_code === S.awaitingPayment)
    return changeStatus(deps, { orderId, target: AUTO_CONFIRM, actor, reason: '入金確認' });
  const o = (await currentStatus(deps.db, orderId))!;
  return {
    orderId,
    orderNo: formatOrderNo(o.order_seq),
    ok: true,
    from: o.status_code,
    to: o.status_code,
    message: '入金を記録しました',
  };
}

// Operation: 再引当. Ends an order's 引当保留 (set by 受注在庫予約解除), records who did it, and gives
// the order stock again as any waiting order gets it: its products are allocated oldest order first
// (an older waiting order is still served before it), then it settles where its holds say.
import {
  type Actor,
  lockOrder,
  orderProductCodes,
  orderStockState,
  resumeAllocation,
} from '../db/order-status.js';
import { formatOrderNo } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

export interface ReallocateResult {
  orderId: number;
  orderNo: string;
  /** It was on 引当保留 (false: nothing to resume, the allocation ran anyway). */
  resumed: boolean;
  /** Units of stock the order holds after the allocation. */
  reservedUnits: number;
  status: string;
  message: string;
}

export async function reallocateOrder(
  deps: UseCaseDeps,
  input: { orderId: number; actor: Actor; reason?: string },
): Promise<ReallocateResult> {
  const resumed = await withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, input.orderId);
    if (!row) throw new RuleRefusal(`注文 ${input.orderId} はありません`, 'not_found');
    if (row.shipping_instructed_at)
      throw new RuleRefusal('出荷指示済みの注文は再引当できません', 'handed_to_warehouse');
    return resumeAllocation(trx, row, input.actor, input.reason);
  });
  await settleAfterStockChange(deps, {
    productCodes: await orderProductCodes(deps.db, input.orderId),
    orderIds: [input.orderId],
  });
  const after = await orderStockState(deps.db, input.orderId);
  const reservedUnits = after?.reservedUnits ?? 0;
  return {
    orderId: input.orderId,
    orderNo: after ? formatOrderNo(after.orderSeq) : '-',
    resumed,
    reservedUnits,
    status: after?.status ?? '-',
    message: `${resumed ? '引当保留を解除し、' : ''}再引当しました（引当 ${reservedUnits} 個）`,
  };
}

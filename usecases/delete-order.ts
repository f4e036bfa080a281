// Operation: 伝票削除. Only キャンセル済み orders may be deleted; the audit trail stays.
import { type Actor, deleteOrderRow, lockOrder, recordEvent } from '../db/order-status.js';
import { releaseOrderStock } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { formatOrderNo } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type ChangeResult, missingOrder } from './results.js';

export function deleteOrder(
  deps: UseCaseDeps,
  input: { orderId: number; actor: Actor },
): Promise<ChangeResult> {
  const { orderId, actor } = input;
  return withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, orderId);
    if (!row) return missingOrder(orderId);
    const orderNo = formatOrderNo(row.order_seq);
    const base = { orderId, orderNo, from: row.status_code, to: null };
    if (row.status_code !== S.cancelled)
      return { ...base, ok: false, message: `受注No ${orderNo}: キャンセル済みの注文だけ削除できます` };
    // A cancelled order holds nothing; should it (a bug, a hand edit), the cascade must not drop its
    // reservation rows behind stock_levels.reserved's back: give them back first, by the rules.
    const released = await releaseOrderStock(trx, orderId);
    // Should it have held any, the stock given back is free again at every store (在庫連携; the
    // outbox sweep delivers it).
    await recordStockActions(
      trx,
      released.map((x) => x.productCode),
      { now: deps.now(), actor },
    );
    await recordEvent(trx, row, {
      actor,
      action: 'deleted',
      from: row.status_code,
      reason: '伝票削除',
      ...(released.length ? { details: { released } } : {}),
    });
    await deleteOrderRow(trx, orderId);
    return { ...base, ok: true, message: `受注No ${orderNo} を削除しました` };
  });
}

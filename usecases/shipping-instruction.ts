// Operation: 出荷指示. Fully held ready orders → 出荷作業中; those that lost stock since they were
// confirmed go back to 在庫なし with the reason (never a silent skip). An order its cart has not
// released for shipping (Rakuten 100 注文確認待ち, 200 楽天処理中: domain/cart-release.ts) is skipped
// with the reason and stays ready. A result per order. The orders instructed together are a 出荷バッチ
// (label files are exported per batch), their carriers frozen.
import { readyOrders } from '../db/order-selection.js';
import type { Actor } from '../db/order-status.js';
import { cartRelease } from '../domain/cart-release.js';
import { formatOrderNo } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { changeStatus } from './change-status.js';
import type { UseCaseDeps } from './deps.js';
import { recordShippingBatch } from './record-shipping-batch.js';
import type { ChangeResult } from './results.js';
import { settleOrders } from './settle-after-stock-change.js';

export interface ShippingInstructionInput {
  /** These orders (those not ready are refused with the reason), or every ready order of these stores. */
  orderIds?: readonly number[];
  storeCodes?: readonly string[];
  actor: Actor;
}

export async function shippingInstruction(
  deps: UseCaseDeps,
  input: ShippingInstructionInput,
): Promise<ChangeResult[]> {
  return (await instructShipping(deps, input)).results;
}

/** The instruction and its batch: the orders now 出荷作業中 (null when none moved). */
export async function instructShipping(
  deps: UseCaseDeps,
  input: ShippingInstructionInput,
): Promise<{ results: ChangeResult[]; batchId: number | null }> {
  const ready = await readyOrders(deps.db, input);
  const results: ChangeResult[] = [];
  const ids: number[] = [];
  for (const o of ready) {
    const release = cartRelease(o.cart, o.cartStatus);
    if (release.released) ids.push(o.id);
    else
      results.push({
        orderId: o.id,
        orderNo: formatOrderNo(o.orderSeq),
        ok: false,
        from: o.status,
        to: null,
        message: `受注No ${formatOrderNo(o.orderSeq)}: ${release.reason}`,
        notReleased: true,
      });
  }
  const skipped = new Set(results.map((r) => r.orderId));
  for (const orderId of ids) {
    const r = await changeStatus(deps, { orderId, target: S.shipping, actor: input.actor });
    if (r.ok) {
      results.push(r);
      continue;
    }
    const moved = await settleOrders(deps, [orderId]);
    results.push(moved[0] ?? r);
  }
  if (input.orderIds) {
    const picked = new Set(ids);
    for (const orderId of input.orderIds)
      if (!picked.has(orderId) && !skipped.has(orderId))
        results.push(await changeStatus(deps, { orderId, target: S.shipping, actor: input.actor })); // explains the refusal
  }
  const instructed = results.filter((r) => r.ok && r.to === S.shipping).map((r) => r.orderId);
  const batchId = instructed.length
    ? await recordShippingBatch(deps, { orderIds: instructed, source: 'instruction', actor: input.actor })
    : null;
  return { results, batchId };
}

// Operation: a 出荷バッチ — the orders of one shipping-instruction run (shipping-instruction.ts calls
// this), or orders an operator selects (createSelectionBatch). Each order's carrier is frozen as the
// rules choose it now, unless an operator chose one, so later rule changes never move a label.

import { createBatch } from '../db/shipping-batches.js';
import { ordersWithCarriers, storeCarrier } from '../db/shipping-orders.js';
import { loadStatuses } from '../db/statuses.js';
import { RuleRefusal } from '../domain/refusal.js';
import { S } from '../domain/statuses.js';
import { jstDate } from '../domain/time.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export async function recordShippingBatch(
  deps: UseCaseDeps,
  input: { orderIds: readonly number[]; source: 'instruction' | 'selection'; actor: string },
): Promise<number> {
  const { orders, carriers } = await ordersWithCarriers(deps.db, input.orderIds);
  return withTransaction(deps.db, async (trx) => {
    for (const o of orders) {
      const c = carriers.get(o.id);
      if (o.stored || !c?.carrier) continue;
      await storeCarrier(trx, o.id, {
        carrier: c.carrier,
        method: c.method,
        source: c.source,
        reason: c.reason,
      });
    }
    return createBatch(trx, {
      source: input.source,
      shipDate: jstDate(deps.now()),
      actor: input.actor,
      orderIds: orders.map((o) => o.id),
    });
  });
}

/** A batch of orders the operator picks among those instructed and not shipped yet (出荷作業中). */
export async function createSelectionBatch(
  deps: UseCaseDeps,
  input: { orderIds: readonly number[]; actor: string },
): Promise<{ batchId: number; orders: number }> {
  if (!input.orderIds.length) throw new RuleRefusal('注文を選んでください', 'empty');
  const { orders } = await ordersWithCarriers(deps.db, input.orderIds);
  const found = new Set(orders.map((o) => o.id));
  const missing = input.orderIds.filter((id) => !found.has(id));
  if (missing.length) throw new RuleRefusal(`注文 ${missing.join(', ')} はありません`, 'not_found');
  const statuses = await loadStatuses(deps.db);
  const notReady = orders.filter((o) => !o.instructed || o.status !== S.shipping);
  if (notReady.length)
    throw new RuleRefusal(
      `出荷作業中の注文だけをバッチにできます: ${notReady
        .slice(0, 10)
        .map((o) => `受注No ${o.orderNo}（${statuses.label(o.status)}）`)
        .join('、')}${notReady.length > 10 ? ' ほか' : ''}`,
      'not_instructed',
    );
  const batchId = await recordShippingBatch(deps, {
    orderIds: input.orderIds,
    source: 'selection',
    actor: input.actor,
  });
  return { batchId, orders: orders.length };
}

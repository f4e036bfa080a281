// Operation: 受注在庫予約解除. Takes held stock back off the selected orders; orders in fulfillment
// go back to 在庫なし; every release is an event with who and why. Stock handed to the warehouse is
// never taken. One transaction per order. A released order goes on 引当保留 (allocation_held): no
// sweep, arrival or import gives it stock again until an operator re-allocates it
// (usecases/reallocate-order.ts) — else the next sweep handed the same stock straight back. The freed
// stock is not handed on here either; the next sweep or arrival gives it to other waiting orders.
import { findOrdersHoldingStock, type ReleaseSelection } from '../db/order-selection.js';
import {
  type Actor,
  applyPlan,
  holdAllocation,
  lockOrder,
  readOrderFacts,
  recordEvent,
} from '../db/order-status.js';
import { releaseOrderStock } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { formatOrderNo } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { fulfillmentDecision, planTransition } from '../domain/transitions.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionQueue, enqueueCartActions } from './enqueue-cart-actions.js';
import { actionContext } from './move-order.js';
import type { ChangeResult } from './results.js';

export interface ReleaseInput {
  selection: ReleaseSelection;
  actor: Actor;
  why: string;
}

export async function releaseReservations(
  deps: UseCaseDeps & { queues?: CartActionQueue },
  input: ReleaseInput,
): Promise<ChangeResult[]> {
  const { selection: sel, actor, why } = input;
  const ids = await findOrdersHoldingStock(deps.db, sel);
  const ctx = await actionContext(deps.db, deps.now());
  const results: ChangeResult[] = [];
  const stockActionIds: number[] = [];
  for (const id of ids) {
    const r = await withTransaction(deps.db, async (trx): Promise<ChangeResult | null> => {
      const row = await lockOrder(trx, id);
      if (!row) return null;
      const base = { orderId: id, orderNo: formatOrderNo(row.order_seq), from: row.status_code };
      if (row.shipping_instructed_at)
        return { ...base, ok: false, to: null, message: '出荷指示済みの注文の引当は解除できません' };
      const released = await releaseOrderStock(trx, id, {
        warehouse: sel.warehouse,
        productCode: sel.productCode,
      });
      const units = released.reduce((n, x) => n + x.quantity, 0);
      // 在庫連携: the stock given back is free at every store now.
      stockActionIds.push(
        ...(await recordStockActions(
          trx,
          released.map((x) => x.productCode),
          { now: ctx.now, actor },
        )),
      );
      await recordEvent(trx, row, {
        actor,
        action: 'reservation_released',
        reason: why,
        details: { released },
      });
      await holdAllocation(trx, row, { actor, reason: why, at: ctx.now });
      let to = row.status_code;
      if (row.status_code === S.readyToShip || row.status_code === S.readyAfterStock) {
        const facts = await readOrderFacts(trx, row, ctx.now, ctx.settings);
        const d = fulfillmentDecision(facts);
        const p = planTransition(facts, S.waiting, ctx.statuses);
        if (p.ok) {
          await applyPlan(
            trx,
            row,
            { ...p, markWaited: true },
            actor,
            ctx.now,
            d.reason ?? `引当解除: ${why}`,
          );
          to = S.waiting;
        }
      }
      return {
        ...base,
        ok: true,
        to,
        message: `${units} 個の引当を解除しました。引当保留中です（再引当するまで在庫を引き当てません）`,
      };
    });
    if (r) results.push(r);
  }
  await enqueueCartActions(
    deps.queues,
    [...new Set(stockActionIds)].map((id) => ({ id })),
  );
  return results;
}

// Operation: 注文確認 by an operator (the order list's bulk action, the order detail, the CLI, the API):
// each Rakuten order still waiting in 100 注文確認待ち gets a `confirm` cart action, recorded in one
// transaction for the orders asked (record-confirm-actions.ts: once per order), and the delivery jobs
// are enqueued after commit (confirmOrder ≤ 100 numbers per call). An order whose earlier confirm
// was refused or failed (e.g. its amounts were not fixed: ERROR_105) is sent again (再送). A result per
// order: not a Rakuten order, not in 100, a store set to `never`, already on its way or done.
import { resendCartAction } from '../db/cart-actions.js';
import { getStoreById, type Store } from '../db/stores.js';
import { awaitsCartConfirmation, orderConfirmationMode } from '../domain/cart-release.js';
import { formatOrderNo } from '../domain/order.js';
import { withTransaction } from '../infra/postgres.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';
import { confirmKey, recordConfirmActions } from './record-confirm-actions.js';
import type { ChangeResult } from './results.js';
import { missingOrder } from './results.js';

export interface ConfirmAtCartInput {
  orderIds: readonly number[];
  actor: string;
}

const STATE_WORDS: Record<string, string> = {
  pending: '送信待ち',
  delivering: '送信中',
  done: '注文確認済み',
};

export async function confirmOrdersAtCart(
  deps: CartActionDeps,
  input: ConfirmAtCartInput,
): Promise<ChangeResult[]> {
  const now = deps.now();
  const ids = [...new Set(input.orderIds)].sort((a, b) => a - b);
  const stores = new Map<number, Store>();
  const due: Array<{ id: number; retries: number }> = [];
  const results = await withTransaction(deps.db, async (trx) => {
    due.length = 0;
    const out: ChangeResult[] = [];
    const rows = ids.length
      ? await trx
          .selectFrom('orders')
          .select([
            'id',
            'order_seq',
            'store_id',
            'cart_order_no',
            'cart_status',
            'cart_cancelled',
            'status_code',
          ])
          .where('id', 'in', ids)
          .orderBy('id')
          .forUpdate()
          .execute()
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const o = byId.get(id);
      if (!o) {
        out.push(missingOrder(id));
        continue;
      }
      if (!stores.has(o.store_id)) stores.set(o.store_id, await getStoreById(trx, o.store_id));
      const store = stores.get(o.store_id)!;
      const result = (ok: boolean, message: string): ChangeResult => ({
        orderId: id,
        orderNo: formatOrderNo(o.order_seq),
        ok,
        from: o.status_code,
        to: ok ? o.status_code : null,
        message,
      });
      if (store.cart !== 'rakuten') {
        out.push(result(false, '注文確認を送るのは楽天市場の注文だけです'));
        continue;
      }
      if (orderConfirmationMode(store.cart, store.settings) === 'never') {
        out.push(
          result(
            false,
            `店舗 ${store.code} は注文確認を juchu から送らない設定です（orderConfirmation: never）。RMS で確認してください`,
          ),
        );
        continue;
      }
      if (
        !awaitsCartConfirmation(store.cart, { cartStatus: o.cart_status, cancelledInCart: o.cart_cancelled })
      ) {
        out.push(
          result(
            false,
            `楽天のステータスが ${o.cart_status} のため注文確認は不要です（注文確認待ち 100 の注文だけ）`,
          ),
        );
        continue;
      }
      const earlier = await trx
        .selectFrom('cart_actions')
        .select(['id', 'state'])
        .where('store_id', '=', o.store_id)
        .where('action_key', '=', confirmKey(id))
        .executeTakeFirst();
      if (earlier && (earlier.state === 'failed' || earlier.state === 'refused')) {
        const again = await resendCartAction(trx, earlier.id, now, input.actor);
        if (again) due.push({ id: again.id, retries: again.retries });
        out.push(result(true, '注文確認を再送します'));
        continue;
      }
      if (earlier) {
        out.push(result(false, `注文確認は${STATE_WORDS[earlier.state] ?? earlier.state}です`));
        continue;
      }
      const [actionId] = await recordConfirmActions(
        trx,
        o.store_id,
        [{ orderId: id, cartOrderNo: o.cart_order_no }],
        input.actor,
        now,
      );
      if (actionId !== undefined) due.push({ id: actionId, retries: 0 });
      out.push(result(true, '楽天へ注文確認を送ります'));
    }
    return out;
  });
  await enqueueCartActions(deps.queues, due);
  return results;
}

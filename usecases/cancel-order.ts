// Operation: the cancellation flow of orders, step by step — ask (キャンセル指示待ち; on to キャンセル
// 済み by itself when the store completes cancels and nothing was handed to the warehouse), the
// warehouse stopped the parcel (キャンセル対応中 → 済み), or it shipped anyway (→ 出荷完了, flagged).
// A result per order; stock an order gives back goes to the oldest waiting orders after commit.
//
// Cancel at the cart too (issue 16 item 4): when the operator asks for it, the ask records a `cancel`
// cart action in the order's own transaction (carts/cancel-options.ts says where the cart's API
// allows it and which reasons it takes; a reason it does not take is refused before anything moves),
// and its delivery is enqueued after commit. An order the cart itself cancelled (imported cancelled)
// records nothing, nor does a cart without a cancel API (the result says to cancel there by hand).
import { cancelReasonProblem, cartCancelOption } from '../carts/cancel-options.js';
import { recordCartActions } from '../db/cart-actions.js';
import type { Db } from '../db/db.js';
import type { Actor } from '../db/order-status.js';
import { getStoreById, storeCredentials } from '../db/stores.js';
import { formatOrderNo } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { changeStatus } from './change-status.js';
import { enqueueCartActions } from './enqueue-cart-actions.js';
import { type ChangeResult, failedChange, missingOrder } from './results.js';
import type { SettleDeps } from './settle-after-stock-change.js';

export type CancelStep = 'request' | 'complete' | 'too-late';

const TARGET: Record<CancelStep, string> = {
  request: S.cancelRequested,
  complete: S.cancelled,
  'too-late': S.shipped,
};

export interface CancelOrdersInput {
  orderIds: readonly number[];
  step: CancelStep;
  actor: Actor;
  reason?: string;
  /** Cancel at the cart too (the ask only): the operator's choice on the cancel screen. */
  atCart?: boolean;
  /** The cart's reason code (Rakuten changeReasonDetailApply, Yahoo! CancelReason, Shopify reason). */
  cartReason?: string | null;
}

export interface CancelResult extends ChangeResult {
  /** What was done about the cart, when the operator asked to cancel there too. */
  cart?: { recorded: boolean; message: string };
}

/** The order's cart facts (under the order's lock when given the move's transaction). */
async function cartFacts(db: Db, orderId: number) {
  return db
    .selectFrom('orders')
    .select(['store_id', 'cart_order_no', 'cart_cancelled', 'status_code', 'order_seq'])
    .where('id', '=', orderId)
    .executeTakeFirst();
}

/** `key` (JUCHU_SECRET_KEY) lets the cancel read the store's credentials where they decide the API. */
export type CancelDeps = SettleDeps & { key?: Buffer };

async function cancelOne(deps: CancelDeps, input: CancelOrdersInput, orderId: number): Promise<CancelResult> {
  const base = { orderId, target: TARGET[input.step], actor: input.actor, reason: input.reason };
  if (input.step !== 'request' || !input.atCart) return changeStatus(deps, base);

  const before = await cartFacts(deps.db, orderId);
  if (!before) return missingOrder(orderId);
  const store = await getStoreById(deps.db, before.store_id);
  // With the key, the store's credentials say which API it speaks (makeshop classic or next).
  const credentials = deps.key ? await storeCredentials(deps.db, store.id, deps.key) : undefined;
  const option = cartCancelOption(store.cart, store.settings, credentials);
  const reasonCode = input.cartReason?.trim() || option.defaultReason;
  const problem = cancelReasonProblem(option, reasonCode);
  if (problem)
    return {
      orderId,
      orderNo: formatOrderNo(before.order_seq),
      ok: false,
      from: before.status_code,
      to: null,
      message: problem,
    };

  let cart: CancelResult['cart'];
  let ids: number[] = [];
  const moved = await changeStatus(deps, base, async (trx, _r, now) => {
    const o = await cartFacts(trx, orderId);
    if (!o) return;
    if (o.cart_cancelled) {
      cart = { recorded: false, message: 'カートでキャンセル済みの注文のため、カートには送信しません' };
      return;
    }
    if (!option.supported) {
      cart = { recorded: false, message: option.note };
      return;
    }
    const reasonLabel = option.reasons.find((r) => r.code === reasonCode)?.label;
    // One cancel per order: asking again (or a retried request) records nothing new.
    ids = await recordCartActions(
      trx,
      [
        {
          storeId: o.store_id,
          orderId,
          cartOrderNo: o.cart_order_no,
          kind: 'cancel',
          key: `cancel:${orderId}`,
          payload: { reasonCode: option.reasons.length ? reasonCode : null, reason: input.reason ?? '' },
          createdBy: input.actor,
        },
      ],
      now,
    );
    cart = {
      recorded: ids.length > 0,
      message: ids.length
        ? `カートへのキャンセル送信を登録しました（${option.note}${reasonLabel ? ` 理由: ${reasonCode} ${reasonLabel}` : ''}）`
        : 'カートへのキャンセル送信は登録済みです',
    };
  });
  if (moved.ok)
    await enqueueCartActions(
      deps.queues,
      ids.map((id) => ({ id })),
    );
  return moved.ok && cart ? { ...moved, cart, message: `${moved.message} / ${cart.message}` } : moved;
}

/** Bulk: a result per order, in id order (a stable lock order); one order's failure is its own. */
export async function cancelOrders(deps: CancelDeps, input: CancelOrdersInput): Promise<CancelResult[]> {
  const out: CancelResult[] = [];
  for (const orderId of [...new Set(input.orderIds)].sort((a, b) => a - b)) {
    try {
      out.push(await cancelOne(deps, input, orderId));
    } catch (e) {
      out.push(failedChange(orderId, e));
    }
  }
  return out;
}

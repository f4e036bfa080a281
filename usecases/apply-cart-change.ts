// In-transaction step of an import (not an operation itself): a cart's version of an order we
// already have, applied by the decision table of domain/cart-change.ts — one repository call per
// effect. The caller owns the page transaction and settles stock after commit.
import {
  markCancelledInCart,
  recordCartStatus,
  replaceOrderContent,
  setAsideCartVersion,
} from '../db/cart-change.js';
import type { Db } from '../db/db.js';
import {
  lockOrder,
  orderProductCodes,
  readOrderFacts,
  reservedProductCodes,
  setCheckedStatus,
} from '../db/order-status.js';
import type { ResolvedProduct } from '../db/products.js';
import type { OrderRow } from '../db/schema.js';
import { decideCartChange } from '../domain/cart-change.js';
import { orderHashes } from '../domain/hash.js';
import type { PersistKind } from '../domain/import-counts.js';
import type { CartOrder } from '../domain/order.js';
import { AUTO_CONFIRM, S } from '../domain/statuses.js';
import { autoTarget } from '../domain/transitions.js';
import { type ActionContext, moveOrder } from './move-order.js';

export interface CartChangeContext extends ActionContext {
  products: Map<string, ResolvedProduct>;
  prepaidMethods: readonly string[];
  actor: string;
}

export interface CartChangeOutcome {
  kind: PersistKind;
  orderId: number;
  /** Products whose stock should be (re)allocated after commit. */
  productCodes: string[];
}

export async function applyCartChange(
  trx: Db,
  row: OrderRow,
  order: CartOrder,
  raw: unknown,
  ctx: CartChangeContext,
): Promise<CartChangeOutcome> {
  const hashes = orderHashes(order);
  const status = ctx.statuses.get(row.status_code);
  const carrierOnly =
    row.status_code === S.shipped &&
    order.delivery.carrier !== null &&
    hashes.contentHash !== row.content_hash
      ? orderHashes({ ...order, delivery: { ...order.delivery, carrier: null } }).contentHash
      : undefined;
  const change = decideCartChange(
    {
      status: row.status_code,
      group: status.group,
      system: status.system,
      instructed: row.shipping_instructed_at !== null,
      cartCancelled: row.cart_cancelled,
      paid: row.paid_at !== null,
      customerRemarks: row.customer_remarks,
      payloadHash: row.payload_hash,
      pendingPayloadHash: row.pending_payload_hash,
      contentHash: row.content_hash,
    },
    {
      cancelledInCart: order.cancelledInCart,
      paidAt: order.payment.paidAt,
      customerRemarks: order.customerRemarks,
      ...hashes,
      contentHashWithoutCarrier: carrierOnly,
    },
  );
  const done = (kind: PersistKind, productCodes: string[] = []) => ({ kind, orderId: row.id, productCodes });
  switch (change.kind) {
    case 'unchanged':
      return done('unchanged');
    case 'cancel': {
      await markCancelledInCart(trx, row, order, hashes.payloadHash);
      const freed = await reservedProductCodes(trx, row.id);
      await moveOrder(trx, row.id, S.cancelRequested, 'cart', ctx, 'カートでキャンセルされました');
      return done('updated', freed);
    }
    case 'status-only': {
      await recordCartStatus(trx, row, order, raw, hashes.payloadHash, change);
      if (!change.moveOnPaid) return done('updated');
      const r = await moveOrder(trx, row.id, AUTO_CONFIRM, 'cart', ctx, '入金確認');
      // Paid and on to fulfillment: its products are allocated after commit (a store reserving at
      // fulfillment has held nothing for it yet).
      return done('updated', r.ok ? await orderProductCodes(trx, row.id) : []);
    }
    case 'flag':
      await setAsideCartVersion(trx, row, order, raw, hashes.payloadHash);
      return done('flagged');
    case 'replace': {
      const { released, productCodes } = await replaceOrderContent(trx, row, {
        order,
        raw,
        hashes,
        products: ctx.products,
        prepaidMethods: ctx.prepaidMethods,
        remarksChanged: change.remarksChanged,
      });
      if (!change.keepStatus) {
        const fresh = (await lockOrder(trx, row.id))!;
        const next = autoTarget(await readOrderFacts(trx, fresh, ctx.now, ctx.settings));
        if (next.to !== fresh.status_code || next.reason !== fresh.status_reason)
          await setCheckedStatus(trx, fresh, next, ctx.actor, ctx.now, 'カート側変更');
      }
      return done('updated', [...new Set([...productCodes, ...released.map((r) => r.productCode)])]);
    }
  }
}

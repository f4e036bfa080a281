// Orders in and out of the database: `persistCartOrder` turns a normalized cart order into a slip
// (insert, update in place, flag, or nothing) idempotently — unique (store, cart order number) and
// payload hashes make a re-run of any window a no-op — and `loadOrders` gives the public JSON (§6).
import { sql } from 'kysely';
import { lineReservationState } from '../domain/allocation.js';
import { isPrepaid } from '../domain/classify.js';
import { orderHashes } from '../domain/hash.js';
import type { CartName, CartOrder, Order, Party } from '../domain/order.js';
import { formatOrderNo } from '../domain/order.js';
import { S, type StatusCatalogue } from '../domain/statuses.js';
import { toJstIso } from '../domain/time.js';
import { autoTarget } from '../domain/transitions.js';
import type { Db } from './db.js';
import {
  type ActionContext,
  type Actor,
  lockOrder,
  orderFacts,
  orderProductCodes,
  recordEvent,
  transitionInTx,
} from './order-actions.js';
import { type ResolvedProduct, resolvedFor } from './products.js';
import type { OrderRow } from './schema.js';
import { releaseOrderStock } from './stock.js';
import type { Store } from './stores.js';

export type PersistKind = 'new' | 'updated' | 'unchanged' | 'skipped' | 'flagged';

export interface PersistOutcome {
  kind: PersistKind;
  orderId: number | null;
  /** Products whose stock should be (re)allocated now. */
  productCodes: string[];
}

export interface PersistContext extends ActionContext {
  store: Store;
  /** Cart statuses imported for new orders (null = all). */
  importStatuses: readonly string[] | null;
  /** Cart codes resolved for this page (see resolveProducts). */
  products: Map<string, ResolvedProduct>;
  /** The store's prepaid payment methods (its setting, else the cart's defaults). */
  prepaidMethods: readonly string[];
  actor: Actor;
}

export function orderColumns(o: CartOrder, prepaidMethods: readonly string[]) {
  return {
    prepaid: isPrepaid(o.payment.method, prepaidMethods),
    ordered_at: new Date(o.orderedAt),
    cart_status: o.cartStatus,
    cart_cancelled: o.cancelledInCart,
    cart_updated_at: o.cartUpdatedAt ? new Date(o.cartUpdatedAt) : null,
    customer_remarks: o.customerRemarks,
    delivery_requested_date: o.delivery.requestedDate,
    delivery_time_slot: o.delivery.timeSlot,
    delivery_carrier: o.delivery.carrier,
    delivery_method: o.delivery.method,
    delivery_fee: o.delivery.fee,
    payment_method: o.payment.method,
    payment_card_type: o.payment.cardType,
    payment_fee: o.payment.fee,
    goods_total: o.totals.goods,
    shipping_total: o.totals.shipping,
    fees_total: o.totals.fees,
    discount_total: o.totals.discount,
    points_total: o.totals.points,
    tax_total: o.totals.tax,
    grand_total: o.totals.total,
    currency: o.currency,
  };
}

/** The orderer and one ship-to per package, as order_parties rows. */
export function partyRows(orderId: number, o: CartOrder) {
  const party = (p: Party, role: 'orderer' | 'ship_to', packageNo: number) => ({
    order_id: orderId,
    role,
    package_no: packageNo,
    name: p.name,
    kana: p.kana,
    email: p.email,
    phone: p.phone,
    postal_code: p.postalCode,
    prefecture: p.prefecture,
    address1: p.address1,
    address2: p.address2,
  });
  const packages = o.packages.length ? o.packages : [{ packageNo: 1, shipTo: o.shipTo }];
  return [party(o.orderer, 'orderer', 0), ...packages.map((p) => party(p.shipTo, 'ship_to', p.packageNo))];
}

/** The order's lines as order_lines rows, product codes resolved (null: マスタなし商品). */
export function lineRows(
  orderId: number,
  o: CartOrder,
  products: Map<string, ResolvedProduct>,
  reserved?: readonly number[],
) {
  return o.lines.map((l, i) => {
    const r = resolvedFor(products, l);
    return {
      order_id: orderId,
      line_no: i + 1,
      package_no: l.packageNo,
      cart_product_code: l.cartProductCode,
      cart_option_code: l.cartOptionCode,
      product_code: r?.productCode ?? null,
      units_per_cart_unit: r?.unitsPerCartUnit ?? 1,
      name: l.name,
      quantity: l.quantity,
      unit_price: l.unitPrice,
      tax_included: l.taxIncluded,
      tax_rate: l.taxRate,
      tax_amount: l.taxAmount,
      reserved_quantity: reserved?.[i] ?? 0,
    };
  });
}

async function writePartiesAndLines(
  trx: Db,
  orderId: number,
  o: CartOrder,
  ctx: PersistContext,
): Promise<string[]> {
  await trx.insertInto('order_parties').values(partyRows(orderId, o)).execute();
  const lines = lineRows(orderId, o, ctx.products);
  if (lines.length) await trx.insertInto('order_lines').values(lines).execute();
  return lines.map((l) => l.product_code).filter((p): p is string => p !== null);
}

/** Runs the checks on a (locked) order and moves it to where they say, as the import would. */
async function settleStatus(trx: Db, row: OrderRow, ctx: PersistContext, reason: string): Promise<void> {
  const facts = await orderFacts(trx, row, ctx.now);
  const next = autoTarget(facts);
  if (next.to === row.status_code && next.reason === row.status_reason) return;
  await trx
    .updateTable('orders')
    .set({ status_code: next.to, status_reason: next.reason, status_changed_at: ctx.now })
    .where('id', '=', row.id)
    .where('status_code', '=', row.status_code)
    .execute();
  await recordEvent(trx, row, {
    actor: ctx.actor,
    action: 'status_changed',
    from: row.status_code,
    to: next.to,
    reason: next.reason ?? reason,
  });
}

/**
 * One cart order into the database, inside the caller's (page) transaction. Idempotent: the same
 * payload twice is `unchanged`; a concurrent import of the same order waits on its row lock.
 */
export async function persistCartOrder(
  trx: Db,
  o: CartOrder,
  raw: unknown,
  ctx: PersistContext,
): Promise<PersistOutcome> {
  const { payloadHash, contentHash } = orderHashes(o);
  const storeId = ctx.store.id;
  const existingId = await trx
    .selectFrom('orders')
    .select('id')
    .where('store_id', '=', storeId)
    .where('cart_order_no', '=', o.cartOrderNo)
    .executeTakeFirst();

  if (!existingId) {
    if (o.cancelledInCart || (ctx.importStatuses && !ctx.importStatuses.includes(o.cartStatus)))
      return { kind: 'skipped', orderId: null, productCodes: [] };
    const inserted = await trx
      .insertInto('orders')
      .values({
        store_id: storeId,
        cart_order_no: o.cartOrderNo,
        status_code: S.reviewHold, // placeholder inside this transaction; settled below
        payload_hash: payloadHash,
        content_hash: contentHash,
        raw_payload: JSON.stringify(raw),
        internal_comment: o.internalComment,
        paid_at: o.payment.paidAt ? new Date(o.payment.paidAt) : null,
        ...orderColumns(o, ctx.prepaidMethods),
      })
      .onConflict((oc) => oc.constraint('orders_store_cart_order_no_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return persistCartOrder(trx, o, raw, ctx); // another worker inserted it first: treat as existing
    const products = await writePartiesAndLines(trx, inserted.id, o, ctx);
    const row = (await lockOrder(trx, inserted.id))!;
    const facts = await orderFacts(trx, row, ctx.now);
    const next = autoTarget(facts);
    await trx
      .updateTable('orders')
      .set({ status_code: next.to, status_reason: next.reason })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(trx, row, {
      actor: ctx.actor,
      action: 'imported',
      to: next.to,
      reason: next.reason,
      details: { cartStatus: o.cartStatus },
    });
    return { kind: 'new', orderId: inserted.id, productCodes: products };
  }

  const row = (await lockOrder(trx, existingId.id))!;
  if (row.payload_hash === payloadHash || row.pending_payload_hash === payloadHash)
    return { kind: 'unchanged', orderId: row.id, productCodes: [] };

  const statusGroup = ctx.statuses.groupOf(row.status_code);
  const instructed = row.shipping_instructed_at !== null || row.status_code === S.shipped;
  const contentChanged = row.content_hash !== contentHash;
  const cartFields = {
    cart_status: o.cartStatus,
    cart_cancelled: o.cancelledInCart,
    cart_updated_at: o.cartUpdatedAt ? new Date(o.cartUpdatedAt) : null,
  };

  // The cart cancelled it: the cancellation flow (キャンセル指示待ち → 済み, or → 対応中 after the instruction).
  if (
    o.cancelledInCart &&
    !row.cart_cancelled &&
    statusGroup !== 'cancellation' &&
    row.status_code !== S.shipped
  ) {
    await trx
      .updateTable('orders')
      .set({ ...cartFields, payload_hash: payloadHash })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(trx, row, {
      actor: 'cart',
      action: 'cart_cancelled',
      reason: `カートでキャンセル（${o.cartStatus}）`,
    });
    const freed = (
      await trx
        .selectFrom('reservations')
        .select('product_code')
        .distinct()
        .where('order_id', '=', row.id)
        .execute()
    ).map((r) => r.product_code);
    await transitionInTx(trx, row.id, S.cancelRequested, 'cart', ctx, 'カートでキャンセルされました');
    return { kind: 'updated', orderId: row.id, productCodes: freed };
  }

  if (statusGroup === 'cancellation' || !contentChanged) {
    // Only the cart's status / times moved (or the order is already being cancelled): record them.
    const newlyPaid = !row.paid_at && o.payment.paidAt;
    const cancelledAfterShipping = o.cancelledInCart && !row.cart_cancelled && row.status_code === S.shipped;
    await trx
      .updateTable('orders')
      .set({
        ...cartFields,
        payload_hash: payloadHash,
        ...(newlyPaid ? { paid_at: new Date(o.payment.paidAt!) } : {}),
        ...(cancelledAfterShipping
          ? { needs_attention: true, attention_reason: '出荷後にカートでキャンセルされました' }
          : {}),
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .execute();
    if (cancelledAfterShipping)
      await recordEvent(trx, row, { actor: 'cart', action: 'flagged', reason: '出荷後にカートでキャンセル' });
    let movedOn: string[] = [];
    if (newlyPaid) {
      await recordEvent(trx, row, {
        actor: 'cart',
        action: 'payment_recorded',
        reason: `カートで入金確認 ${o.payment.paidAt}`,
      });
      if (row.status_code === S.awaitingPayment) {
        const r = await transitionInTx(trx, row.id, 'auto', 'cart', ctx, '入金確認');
        // Paid and on to fulfillment: its products are allocated after commit (a store reserving at
        // fulfillment has held nothing for it yet).
        if (r.ok) movedOn = await orderProductCodes(trx, row.id);
      }
    }
    return { kind: 'updated', orderId: row.id, productCodes: movedOn };
  }

  if (instructed) {
    // Handed to the warehouse: never changed silently. Keep the cart's version aside for a human.
    await trx
      .updateTable('orders')
      .set({
        ...cartFields,
        pending_payload: JSON.stringify({ order: o, raw }),
        pending_payload_hash: payloadHash,
        needs_attention: true,
        attention_reason: '出荷指示後にカートで注文内容が変更されました',
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(trx, row, {
      actor: 'cart',
      action: 'flagged',
      reason: '出荷指示後のカート側変更（未反映）',
    });
    return { kind: 'flagged', orderId: row.id, productCodes: [] };
  }

  // Before the shipping instruction: update in place and check again.
  const released = await releaseOrderStock(trx, row.id);
  await trx.deleteFrom('order_lines').where('order_id', '=', row.id).execute();
  await trx.deleteFrom('order_parties').where('order_id', '=', row.id).execute();
  const remarksChanged = (row.customer_remarks ?? '') !== (o.customerRemarks ?? '');
  await trx
    .updateTable('orders')
    .set({
      ...orderColumns(o, ctx.prepaidMethods),
      payload_hash: payloadHash,
      content_hash: contentHash,
      raw_payload: JSON.stringify(raw),
      paid_at: row.paid_at ?? (o.payment.paidAt ? new Date(o.payment.paidAt) : null),
      // Lines changed: a product check must be done again; new remarks must be read again.
      product_checked: false,
      ...(remarksChanged ? { comment_checked: false } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  const products = await writePartiesAndLines(trx, row.id, o, ctx);
  await recordEvent(trx, row, {
    actor: 'cart',
    action: 'cart_changed',
    reason: 'カートで注文内容が変更されたため更新し再確認',
    details: { released },
  });
  const fresh = (await lockOrder(trx, row.id))!;
  // An operator's hold (確認待ち保留 or a custom status) stays; everything else is checked again.
  const held = fresh.status_code === S.reviewHold || !ctx.statuses.get(fresh.status_code).system;
  if (!held) await settleStatus(trx, fresh, ctx, 'カート側変更');
  return {
    kind: 'updated',
    orderId: row.id,
    productCodes: [...new Set([...products, ...released.map((r) => r.productCode)])],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading orders as the public JSON

function toParty(r: {
  name: string | null;
  kana: string | null;
  email: string | null;
  phone: string | null;
  postal_code: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
}): Party {
  return {
    name: r.name,
    kana: r.kana,
    email: r.email,
    phone: r.phone,
    postalCode: r.postal_code,
    prefecture: r.prefecture,
    address1: r.address1,
    address2: r.address2,
  };
}

export interface LoadedOrder extends Order {
  id: number;
  needsAttention: boolean;
  attentionReason: string | null;
  commentChecked: boolean;
  productChecked: boolean;
  trackingNumber: string | null;
  shippingInstructedAt: string | null;
}

/** Orders by id as the spec's JSON (with the ids and flags the screens need). */
export async function loadOrders(
  db: Db,
  ids: readonly number[],
  statuses: StatusCatalogue,
): Promise<LoadedOrder[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('orders as o')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .selectAll('o')
    .select(['s.code as store_code', 's.cart as store_cart'])
    .where('o.id', 'in', [...ids])
    .execute();
  const parties = await db
    .selectFrom('order_parties')
    .selectAll()
    .where('order_id', 'in', [...ids])
    .orderBy('package_no')
    .execute();
  const lines = await db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', 'in', [...ids])
    .orderBy('line_no')
    .execute();
  const reservations = await db
    .selectFrom('reservations')
    .select(['order_line_id', 'warehouse_code', 'quantity'])
    .where('order_id', 'in', [...ids])
    .orderBy('warehouse_code')
    .execute();
  const byOrder = new Map(rows.map((r) => [r.id, r]));
  const out: LoadedOrder[] = [];
  for (const id of ids) {
    const r = byOrder.get(id);
    if (!r) continue;
    const ps = parties.filter((p) => p.order_id === id);
    const orderer = ps.find((p) => p.role === 'orderer');
    const shipTos = ps.filter((p) => p.role === 'ship_to');
    const emptyParty = {
      name: null,
      kana: null,
      email: null,
      phone: null,
      postal_code: null,
      prefecture: null,
      address1: null,
      address2: null,
    };
    const packages = shipTos.map((p) => ({ packageNo: p.package_no, shipTo: toParty(p) }));
    out.push({
      id: r.id,
      store: r.store_code,
      cart: r.store_cart as CartName,
      cartOrderNo: r.cart_order_no,
      orderNo: formatOrderNo(r.order_seq),
      cartStatus: r.cart_status,
      orderedAt: toJstIso(r.ordered_at),
      cartUpdatedAt: r.cart_updated_at ? toJstIso(r.cart_updated_at) : null,
      currency: r.currency.trim(),
      customerRemarks: r.customer_remarks,
      internalComment: r.internal_comment,
      orderer: toParty(orderer ?? emptyParty),
      shipTo: packages[0]?.shipTo ?? toParty(emptyParty),
      packages,
      lines: lines
        .filter((l) => l.order_id === id)
        .map((l) => {
          const held = reservations.filter((x) => x.order_line_id === l.id);
          const heldUnits = held.reduce((n, x) => n + x.quantity, 0);
          const needed = l.quantity * l.units_per_cart_unit;
          const shipped = l.shipped_from;
          return {
            packageNo: l.package_no,
            cartProductCode: l.cart_product_code,
            cartOptionCode: l.cart_option_code,
            productCode: l.product_code,
            name: l.name,
            quantity: l.quantity,
            unitPrice: l.unit_price,
            taxIncluded: l.tax_included,
            taxRate: l.tax_rate as 0 | 8 | 10 | null,
            taxAmount: l.tax_amount,
            reservation: shipped
              ? { state: 'shipped' as const, warehouses: shipped }
              : {
                  state: l.product_code
                    ? lineReservationState({ needed, held: heldUnits })
                    : ('none' as const),
                  warehouses: held.map((x) => ({ warehouse: x.warehouse_code, quantity: x.quantity })),
                },
          };
        }),
      delivery: {
        requestedDate: r.delivery_requested_date,
        timeSlot: r.delivery_time_slot,
        carrier: r.delivery_carrier,
        method: r.delivery_method,
        fee: r.delivery_fee,
      },
      payment: {
        method: r.payment_method,
        cardType: r.payment_card_type,
        fee: r.payment_fee,
        paidAt: r.paid_at ? toJstIso(r.paid_at) : null,
      },
      totals: {
        goods: r.goods_total,
        shipping: r.shipping_total,
        fees: r.fees_total,
        discount: r.discount_total,
        points: r.points_total,
        tax: r.tax_total,
        total: r.grand_total,
      },
      shipDate: r.ship_date,
      status: {
        group: statuses.groupOf(r.status_code),
        code: r.status_code,
        label: statuses.label(r.status_code),
        reason: r.status_reason,
      },
      needsAttention: r.needs_attention,
      attentionReason: r.attention_reason,
      commentChecked: r.comment_checked,
      productChecked: r.product_checked,
      trackingNumber: r.tracking_number,
      shippingInstructedAt: r.shipping_instructed_at ? toJstIso(r.shipping_instructed_at) : null,
    });
  }
  return out;
}

/** The spec's public JSON only (juchu orders --json, exports): screen-only fields dropped. */
export function publicOrder(o: LoadedOrder): Order {
  const {
    id: _id,
    needsAttention: _a,
    attentionReason: _r,
    commentChecked: _c,
    productChecked: _p,
    trackingNumber: _t,
    shippingInstructedAt: _s,
    ...rest
  } = o;
  return rest;
}

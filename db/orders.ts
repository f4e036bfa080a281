// Orders as rows and back: the column builders every write of a cart order uses (new orders in
// bulk, db/orders-batch.ts; a cart's change, db/cart-change.ts), and `loadOrders`, the public JSON (§6).
import { lineReservationState } from '../domain/allocation.js';
import { isPrepaid } from '../domain/classify.js';
import type { CartName, CartOrder, Order, Party } from '../domain/order.js';
import { formatOrderNo } from '../domain/order.js';
import { componentUnits } from '../domain/sets.js';
import type { StatusCatalogue } from '../domain/statuses.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { type ResolvedProduct, resolvedFor } from './products.js';

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
      component_units: componentUnits(r?.components),
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
  /** 引当保留: an operator released its stock; it takes none until re-allocated. */
  allocationHold: { at: string; by: string | null; reason: string | null } | null;
  /** Warehouses of its reservations that are disabled (停止中): they take no new reservations. */
  disabledWarehouses: string[];
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
    .select(['order_id', 'order_line_id', 'product_code', 'warehouse_code', 'quantity'])
    .where('order_id', 'in', [...ids])
    .orderBy('warehouse_code')
    .execute();
  const byOrder = new Map(rows.map((r) => [r.id, r]));
  const disabled = new Set(
    (await db.selectFrom('warehouses').select('code').where('enabled', '=', false).execute()).map(
      (w) => w.code,
    ),
  );
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
          // A set line holds its components: needed and held count component units.
          const needed = l.quantity * l.units_per_cart_unit * l.component_units;
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
                  // A set line's rows name the component they hold (セット商品).
                  warehouses: held.map((x) =>
                    x.product_code === l.product_code
                      ? { warehouse: x.warehouse_code, quantity: x.quantity }
                      : { warehouse: x.warehouse_code, quantity: x.quantity, productCode: x.product_code },
                  ),
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
      allocationHold: r.allocation_held_at
        ? { at: toJstIso(r.allocation_held_at), by: r.allocation_held_by, reason: r.allocation_hold_reason }
        : null,
      disabledWarehouses: [
        ...new Set(reservations.filter((x) => x.order_id === id).map((x) => x.warehouse_code)),
      ].filter((w) => disabled.has(w)),
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
    allocationHold: _h,
    disabledWarehouses: _w,
    ...rest
  } = o;
  return rest;
}

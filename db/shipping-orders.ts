// Orders as shipping sees them: ship-to per package, the lines with their products' size classes,
// payment (代引) and the carrier chosen so far. The carrier of an order is the operator's choice or the
// frozen rule choice stored on it, else what the store's rules decide now (domain/carrier-rules.ts).
import {
  type CarrierDecision,
  decideCarrier,
  isCod,
  type OrderShippingFacts,
  orderSizeClass,
  type SizeClass,
} from '../domain/carrier-rules.js';
import type { Carrier } from '../domain/carriers.js';
import { formatOrderNo } from '../domain/order.js';
import type { Db } from './db.js';
import { readShippingSettings, type ShippingSettings } from './shipping-settings.js';

export interface ShippingParty {
  name: string | null;
  phone: string | null;
  postalCode: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
}

export interface ShippingPackage {
  packageNo: number;
  shipTo: ShippingParty | null;
  lines: Array<{ name: string; quantity: number; sizeClass: string | null }>;
}

export interface ShippingOrder {
  id: number;
  orderNo: string;
  orderSeq: number;
  storeId: number;
  cartOrderNo: string;
  status: string;
  instructed: boolean;
  shipped: boolean;
  paymentMethod: string | null;
  grandTotal: number | null;
  taxTotal: number | null;
  requestedDate: string | null;
  timeSlot: string | null;
  /** What is stored on the order (an operator's choice, or the rules' frozen at the instruction). */
  stored: {
    carrier: Carrier;
    method: string | null;
    source: 'operator' | 'rule' | 'default';
    reason: string;
  } | null;
  parcels: number;
  packages: ShippingPackage[];
}

export async function loadShippingOrders(db: Db, ids: readonly number[]): Promise<ShippingOrder[]> {
  if (!ids.length) return [];
  const list = [...new Set(ids)];
  const [orders, parties, lines] = await Promise.all([
    db
      .selectFrom('orders')
      .select([
        'id',
        'order_seq',
        'store_id',
        'cart_order_no',
        'status_code',
        'shipping_instructed_at',
        'shipped_at',
        'payment_method',
        'grand_total',
        'tax_total',
        'delivery_requested_date',
        'delivery_time_slot',
        'ship_carrier',
        'ship_method',
        'ship_carrier_source',
        'ship_carrier_reason',
        'ship_parcels',
      ])
      .where('id', 'in', list)
      .orderBy('order_seq')
      .execute(),
    db
      .selectFrom('order_parties')
      .select([
        'order_id',
        'package_no',
        'name',
        'phone',
        'postal_code',
        'prefecture',
        'address1',
        'address2',
      ])
      .where('order_id', 'in', list)
      .where('role', '=', 'ship_to')
      .orderBy('package_no')
      .execute(),
    db
      .selectFrom('order_lines as l')
      .leftJoin('products as p', 'p.code', 'l.product_code')
      .select(['l.order_id', 'l.package_no', 'l.name', 'l.quantity', 'p.size_class'])
      .where('l.order_id', 'in', list)
      .orderBy('l.order_id')
      .orderBy('l.line_no')
      .execute(),
  ]);
  const byOrder = new Map<number, Map<number, ShippingPackage>>();
  const pkg = (orderId: number, packageNo: number) => {
    const m = byOrder.get(orderId) ?? new Map<number, ShippingPackage>();
    byOrder.set(orderId, m);
    const p = m.get(packageNo) ?? { packageNo, shipTo: null, lines: [] };
    m.set(packageNo, p);
    return p;
  };
  for (const p of parties)
    pkg(p.order_id, p.package_no).shipTo = {
      name: p.name,
      phone: p.phone,
      postalCode: p.postal_code,
      prefecture: p.prefecture,
      address1: p.address1,
      address2: p.address2,
    };
  for (const l of lines)
    pkg(l.order_id, l.package_no).lines.push({ name: l.name, quantity: l.quantity, sizeClass: l.size_class });
  return orders.map((o) => ({
    id: o.id,
    orderNo: formatOrderNo(o.order_seq),
    orderSeq: Number(o.order_seq),
    storeId: o.store_id,
    cartOrderNo: o.cart_order_no,
    status: o.status_code,
    instructed: o.shipping_instructed_at !== null,
    shipped: o.shipped_at !== null,
    paymentMethod: o.payment_method,
    grandTotal: o.grand_total,
    taxTotal: o.tax_total,
    requestedDate: o.delivery_requested_date,
    timeSlot: o.delivery_time_slot,
    stored:
      o.ship_carrier && o.ship_carrier_source
        ? {
            carrier: o.ship_carrier as Carrier,
            method: o.ship_method,
            source: o.ship_carrier_source,
            reason: o.ship_carrier_reason ?? '',
          }
        : null,
    parcels: o.ship_parcels,
    packages: [...(byOrder.get(o.id)?.values() ?? [])]
      .filter((p) => p.lines.length || p.shipTo)
      .sort((a, b) => a.packageNo - b.packageNo),
  }));
}

/** What the rules look at: package 1's ship-to, the largest line's size, 代引. */
export function shippingFacts(o: ShippingOrder, settings: ShippingSettings | undefined): OrderShippingFacts {
  const first = o.packages[0]?.shipTo ?? null;
  return {
    prefecture: first?.prefecture ?? null,
    postalCode: first?.postalCode ?? null,
    sizeClass: orderSizeClass(o.packages.flatMap((p) => p.lines.map((l) => l.sizeClass))) as SizeClass | null,
    cod: isCod(o.paymentMethod, settings?.codMethods ?? null),
  };
}

/** The order's carrier: what is stored on it, else the rules' decision now. */
export function carrierOf(o: ShippingOrder, settings: ShippingSettings | undefined): CarrierDecision {
  if (o.stored)
    return {
      carrier: o.stored.carrier,
      method: o.stored.method,
      source: o.stored.source,
      rule: null,
      reason: o.stored.reason,
    };
  return decideCarrier(settings?.rules ?? [], settings?.defaults ?? null, shippingFacts(o, settings));
}

/** Orders with their carriers and their stores' settings, for screens and exports. */
export async function ordersWithCarriers(
  db: Db,
  ids: readonly number[],
): Promise<{
  orders: ShippingOrder[];
  settings: Map<number, ShippingSettings>;
  carriers: Map<number, CarrierDecision>;
}> {
  const orders = await loadShippingOrders(db, ids);
  const settings = await readShippingSettings(db, [...new Set(orders.map((o) => o.storeId))]);
  const carriers = new Map(orders.map((o) => [o.id, carrierOf(o, settings.get(o.storeId))]));
  return { orders, settings, carriers };
}

/** Stores the carrier on the order (an operator's choice, or the rules' frozen at the instruction). */
export async function storeCarrier(
  trx: Db,
  orderId: number,
  c: {
    carrier: string | null;
    method: string | null;
    source: 'operator' | 'rule' | 'default' | null;
    reason: string | null;
  },
): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      ship_carrier: c.carrier,
      ship_method: c.method,
      ship_carrier_source: c.carrier ? c.source : null,
      ship_carrier_reason: c.carrier ? c.reason : null,
    })
    .where('id', '=', orderId)
    .execute();
}

export async function storeParcels(trx: Db, orderId: number, parcels: number): Promise<void> {
  await trx.updateTable('orders').set({ ship_parcels: parcels }).where('id', '=', orderId).execute();
}

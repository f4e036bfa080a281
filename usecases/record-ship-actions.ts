// In-transaction step of 出荷完了 (confirm-shipment.ts): the `ship` cart actions the shipment implies,
// one per package (配送先 / Rakuten basket) with its carrier and tracking numbers, recorded in the
// outbox in the order's transaction. The key carries the numbers' hash: confirming the same shipment
// twice records once; a corrected number records a new action, which the cart-side ids of the earlier
// one (cart_refs) turn into an update at the cart.
import type { ShipmentPackage } from '../carts/actions.js';
import { recordCartActions } from '../db/cart-actions.js';
import type { Db } from '../db/db.js';
import { shipmentPackages } from '../db/parcels.js';
import { CARRIERS, type Carrier } from '../domain/carriers.js';
import { sha256 } from '../domain/hash.js';
import { jstDate } from '../domain/time.js';

export interface ShipFacts {
  orderId: number;
  storeId: number;
  cartOrderNo: string;
  trackingNumber?: string | null;
  carrier?: string | null;
  actor: string;
}

function asCarrier(name: string | null | undefined): { carrier: Carrier; carrierName: string | null } {
  const n = (name ?? '').trim();
  return (CARRIERS as readonly string[]).includes(n)
    ? { carrier: n as Carrier, carrierName: null }
    : { carrier: 'other', carrierName: n || null };
}

/** The packages to report: the order's parcels, or else the one tracking number the operator gave. */
export async function shipPackages(trx: Db, f: ShipFacts, now: Date): Promise<ShipmentPackage[]> {
  const parcels = await shipmentPackages(trx, f.orderId);
  if (parcels.length)
    return parcels.map((p) => ({
      packageNo: p.packageNo,
      ...asCarrier(p.carrier),
      trackingNumber: p.trackingNumber,
      shippedOn: p.shippedOn,
    }));
  if (!f.trackingNumber) return [];
  return [
    { packageNo: 1, ...asCarrier(f.carrier), trackingNumber: f.trackingNumber, shippedOn: jstDate(now) },
  ];
}

/** Records a `ship` action per package; returns the ids to deliver after commit. */
export async function recordShipActions(trx: Db, f: ShipFacts, now: Date): Promise<number[]> {
  const packages = await shipPackages(trx, f, now);
  const byPackage = new Map<number, ShipmentPackage[]>();
  for (const p of packages) byPackage.set(p.packageNo, [...(byPackage.get(p.packageNo) ?? []), p]);
  return recordCartActions(
    trx,
    [...byPackage].map(([packageNo, list]) => ({
      storeId: f.storeId,
      orderId: f.orderId,
      cartOrderNo: f.cartOrderNo,
      kind: 'ship' as const,
      key: `ship:${f.orderId}:${packageNo}:${sha256(list.map((p) => `${p.carrier}/${p.carrierName ?? ''}/${p.trackingNumber}`).join('|')).slice(0, 16)}`,
      payload: { packages: list },
      createdBy: f.actor,
    })),
    now,
  );
}

/**
 * The same for an order moved to 出荷完了 any way (出荷確定, or a direct status change from the
 * dashboard or CLI, single or bulk): the cart hears of the shipment whichever screen moved it. What
 * the operator gave now wins; else the tracking number and carrier already on the order.
 */
export async function recordShipActionsOfOrder(
  trx: Db,
  orderId: number,
  given: { trackingNumber?: string | null; carrier?: string | null; actor: string },
  now: Date,
): Promise<number[]> {
  const o = await trx
    .selectFrom('orders')
    .select(['store_id', 'cart_order_no', 'tracking_number', 'delivery_carrier', 'ship_carrier'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return recordShipActions(
    trx,
    {
      orderId,
      storeId: o.store_id,
      cartOrderNo: o.cart_order_no,
      trackingNumber: given.trackingNumber || o.tracking_number,
      carrier: given.carrier || o.delivery_carrier || o.ship_carrier,
      actor: given.actor,
    },
    now,
  );
}

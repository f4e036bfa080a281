// 伝票番号 per parcel (order_parcels), each with the carrier result file it came from (an upload of
// kind tracking in the upload ledger, db/uploads.ts). The cart-actions outbox reads
// shipmentPackages() to report every package's tracking number to the cart.
import type { Db } from './db.js';

export interface ParcelInput {
  orderId: number;
  packageNo: number;
  carrier: string;
  trackingNumber: string;
  shippedOn: string;
}

/** Adds parcels; a tracking number the order has already is left as it is (a file imported twice). */
export async function insertParcels(
  trx: Db,
  uploadId: number | null,
  parcels: readonly ParcelInput[],
): Promise<number> {
  if (!parcels.length) return 0;
  const r = await trx
    .insertInto('order_parcels')
    .values(
      parcels.map((p) => ({
        order_id: p.orderId,
        package_no: p.packageNo,
        carrier: p.carrier,
        tracking_number: p.trackingNumber,
        shipped_on: p.shippedOn,
        upload_id: uploadId,
      })),
    )
    .onConflict((oc) => oc.columns(['order_id', 'tracking_number']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

export interface ParcelView {
  packageNo: number;
  carrier: string;
  trackingNumber: string;
  shippedOn: string;
}

export async function parcelsOf(db: Db, orderIds: readonly number[]): Promise<Map<number, ParcelView[]>> {
  const out = new Map<number, ParcelView[]>();
  if (!orderIds.length) return out;
  const rows = await db
    .selectFrom('order_parcels')
    .select(['order_id', 'package_no', 'carrier', 'tracking_number', 'shipped_on'])
    .where('order_id', 'in', [...orderIds])
    .orderBy('order_id')
    .orderBy('package_no')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.order_id) ?? [];
    list.push({
      packageNo: r.package_no,
      carrier: r.carrier,
      trackingNumber: r.tracking_number,
      shippedOn: r.shipped_on,
    });
    out.set(r.order_id, list);
  }
  return out;
}

/**
 * The order's parcels as the cart-actions contract's ShipmentPackage (carts/actions.ts): one entry
 * per tracking number, a package with several parcels (複数口) repeating its packageNo.
 */
export async function shipmentPackages(
  db: Db,
  orderId: number,
): Promise<Array<{ packageNo: number; carrier: string; trackingNumber: string; shippedOn: string }>> {
  return (await parcelsOf(db, [orderId])).get(orderId) ?? [];
}

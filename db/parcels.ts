// 伝票番号 per parcel (order_parcels) and the carrier result files they came from (tracking_uploads,
// with the rows that matched no order). The cart-actions outbox reads shipmentPackages() to report
// every package's tracking number to the cart.
import { toJstIso } from '../domain/time.js';
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

export interface UnmatchedRow {
  rowNo: number;
  key: string;
  trackingNumber: string;
  reason: string;
}

export interface UploadResult {
  orderId: number;
  orderNo: string;
  /** shipped: 出荷完了 now; already: it had shipped (numbers added); waiting: a package has no number yet. */
  state: 'shipped' | 'already' | 'waiting' | 'refused';
  ok: boolean;
  message: string;
}

export async function insertUpload(
  trx: Db,
  u: {
    carrier: string;
    fileName: string;
    sha256: string;
    rows: number;
    matched: number;
    unmatched: UnmatchedRow[];
    actor: string;
  },
): Promise<number> {
  const { id } = await trx
    .insertInto('tracking_uploads')
    .values({
      carrier: u.carrier,
      file_name: u.fileName,
      sha256: u.sha256,
      rows: u.rows,
      matched: u.matched,
      unmatched: JSON.stringify(u.unmatched),
      results: '[]',
      uploaded_by: u.actor,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function recordUploadResults(db: Db, id: number, results: UploadResult[]): Promise<void> {
  await db
    .updateTable('tracking_uploads')
    .set({ results: JSON.stringify(results) })
    .where('id', '=', id)
    .execute();
}

export interface UploadView {
  id: number;
  carrier: string;
  fileName: string;
  rows: number;
  matched: number;
  unmatched: UnmatchedRow[];
  results: UploadResult[];
  uploadedBy: string;
  uploadedAt: string;
}

export async function listUploads(db: Db, limit = 20): Promise<UploadView[]> {
  const rows = await db
    .selectFrom('tracking_uploads')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    carrier: r.carrier,
    fileName: r.file_name,
    rows: r.rows,
    matched: r.matched,
    unmatched: r.unmatched as UnmatchedRow[],
    results: r.results as UploadResult[],
    uploadedBy: r.uploaded_by,
    uploadedAt: toJstIso(r.uploaded_at),
  }));
}

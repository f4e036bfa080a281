// Shipment-result CSV from the warehouse: one row per parcel with the order and its tracking number
// (伝票番号). Each row confirms the shipment (出荷作業中 → 出荷完了) and consumes the stock.

import type { Db } from '../db/db.js';
import { type ChangeResult, confirmShipment } from '../db/order-actions.js';
import { readUpload } from './columns.js';

const FIELDS = {
  orderNo: ['受注No', '受注番号', 'order_no', 'juchu_no'],
  store: ['店舗', 'store', 'store_code'],
  cartOrderNo: ['注文番号', '注文No', 'cart_order_no'],
  tracking: ['伝票番号', '送り状番号', 'お問い合わせ番号', 'tracking_number', 'tracking'],
  carrier: ['運送会社', 'carrier', '配送会社'],
} as const;

export async function applyShipmentCsv(
  db: Db,
  buf: Uint8Array,
  actor: string,
  file = 'shipments.csv',
): Promise<ChangeResult[]> {
  const rows = readUpload(buf, file, FIELDS, ['orderNo', 'store', 'cartOrderNo', 'carrier']);
  const results: ChangeResult[] = [];
  for (const r of rows) {
    const orderNo = r.get('orderNo');
    const store = r.get('store');
    const cartOrderNo = r.get('cartOrderNo');
    const refused = (message: string): ChangeResult => ({
      orderId: 0,
      orderNo: orderNo || `${store}:${cartOrderNo}`,
      ok: false,
      from: '-',
      to: null,
      message: `row ${r.rowNo}: ${message}`,
    });
    // A bad row is reported and the rest of the file goes on (never a half-applied upload).
    if (orderNo && !/^\d{1,18}$/.test(orderNo)) {
      results.push(refused(`"${orderNo}" is not a 受注No`));
      continue;
    }
    let q = db.selectFrom('orders as o').innerJoin('stores as s', 's.id', 'o.store_id').select('o.id');
    if (orderNo) q = q.where('o.order_seq', '=', Number(orderNo));
    else if (store && cartOrderNo)
      q = q.where('s.code', '=', store).where('o.cart_order_no', '=', cartOrderNo);
    else {
      results.push({
        orderId: 0,
        orderNo: `row ${r.rowNo}`,
        ok: false,
        from: '-',
        to: null,
        message: '受注No, or 店舗 + 注文番号, is required',
      });
      continue;
    }
    const hit = await q.executeTakeFirst();
    if (!hit) {
      results.push(refused('no such order'));
      continue;
    }
    try {
      results.push(
        await confirmShipment(
          db,
          hit.id,
          { trackingNumber: r.get('tracking') || null, carrier: r.get('carrier') || null },
          actor,
        ),
      );
    } catch (e) {
      results.push(refused(e instanceof Error ? e.message : String(e)));
    }
  }
  return results;
}

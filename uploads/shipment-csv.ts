// Shipment-result CSV from the warehouse: one row per parcel with the order and its tracking number
// (伝票番号). Each row confirms the shipment (出荷作業中 → 出荷完了) and consumes the stock.

import { findOrderId } from '../db/order-list.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import type { CartActionDeps } from '../usecases/enqueue-cart-actions.js';
import type { ChangeResult } from '../usecases/results.js';
import { readUpload } from './columns.js';

const FIELDS = {
  orderNo: ['受注No', '受注番号', 'order_no', 'juchu_no'],
  store: ['店舗', 'store', 'store_code'],
  cartOrderNo: ['注文番号', '注文No', 'cart_order_no'],
  tracking: ['伝票番号', '送り状番号', 'お問い合わせ番号', 'tracking_number', 'tracking'],
  carrier: ['運送会社', 'carrier', '配送会社'],
} as const;

export async function applyShipmentCsv(
  deps: CartActionDeps,
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
    if (!orderNo && !(store && cartOrderNo)) {
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
    const id = await findOrderId(deps.db, orderNo ? { orderNo: Number(orderNo) } : { store, cartOrderNo });
    if (id === null) {
      results.push(refused('no such order'));
      continue;
    }
    try {
      results.push(
        await confirmShipment(deps, {
          orderId: id,
          trackingNumber: r.get('tracking') || null,
          carrier: r.get('carrier') || null,
          actor,
        }),
      );
    } catch (e) {
      results.push(refused(e instanceof Error ? e.message : String(e)));
    }
  }
  return results;
}

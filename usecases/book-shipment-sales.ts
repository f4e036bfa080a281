// The in-transaction step that books an order's 売上 when it ships (not an operation itself):
// confirm-shipment.ts and change-status.ts call it in the transaction that moves the order to
// 出荷完了. The sale, its discount and its points (domain/sales.ts) are written once per order × kind,
// so a second confirmation or a retried job books nothing more. 売上日: the JST day of 出荷完了, or
// the order's date when the store's salesDateBasis says 'order'.
import type { Db } from '../db/db.js';
import { loadDocumentOrders, loadDocumentStores } from '../db/order-documents.js';
import { insertSalesRecords } from '../db/sales.js';
import { shipmentRecords } from '../domain/sales.js';
import { jstDate } from '../domain/time.js';

export async function bookShipmentSales(trx: Db, orderId: number, now: Date, actor: string): Promise<number> {
  const [o] = await loadDocumentOrders(trx, [orderId]);
  if (!o) return 0;
  const store = (await loadDocumentStores(trx, [o.storeId])).get(o.storeId);
  const basis = store?.salesDateBasis ?? 'shipment';
  return insertSalesRecords(
    trx,
    {
      storeId: o.storeId,
      orderId,
      salesDate: basis === 'order' ? o.orderedOn : (o.shippedOn ?? jstDate(now)),
      basis,
      actor,
    },
    shipmentRecords(o),
  );
}

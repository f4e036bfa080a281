// Stock CSV: arrivals (入荷: a quantity column) or counts (棚卸: a counted column), a row per
// product × warehouse. Each row is applied on its own; a bad row is reported, the rest go on.

import type { Db } from '../db/db.js';
import { refreshOrders } from '../db/order-actions.js';
import { allocateProducts, correctStock, receiveStock } from '../db/stock.js';
import { withTransaction } from '../infra/postgres.js';
import { readUpload } from './columns.js';

const FIELDS = {
  product: ['product_code', '商品コード', '商品番号', 'sku'],
  warehouse: ['warehouse', 'warehouse_code', '倉庫', '倉庫コード'],
  quantity: ['quantity', '入荷数', '入荷数量', '数量'],
  counted: ['counted', '実在庫数', '棚卸数', '在庫数'],
} as const;

export async function applyStockCsv(
  db: Db,
  buf: Uint8Array,
  actor: string,
  file = 'stock.csv',
): Promise<{ ok: number; failed: number; lines: string[] }> {
  const rows = readUpload(buf, file, FIELDS, ['quantity', 'counted']);
  const lines: string[] = [];
  const products = new Set<string>();
  const released = new Set<number>();
  let ok = 0;
  for (const r of rows) {
    const product = r.get('product');
    const warehouse = r.get('warehouse');
    const qty = r.get('quantity');
    const counted = r.get('counted');
    try {
      if (!product || !warehouse) throw new Error('product code and warehouse are required');
      if (qty !== '') {
        const n = Number(qty);
        await withTransaction(db, (trx) => receiveStock(trx, product, warehouse, n));
        lines.push(`✓ row ${r.rowNo}: ${product} @ ${warehouse} +${n}`);
      } else if (counted !== '') {
        const res = await withTransaction(db, (trx) =>
          correctStock(trx, product, warehouse, Number(counted)),
        );
        for (const id of res.releasedOrderIds) released.add(id);
        lines.push(`✓ row ${r.rowNo}: ${product} @ ${warehouse} = ${counted}`);
      } else throw new Error('quantity (入荷数) or counted (実在庫数) is required');
      products.add(product);
      ok++;
    } catch (e) {
      lines.push(`✗ row ${r.rowNo}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const allocated = await allocateProducts(db, products);
  const moved = await refreshOrders(db, new Set([...released, ...allocated.flatMap((a) => a.orderIds)]));
  lines.push(`${ok} rows applied, ${rows.length - ok} failed; ${moved.length} orders moved on (by ${actor})`);
  return { ok, failed: rows.length - ok, lines };
}

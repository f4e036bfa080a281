// Stock CSV: arrivals (入荷: a quantity column) or counts (棚卸: a counted column), a row per
// product × warehouse. This file only reads the columns; usecases/apply-stock-rows.ts applies each
// row on its own (a bad row is reported, the rest go on) and settles once.
import { applyStockRows, type StockRowsResult } from '../usecases/apply-stock-rows.js';
import type { UseCaseDeps } from '../usecases/deps.js';
import { readUpload } from './columns.js';

const FIELDS = {
  product: ['product_code', '商品コード', '商品番号', 'sku'],
  warehouse: ['warehouse', 'warehouse_code', '倉庫', '倉庫コード'],
  quantity: ['quantity', '入荷数', '入荷数量', '数量'],
  counted: ['counted', '実在庫数', '棚卸数', '在庫数'],
} as const;

export async function applyStockCsv(
  deps: UseCaseDeps,
  buf: Uint8Array,
  actor: string,
  file = 'stock.csv',
): Promise<StockRowsResult> {
  const rows = readUpload(buf, file, FIELDS, ['quantity', 'counted']).map((r) => {
    const qty = r.get('quantity');
    const counted = r.get('counted');
    return {
      rowNo: r.rowNo,
      productCode: r.get('product'),
      warehouse: r.get('warehouse'),
      quantity: qty === '' ? null : Number(qty),
      counted: qty !== '' || counted === '' ? null : Number(counted),
    };
  });
  return applyStockRows(deps, rows, actor);
}

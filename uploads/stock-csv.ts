// Stock CSV: arrivals (入荷: a quantity column) or counts (棚卸: a counted column), a row per
// product × warehouse, of any size. This file reads the columns as a stream (quantities decimal
// digits only: domain/quantity.ts); usecases/apply-stock-rows.ts applies the rows in batches
// through the upload ledger (the same file twice changes nothing).
import type { ByteSource } from '../carts/csv/table-stream.js';
import { parseQuantity } from '../domain/quantity.js';
import { applyStockFile, type StockRow, type StockRowsResult } from '../usecases/apply-stock-rows.js';
import type { ParsedRow, UploadProgress } from '../usecases/apply-upload.js';
import type { SettleDeps } from '../usecases/settle-after-stock-change.js';
import { sourceOf, streamUpload, type UploadRow } from './columns.js';

const FIELDS = {
  product: ['product_code', '商品コード', '商品番号', 'sku'],
  warehouse: ['warehouse', 'warehouse_code', '倉庫', '倉庫コード'],
  quantity: ['quantity', '入荷数', '入荷数量', '数量'],
  counted: ['counted', '実在庫数', '棚卸数', '在庫数'],
} as const;

/** One row: its values, or why it cannot be used (named by column and value). */
export function stockRowOf(r: UploadRow): ParsedRow<StockRow> {
  const productCode = r.get('product');
  const warehouse = r.get('warehouse');
  const qty = r.get('quantity');
  const counted = r.get('counted');
  if (!productCode || !warehouse) return { rowNo: r.rowNo, error: '商品コードと倉庫を入れてください' };
  if (qty !== '') {
    const q = parseQuantity(qty, { min: 1 });
    return q.ok
      ? { rowNo: r.rowNo, row: { productCode, warehouse, quantity: q.value, counted: null } }
      : { rowNo: r.rowNo, error: `入荷数 ${q.message}` };
  }
  if (counted !== '') {
    const c = parseQuantity(counted);
    return c.ok
      ? { rowNo: r.rowNo, row: { productCode, warehouse, quantity: null, counted: c.value } }
      : { rowNo: r.rowNo, error: `実在庫数 ${c.message}` };
  }
  return { rowNo: r.rowNo, error: '入荷数か実在庫数を入れてください' };
}

async function* parsedRows(rows: AsyncIterable<UploadRow>): AsyncGenerator<ParsedRow<StockRow>> {
  for await (const r of rows) yield stockRowOf(r);
}

/**
 * A stock file from any source (a file on disk, a request stored to a temporary file, bytes in hand).
 * With `deps.queues`, each batch's 在庫連携 actions are enqueued right after its commit.
 */
export async function applyStockCsv(
  deps: SettleDeps,
  input: Uint8Array | ByteSource,
  actor: string,
  file = 'stock.csv',
  opts: { onProgress?: (p: UploadProgress) => void; batchSize?: number } = {},
): Promise<StockRowsResult> {
  const { src, sha256, byteSize } = await sourceOf(input, file);
  return applyStockFile(deps, {
    file: { fileName: src.name, sha256, byteSize, actor },
    openRows: async () => parsedRows(await streamUpload(src, FIELDS, ['quantity', 'counted'])),
    ...opts,
  });
}

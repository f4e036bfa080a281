// Operation: a stock file (入荷 or 棚卸, a row per product × warehouse), as read by
// uploads/stock-csv.ts, of any size: through the upload ledger (usecases/apply-upload.ts), a batch
// of rows per transaction. A row naming a product or warehouse juchu does not know is refused by
// value and the rest of its batch goes on; after each batch commits, the products it changed and
// the orders that gave stock back are settled (a batch whose settle was cut short by a crash is
// served by the allocation sweep).
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { productsWithWaitingLines } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import type { UploadFile } from '../db/uploads.js';
import {
  type ApplyUploadResult,
  applyUpload,
  type ParsedRow,
  type Refused,
  type UploadProgress,
} from './apply-upload.js';
import { applyCount } from './correct-stock.js';
import { type SettleDeps, settleAfterStockChange } from './settle-after-stock-change.js';

export interface StockRow {
  productCode: string;
  warehouse: string;
  /** 入荷数 (added) or 実在庫数 (set); exactly one is given (the reader checked it). */
  quantity: number | null;
  counted: number | null;
}

export type StockRowsResult = ApplyUploadResult;

async function known(
  trx: Db,
  table: 'products' | 'warehouses',
  codes: Iterable<string>,
): Promise<Set<string>> {
  const list = [...new Set(codes)];
  if (list.length === 0) return new Set();
  const rows = await trx.selectFrom(table).select('code').where('code', 'in', list).execute();
  return new Set(rows.map((r) => r.code));
}

/** One batch in its transaction: the arrivals in one statement, the counts one by one. */
async function applyStockBatch(
  trx: Db,
  rows: ReadonlyArray<{ rowNo: number; row: StockRow }>,
): Promise<{
  refused: Refused[];
  /** To allocate after commit (waiting lines, stock freed). */
  products: Set<string>;
  /** Every product whose stock the batch changed (在庫連携). */
  moved: Set<string>;
  releasedOrderIds: number[];
}> {
  const products = await known(
    trx,
    'products',
    rows.map((r) => r.row.productCode),
  );
  const warehouses = await known(
    trx,
    'warehouses',
    rows.map((r) => r.row.warehouse),
  );
  const refused: Refused[] = [];
  const arrivals = new Map<string, { product: string; warehouse: string; quantity: number }>();
  const counts: Array<{ rowNo: number; row: StockRow }> = [];
  for (const r of rows) {
    const { productCode, warehouse } = r.row;
    if (!products.has(productCode))
      refused.push({ line: r.rowNo, message: `商品コード「${productCode}」は商品マスタにありません` });
    else if (!warehouses.has(warehouse))
      refused.push({ line: r.rowNo, message: `倉庫「${warehouse}」は登録されていません` });
    else if (r.row.quantity !== null) {
      const key = `${productCode}\u0000${warehouse}`;
      const a = arrivals.get(key) ?? { product: productCode, warehouse, quantity: 0 };
      a.quantity += r.row.quantity;
      arrivals.set(key, a);
    } else counts.push(r);
  }
  const touched = new Set<string>();
  if (arrivals.size) {
    // Sorted, so two uploads at once lock the same rows in the same order.
    const list = [...arrivals.values()].sort(
      (a, b) => a.product.localeCompare(b.product) || a.warehouse.localeCompare(b.warehouse),
    );
    await sql`
      INSERT INTO stock_levels (product_code, warehouse_code, on_hand)
      SELECT p, w, q FROM unnest(${list.map((a) => a.product)}::text[], ${list.map((a) => a.warehouse)}::text[],
                                 ${list.map((a) => a.quantity)}::int[]) AS t(p, w, q)
      ON CONFLICT (product_code, warehouse_code)
        DO UPDATE SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()`.execute(trx);
    // Only products with lines waiting for stock have anything to allocate (the settle would open
    // a transaction per product for nothing: a million-row file touches thousands).
    for (const p of await productsWithWaitingLines(
      trx,
      list.map((a) => a.product),
    ))
      touched.add(p);
  }
  const releasedOrderIds: number[] = [];
  for (const { row } of counts) {
    const res = await applyCount(trx, {
      productCode: row.productCode,
      warehouse: row.warehouse,
      counted: row.counted!,
    });
    releasedOrderIds.push(...res.releasedOrderIds);
    for (const p of res.releasedProducts) touched.add(p);
    touched.add(row.productCode);
  }
  const moved = new Set([...arrivals.values()].map((a) => a.product));
  for (const { row } of counts) moved.add(row.productCode);
  for (const p of touched) moved.add(p);
  return { refused, products: touched, moved, releasedOrderIds };
}

export async function applyStockFile(
  deps: SettleDeps,
  input: {
    file: Omit<UploadFile, 'kind'>;
    openRows: () => Promise<AsyncIterable<ParsedRow<StockRow>>>;
    batchSize?: number;
    onProgress?: (p: UploadProgress) => void;
  },
): Promise<StockRowsResult> {
  return applyUpload(deps, {
    file: { ...input.file, kind: 'stock' },
    openRows: input.openRows,
    ...(input.batchSize ? { batchSize: input.batchSize } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    apply: async (trx, rows) => {
      const r = await applyStockBatch(trx, rows);
      // 在庫連携: one statement per batch, a coalesced action per store × product the batch moved.
      const stockActionIds = await recordStockActions(trx, r.moved, { now: deps.now(), actor: 'stock' });
      return {
        refused: r.refused,
        after: async () =>
          (
            await settleAfterStockChange(deps, {
              productCodes: r.products,
              orderIds: r.releasedOrderIds,
              stockActionIds,
            })
          ).moved.length,
      };
    },
  });
}

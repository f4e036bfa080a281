// Operation: a stock file's rows (入荷 or 棚卸, a row per product × warehouse), as parsed by
// uploads/stock-csv.ts. Each row is applied in its own transaction; a bad row is reported and the
// rest go on; then the touched products and orders are settled once.
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import { applyCount } from './correct-stock.js';
import type { UseCaseDeps } from './deps.js';
import { applyArrival } from './receive-stock.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

export interface StockRow {
  rowNo: number;
  productCode: string;
  warehouse: string;
  /** 入荷数 (added) or 実在庫数 (set); exactly one is given. */
  quantity: number | null;
  counted: number | null;
}

export interface StockRowsResult {
  ok: number;
  failed: number;
  lines: string[];
  ordersMoved: number;
}

export async function applyStockRows(
  deps: UseCaseDeps,
  rows: readonly StockRow[],
  actor: string,
): Promise<StockRowsResult> {
  const lines: string[] = [];
  const products = new Set<string>();
  const released = new Set<number>();
  let ok = 0;
  for (const r of rows) {
    try {
      if (!r.productCode || !r.warehouse)
        throw new RuleRefusal('product code and warehouse are required', 'required');
      if (r.quantity !== null) {
        await withTransaction(deps.db, (trx) => applyArrival(trx, { ...r, quantity: r.quantity! }));
        lines.push(`✓ row ${r.rowNo}: ${r.productCode} @ ${r.warehouse} +${r.quantity}`);
      } else if (r.counted !== null) {
        const res = await withTransaction(deps.db, (trx) => applyCount(trx, { ...r, counted: r.counted! }));
        for (const id of res.releasedOrderIds) released.add(id);
        lines.push(`✓ row ${r.rowNo}: ${r.productCode} @ ${r.warehouse} = ${r.counted}`);
      } else throw new RuleRefusal('quantity (入荷数) or counted (実在庫数) is required', 'required');
      products.add(r.productCode);
      ok++;
    } catch (e) {
      lines.push(`✗ row ${r.rowNo}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const { moved } = await settleAfterStockChange(deps, { productCodes: products, orderIds: released });
  lines.push(`${ok} rows applied, ${rows.length - ok} failed; ${moved.length} orders moved on (by ${actor})`);
  return { ok, failed: rows.length - ok, lines, ordersMoved: moved.length };
}

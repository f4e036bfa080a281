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
        throw new RuleRefusal('商品コードと倉庫を入れてください', 'required');
      if (r.quantity !== null) {
        await withTransaction(deps.db, (trx) => applyArrival(trx, { ...r, quantity: r.quantity! }));
        lines.push(`✓ ${r.rowNo} 行目: ${r.productCode} @ ${r.warehouse} 入荷 +${r.quantity}`);
      } else if (r.counted !== null) {
        const res = await withTransaction(deps.db, (trx) => applyCount(trx, { ...r, counted: r.counted! }));
        for (const id of res.releasedOrderIds) released.add(id);
        for (const p of res.releasedProducts) products.add(p);
        lines.push(`✓ ${r.rowNo} 行目: ${r.productCode} @ ${r.warehouse} 実在庫 ${r.counted}`);
      } else throw new RuleRefusal('入荷数か実在庫数を入れてください', 'required');
      products.add(r.productCode);
      ok++;
    } catch (e) {
      lines.push(`✗ ${r.rowNo} 行目: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const { moved } = await settleAfterStockChange(deps, { productCodes: products, orderIds: released });
  lines.push(
    `${ok} 行を反映、${rows.length - ok} 行はエラー。${moved.length} 件の注文が次のステータスへ（${actor}）`,
  );
  return { ok, failed: rows.length - ok, lines, ordersMoved: moved.length };
}

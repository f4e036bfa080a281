// Operation: the full re-plan (juchu allocate --full). Every order not yet given a shipping
// instruction, oldest first across stores, is given the stock it would hold had it been served in
// order from the start (domain/replan.ts): an older order that waits while a younger one holds the
// last units gets them. A dry run lists what would move and writes nothing. Applied, each product
// with a move is handled in one careful pass: the stock is taken back only from the lines that lose
// (each order locked, an event in its history saying why), then the oldest-first allocation
// (db/stock.ts allocateProduct) gives it to the lines that gain, and every touched order settles.
// A new import between the two steps cannot take the freed units: older orders wait for that
// product, so the import leaves it to the allocation (domain/allocation.ts planPageStock).
import { lockOrder, recordEvent } from '../db/order-status.js';
import { type ReplanCandidate, replanCandidates } from '../db/replan.js';
import { allocateProduct, releaseOrderStock } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { replanStock } from '../domain/replan.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionQueue, enqueueCartActions } from './enqueue-cart-actions.js';
import { settleOrders } from './settle-after-stock-change.js';

export interface ReplanMoveView {
  orderId: number;
  orderNo: string;
  store: string;
  cartOrderNo: string;
  productCode: string;
  needed: number;
  held: number;
  planned: number;
}

export interface ReplanResult {
  dryRun: boolean;
  /** Lines looked at (open lines of orders that may hold stock, no shipping instruction yet). */
  lines: number;
  moves: ReplanMoveView[];
  /** Orders that moved status afterwards (applied runs only). */
  ordersMoved: number;
}

export async function replanAllocation(
  deps: UseCaseDeps & { queues?: CartActionQueue },
  input: { productCode?: string; dryRun: boolean; actor: string },
): Promise<ReplanResult> {
  const { lines, pool } = await replanCandidates(deps.db, input.productCode);
  const byLine = new Map(lines.map((l) => [l.lineId, l]));
  const moves = replanStock(lines, pool).map((m) => {
    const l = byLine.get(m.lineId) as ReplanCandidate;
    return {
      orderId: m.orderId,
      orderNo: l.orderNo,
      store: l.store,
      cartOrderNo: l.cartOrderNo,
      productCode: m.productCode,
      needed: m.needed,
      held: m.held,
      planned: m.planned,
    };
  });
  const result: ReplanResult = { dryRun: input.dryRun, lines: lines.length, moves, ordersMoved: 0 };
  if (input.dryRun || moves.length === 0) return result;

  const touched = new Set<number>();
  const stockActionIds: number[] = [];
  for (const product of [...new Set(moves.map((m) => m.productCode))].sort()) {
    const losing = moves.filter((m) => m.productCode === product && m.planned < m.held);
    for (const orderId of [...new Set(losing.map((m) => m.orderId))].sort((a, b) => a - b)) {
      await withTransaction(deps.db, async (trx) => {
        const row = await lockOrder(trx, orderId);
        // Given its shipping instruction meanwhile: its stock is the warehouse's now.
        if (!row || row.shipping_instructed_at !== null) return;
        const freed = await releaseOrderStock(trx, orderId, { productCode: product });
        if (freed.length === 0) return;
        const m = losing.find((x) => x.orderId === orderId)!;
        await recordEvent(trx, row, {
          actor: input.actor,
          action: 'stock_replanned',
          reason: `全体再引当: ${product} ${m.held} → ${m.planned}（古い受注から順に引き当て直し）`,
          details: { productCode: product, released: freed },
        });
        // 在庫連携: the product's quantity is recorded for the stores with the move.
        stockActionIds.push(
          ...(await recordStockActions(trx, [product], { now: deps.now(), actor: input.actor })),
        );
        touched.add(orderId);
      });
    }
    for (const id of (await allocateProduct(deps.db, product)).orderIds) touched.add(id);
  }
  result.ordersMoved = (await settleOrders(deps, touched)).filter((r) => r.ok && r.to !== r.from).length;
  await enqueueCartActions(
    deps.queues,
    [...new Set(stockActionIds)].map((id) => ({ id })),
  );
  return result;
}

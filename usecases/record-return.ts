// Operation: 返品 — an operator books the return of some lines of a shipped order (partial quantities
// allowed) as a negative 売上 record dated the day of the return. The order's row is locked while the
// quantities left to return are checked, so two returns at once cannot take back a unit twice. Stock
// is not touched: goods that come back go on the shelf by 入荷 (receive-stock.ts) once checked.

import { loadDocumentOrders } from '../db/order-documents.js';
import { lockOrder, recordEvent } from '../db/order-status.js';
import { insertSalesRecords, nextReturnSeq, orderSalesRecords } from '../db/sales.js';
import { formatOrderNo } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { type PlannedRecord, returnedQuantities, returnRecord } from '../domain/sales.js';
import { jstDate } from '../domain/time.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface RecordReturnInput {
  orderId: number;
  lines: ReadonlyArray<{ lineId: number; quantity: number }>;
  reason?: string | null;
  actor: string;
}

export interface RecordedReturn {
  orderNo: string;
  seq: number;
  salesDate: string;
  record: PlannedRecord;
}

export async function recordReturn(deps: UseCaseDeps, input: RecordReturnInput): Promise<RecordedReturn> {
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 200) throw new RuleRefusal('返品理由は200文字までです', 'invalid_reason');
  return withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, input.orderId);
    if (!row) throw new RuleRefusal(`注文 ${input.orderId} はありません`, 'not_found');
    const orderNo = formatOrderNo(row.order_seq);
    const records = await orderSalesRecords(trx, row.id);
    if (!records.some((r) => r.kind === 'sale'))
      throw new RuleRefusal(
        `受注No ${orderNo} は売上がありません（出荷完了の注文だけ返品できます）`,
        'not_sold',
      );
    const [o] = await loadDocumentOrders(trx, [row.id]);
    const record = returnRecord(
      o!.lines,
      returnedQuantities(records.filter((r) => r.kind === 'return')),
      input.lines,
    );
    const seq = await nextReturnSeq(trx, row.id);
    const salesDate = jstDate(deps.now());
    await insertSalesRecords(
      trx,
      { storeId: row.store_id, orderId: row.id, salesDate, basis: 'return', actor: input.actor },
      [{ ...record, seq, reason }],
    );
    await recordEvent(trx, row, {
      actor: input.actor,
      action: 'return',
      reason,
      details: { seq, total: record.total, lines: record.lines },
    });
    return { orderNo, seq, salesDate, record };
  });
}

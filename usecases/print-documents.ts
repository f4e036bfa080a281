// Operations: the picking list of a 出荷バッチ, and 納品書 — for every order of a batch, or one order —
// as PDF. Read-only: built from the batch's date and the orders' stored facts (never the clock), so
// printing the same batch twice gives the same bytes.

import { loadDocumentOrders, loadDocumentStores, loadPickRows } from '../db/order-documents.js';
import { batchOrderIds, findBatch } from '../db/shipping-batches.js';
import { type DeliveryNote, deliveryNote, pickingList } from '../domain/documents.js';
import { formatOrderNo } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { S } from '../domain/statuses.js';
import type { UseCaseDeps } from './deps.js';
import { renderDeliveryNotes, renderPickingList } from './document-pdf.js';

export interface PrintedDocument {
  fileName: string;
  bytes: Buffer;
  /** Orders in the document. */
  orders: number;
  /** Orders of the batch left out, each with why (cancelled). */
  skipped: Array<{ orderNo: string; reason: string }>;
}

const CANCELLED: ReadonlySet<string> = new Set([S.cancelRequested, S.cancelling, S.cancelled]);

async function batchOf(deps: UseCaseDeps, batchId: number) {
  const batch = await findBatch(deps.db, batchId);
  if (!batch) throw new RuleRefusal(`出荷バッチ ${batchId} はありません`, 'not_found');
  const orders = await loadDocumentOrders(deps.db, await batchOrderIds(deps.db, batch.id));
  const skipped = orders
    .filter((o) => CANCELLED.has(o.status))
    .map((o) => ({ orderNo: o.orderNo, reason: 'キャンセル中・キャンセル済み' }));
  return { batch, orders: orders.filter((o) => !CANCELLED.has(o.status)), skipped };
}

export async function printPickingList(
  deps: UseCaseDeps,
  input: { batchId: number },
): Promise<PrintedDocument> {
  const { batch, orders, skipped } = await batchOf(deps, input.batchId);
  const orderNo = new Map(orders.map((o) => [o.id, o.orderNo]));
  const rows = (
    await loadPickRows(
      deps.db,
      orders.map((o) => o.id),
    )
  ).map((r) => ({
    ...r,
    orderNo: orderNo.get(r.orderId) ?? formatOrderNo(r.orderId),
  }));
  const bytes = await renderPickingList(pickingList(batch, orders.length, rows));
  return {
    fileName: `picking-batch${batch.id}-${batch.shipDate.replace(/-/g, '')}.pdf`,
    bytes,
    orders: orders.length,
    skipped,
  };
}

async function notesOf(deps: UseCaseDeps, orders: Awaited<ReturnType<typeof loadDocumentOrders>>) {
  const stores = await loadDocumentStores(
    deps.db,
    orders.map((o) => o.storeId),
  );
  return orders.map((o): DeliveryNote => {
    const s = stores.get(o.storeId)!;
    return deliveryNote(o, s);
  });
}

/** 納品書 for every order of the batch (cancelled ones left out), one from each page. */
export async function printBatchDeliveryNotes(
  deps: UseCaseDeps,
  input: { batchId: number },
): Promise<PrintedDocument> {
  const { batch, orders, skipped } = await batchOf(deps, input.batchId);
  const bytes = await renderDeliveryNotes(await notesOf(deps, orders), batch.shipDate);
  return {
    fileName: `nohinsho-batch${batch.id}-${batch.shipDate.replace(/-/g, '')}.pdf`,
    bytes,
    orders: orders.length,
    skipped,
  };
}

/** One order's 納品書 (any status but a cancelled one); dated its ship date, else its order date. */
export async function printDeliveryNote(
  deps: UseCaseDeps,
  input: { orderId: number },
): Promise<PrintedDocument & { note: DeliveryNote }> {
  const [order] = await loadDocumentOrders(deps.db, [input.orderId]);
  if (!order) throw new RuleRefusal(`注文 ${input.orderId} はありません`, 'not_found');
  if (CANCELLED.has(order.status))
    throw new RuleRefusal(
      `受注No ${order.orderNo} はキャンセルされているため納品書を作れません`,
      'cancelled',
    );
  const [note] = await notesOf(deps, [order]);
  const date = order.shippedOn ?? order.shipDate ?? order.orderedOn;
  return {
    fileName: `nohinsho-${order.orderNo}.pdf`,
    bytes: await renderDeliveryNotes([note!], date),
    orders: 1,
    skipped: [],
    note: note!,
  };
}

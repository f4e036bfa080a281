// Operation: a carrier's result file back (B2クラウド 発行済みデータ, e飛伝 出荷実績, ゆうプリR 発行済み
// データ). Each row's お客様管理番号 names an order's package (domain/labels/common.ts); its 伝票番号
// is kept per parcel (several for 複数口). An order whose every package has a number is confirmed
// (出荷完了) through confirm-shipment.ts, which the cart actions report on. A row that matches no
// order is listed and stored with the upload, never dropped; a file imported twice adds nothing.
import {
  insertParcels,
  insertUpload,
  type ParcelInput,
  parcelsOf,
  recordUploadResults,
  type UnmatchedRow,
  type UploadResult,
} from '../db/parcels.js';
import { loadShippingOrders } from '../db/shipping-orders.js';
import type { LabelCarrier } from '../domain/carrier-rules.js';
import { CARRIER_LABELS } from '../domain/carriers.js';
import { parseResultFile } from '../domain/labels/results.js';
import { jstDate } from '../domain/time.js';
import { withTransaction } from '../infra/postgres.js';
import { confirmShipment } from './confirm-shipment.js';
import type { CartActionDeps } from './enqueue-cart-actions.js';

export interface TrackingImport {
  uploadId: number;
  carrier: LabelCarrier;
  /** How the columns were found. */
  read: 'header' | 'position';
  rows: number;
  matched: number;
  unmatched: UnmatchedRow[];
  results: UploadResult[];
}

export async function importTracking(
  deps: CartActionDeps,
  input: {
    carrier: LabelCarrier;
    records: readonly string[][];
    fileName: string;
    sha256: string;
    actor: string;
  },
): Promise<TrackingImport> {
  const parsed = parseResultFile(input.carrier, input.records);
  const unmatched: UnmatchedRow[] = parsed.errors.map((e) => ({
    rowNo: e.rowNo,
    key: e.key,
    trackingNumber: e.trackingNumber,
    reason: e.message,
  }));
  const seqs = [...new Set(parsed.rows.flatMap((r) => (r.ref ? [r.ref.orderSeq] : [])))];
  const idRows = seqs.length
    ? await deps.db.selectFrom('orders').select(['id', 'order_seq']).where('order_seq', 'in', seqs).execute()
    : [];
  const orders = await loadShippingOrders(
    deps.db,
    idRows.map((r) => r.id),
  );
  const bySeq = new Map(orders.map((o) => [o.orderSeq, o]));
  const today = jstDate(deps.now());
  const parcels: ParcelInput[] = [];
  for (const r of parsed.rows) {
    const o = r.ref ? bySeq.get(r.ref.orderSeq) : undefined;
    const reason = !r.ref
      ? `お客様管理番号「${r.key}」は juchu が書き出した番号（受注No＋荷物番号2桁）ではありません`
      : !o
        ? `受注No ${String(r.ref.orderSeq).padStart(8, '0')} の注文はありません`
        : !o.packages.some((p) => p.packageNo === r.ref!.packageNo)
          ? `受注No ${o.orderNo} に荷物${r.ref.packageNo}はありません`
          : null;
    if (reason || !o) {
      unmatched.push({ rowNo: r.rowNo, key: r.key, trackingNumber: r.trackingNumber, reason: reason ?? '' });
      continue;
    }
    parcels.push({
      orderId: o.id,
      packageNo: r.ref!.packageNo,
      carrier: input.carrier,
      trackingNumber: r.trackingNumber,
      shippedOn: r.shippedOn ?? today,
    });
  }
  unmatched.sort((a, b) => a.rowNo - b.rowNo);
  const uploadId = await withTransaction(deps.db, async (trx) => {
    const id = await insertUpload(trx, {
      carrier: input.carrier,
      fileName: input.fileName,
      sha256: input.sha256,
      rows: parsed.rows.length + parsed.errors.length,
      matched: parcels.length,
      unmatched,
      actor: input.actor,
    });
    await insertParcels(trx, id, parcels);
    return id;
  });

  const touched = orders.filter((o) => parcels.some((p) => p.orderId === o.id));
  const known = await parcelsOf(
    deps.db,
    touched.map((o) => o.id),
  );
  const results: UploadResult[] = [];
  for (const o of touched) {
    const mine = known.get(o.id) ?? [];
    const numbers = mine.map((p) => p.trackingNumber).join('、');
    const waiting = o.packages.filter((p) => !mine.some((m) => m.packageNo === p.packageNo));
    if (o.shipped) {
      results.push({
        orderId: o.id,
        orderNo: o.orderNo,
        state: 'already',
        ok: true,
        message: `出荷完了済み（伝票番号 ${numbers}）`,
      });
      continue;
    }
    if (waiting.length) {
      results.push({
        orderId: o.id,
        orderNo: o.orderNo,
        state: 'waiting',
        ok: false,
        message: `荷物${waiting.map((p) => p.packageNo).join('・')}の伝票番号がまだないため、出荷完了にしていません（伝票番号 ${numbers}）`,
      });
      continue;
    }
    const r = await confirmShipment(deps, {
      orderId: o.id,
      trackingNumber: mine[0]!.trackingNumber,
      carrier: CARRIER_LABELS[input.carrier],
      actor: input.actor,
    });
    results.push({
      orderId: o.id,
      orderNo: o.orderNo,
      state: r.ok ? 'shipped' : 'refused',
      ok: r.ok,
      message: r.ok ? `出荷完了（伝票番号 ${numbers}）` : r.message,
    });
  }
  await recordUploadResults(deps.db, uploadId, results);
  return {
    uploadId,
    carrier: input.carrier,
    read: parsed.read,
    rows: parsed.rows.length + parsed.errors.length,
    matched: parcels.length,
    unmatched,
    results,
  };
}

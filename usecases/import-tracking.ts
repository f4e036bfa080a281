// Operation: a carrier's result file back (B2クラウド 発行済みデータ, e飛伝 出荷実績, ゆうプリR 発行済み
// データ), of any size, as one unit of the upload ledger (usecases/apply-upload.ts, kind tracking,
// keyed by carrier and SHA-256): the same file again changes nothing, an interrupted one resumes
// after its last committed batch. Each row's お客様管理番号 names an order's package
// (domain/labels/common.ts); its 伝票番号 is kept per parcel (several for 複数口), in the batch's
// transaction. An order whose every package then has a number ships (出荷完了) in the same
// transaction (confirm-shipment.ts shipInTransaction, behind a savepoint), its stock settled and cart
// actions enqueued after commit. A row that matches no order is refused by its line (kept with the
// upload, naming the field), never dropped.
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { insertParcels, type ParcelInput, parcelsOf } from '../db/parcels.js';
import { loadShippingOrders } from '../db/shipping-orders.js';
import type { UploadFile } from '../db/uploads.js';
import type { LabelCarrier } from '../domain/carrier-rules.js';
import { CARRIER_LABELS } from '../domain/carriers.js';
import type { ResultRow } from '../domain/labels/results.js';
import { jstDate } from '../domain/time.js';
import {
  type ApplyUploadResult,
  applyUpload,
  type ParsedRow,
  type Refused,
  type UploadProgress,
} from './apply-upload.js';
import { afterShipments, type ShipStep, shipInTransaction } from './confirm-shipment.js';
import type { CartActionDeps } from './enqueue-cart-actions.js';
import { actionContext } from './move-order.js';

export interface TrackingImportInput {
  carrier: LabelCarrier;
  file: Omit<UploadFile, 'kind' | 'scope'>;
  /** The file's rows (opened only once the upload is claimed: a repeated file is never read). */
  openRows: () => Promise<AsyncIterable<ParsedRow<ResultRow>>>;
  /** How the columns were found, once the rows are open (for the result's lines). */
  read?: () => 'header' | 'position' | null;
  batchSize?: number;
  onProgress?: (p: UploadProgress) => void;
}

export type TrackingImport = ApplyUploadResult;

const keyOf = (r: ResultRow) => `お客様管理番号「${r.key}」`;

/** Why a row matches no package of ours, or null when it does. */
function unmatched(
  r: ResultRow,
  o: { orderNo: string; packages: ReadonlyArray<{ packageNo: number }> } | undefined,
): string | null {
  if (!r.ref) return `${keyOf(r)}は juchu が書き出した番号（受注No＋荷物番号2桁）ではありません`;
  if (!o) return `${keyOf(r)}: 受注No ${String(r.ref.orderSeq).padStart(8, '0')} の注文はありません`;
  if (!o.packages.some((p) => p.packageNo === r.ref!.packageNo))
    return `${keyOf(r)}: 受注No ${o.orderNo} に荷物${r.ref.packageNo}はありません`;
  return null;
}

export async function importTracking(
  deps: CartActionDeps,
  input: TrackingImportInput,
): Promise<TrackingImport> {
  const carrier = CARRIER_LABELS[input.carrier];
  const counts = { shipped: 0, already: 0, waiting: 0, refused: 0 };
  /** Orders a package of which has no number yet, as of the last batch that touched them. */
  const waiting = new Map<number, string>();

  const applyBatch = async (
    trx: Db,
    rows: ReadonlyArray<{ rowNo: number; row: ResultRow }>,
    uploadId: number,
  ) => {
    const seqs = [...new Set(rows.flatMap((r) => (r.row.ref ? [r.row.ref.orderSeq] : [])))];
    const idRows = seqs.length
      ? await trx.selectFrom('orders').select('id').where('order_seq', 'in', seqs).execute()
      : [];
    const orders = await loadShippingOrders(
      trx,
      idRows.map((r) => r.id),
    );
    const bySeq = new Map(orders.map((o) => [o.orderSeq, o]));
    const today = jstDate(deps.now());
    const refused: Refused[] = [];
    const parcels: ParcelInput[] = [];
    for (const { rowNo, row } of rows) {
      const o = row.ref ? bySeq.get(row.ref.orderSeq) : undefined;
      const why = unmatched(row, o);
      if (why || !o) {
        refused.push({ line: rowNo, message: why ?? '' });
        continue;
      }
      parcels.push({
        orderId: o.id,
        packageNo: row.ref!.packageNo,
        carrier: input.carrier,
        trackingNumber: row.trackingNumber,
        shippedOn: row.shippedOn ?? today,
      });
    }
    await insertParcels(trx, uploadId, parcels);

    const touched = orders.filter((o) => parcels.some((p) => p.orderId === o.id));
    const known = await parcelsOf(
      trx,
      touched.map((o) => o.id),
    );
    const ctx = await actionContext(trx, deps.now());
    const steps: ShipStep[] = [];
    const notes: string[] = [];
    for (const o of touched) {
      const mine = known.get(o.id) ?? [];
      const numbers = mine.map((p) => p.trackingNumber).join('、');
      const missing = o.packages.filter((p) => !mine.some((m) => m.packageNo === p.packageNo));
      if (o.shipped) {
        if (waiting.delete(o.id)) counts.waiting--;
        counts.already++;
        continue;
      }
      if (missing.length) {
        if (!waiting.has(o.id)) counts.waiting++;
        waiting.set(
          o.id,
          `… 受注No ${o.orderNo}: 荷物${missing.map((p) => p.packageNo).join('・')}の伝票番号がまだないため、出荷完了にしていません（伝票番号 ${numbers}）`,
        );
        continue;
      }
      if (waiting.delete(o.id)) counts.waiting--;
      await sql`SAVEPOINT tracking_order`.execute(trx);
      try {
        const step = await shipInTransaction(
          trx,
          { orderId: o.id, trackingNumber: mine[0]!.trackingNumber, carrier, actor: input.file.actor },
          ctx,
        );
        await sql`RELEASE SAVEPOINT tracking_order`.execute(trx);
        if (step.result.ok) {
          steps.push(step);
          counts.shipped++;
          notes.push(`✓ 受注No ${o.orderNo}: 出荷完了（伝票番号 ${numbers}）`);
        } else {
          counts.refused++;
          notes.push(
            `✗ 受注No ${o.orderNo}: 出荷完了にできません（${step.result.message}）。伝票番号 ${numbers} は記録しました`,
          );
        }
      } catch (e) {
        await sql`ROLLBACK TO SAVEPOINT tracking_order`.execute(trx);
        counts.refused++;
        notes.push(
          `✗ 受注No ${o.orderNo}: 出荷完了にできません（${e instanceof Error ? e.message : String(e)}）。伝票番号 ${numbers} は記録しました`,
        );
      }
    }
    return { refused, notes, after: () => afterShipments(deps, steps) };
  };

  let unmatchedRows = 0;
  return applyUpload(deps, {
    file: { ...input.file, kind: 'tracking', scope: input.carrier },
    openRows: input.openRows,
    verb: '取込',
    // Orders ship one by one inside the batch: moderate batches keep the locks short.
    batchSize: input.batchSize ?? 500,
    ...(input.onProgress
      ? {
          onProgress: (p: UploadProgress) => {
            unmatchedRows = p.rowsFailed;
            input.onProgress!(p);
          },
        }
      : {
          onProgress: (p: UploadProgress) => {
            unmatchedRows = p.rowsFailed;
          },
        }),
    apply: (trx, rows, upload) => applyBatch(trx, rows, upload.id),
    finish: () => {
      const read = input.read?.();
      return [
        ...[...waiting.values()].slice(0, 200),
        ...(waiting.size > 200 ? [`…ほか ${waiting.size - 200} 件の注文が伝票番号待ちです`] : []),
        ...(read
          ? [
              read === 'header'
                ? `${input.file.fileName}: 列は項目名の行で見つけました（${carrier}）`
                : `${input.file.fileName}: 項目名の行がないため、${carrier}の並びで読みました`,
            ]
          : []),
      ];
    },
    followUp: () =>
      `出荷完了 ${counts.shipped} 件、一致しない行 ${unmatchedRows} 件` +
      (counts.already ? `、出荷完了済み ${counts.already} 件` : '') +
      (counts.waiting ? `、伝票番号待ち ${counts.waiting} 件` : '') +
      (counts.refused ? `、出荷完了にできない注文 ${counts.refused} 件` : ''),
    resultExtra: () => ({
      carrier: input.carrier,
      counts: { ...counts, unmatched: unmatchedRows },
    }),
  });
}

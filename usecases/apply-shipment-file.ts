// Operation: the warehouse's shipment-result file (伝票番号 per order, read by uploads/shipment-csv.ts)
// of any size, through the upload ledger (usecases/apply-upload.ts): a batch of rows per
// transaction, each row's 出荷完了 the same step as one order's (confirm-shipment.ts
// shipInTransaction) behind a savepoint, so a row that fails is refused by its line and the rest of
// the batch goes on. The same file again changes nothing; an interrupted one resumes after its last
// committed batch. After each batch commits, the stock the orders gave back is settled and their
// cart actions' delivery jobs are enqueued.
import { sql } from 'kysely';
import { findOrderId } from '../db/order-list.js';
import type { UploadFile } from '../db/uploads.js';
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

export interface ShipmentRow {
  /** 受注No (decimal digits, as written in the file), or else the store and the cart's 注文番号. */
  orderNo: string | null;
  storeCode: string;
  cartOrderNo: string;
  trackingNumber: string | null;
  carrier: string | null;
}

const refOf = (r: ShipmentRow) =>
  r.orderNo !== null ? `受注No ${r.orderNo}` : `店舗 ${r.storeCode} の注文番号 ${r.cartOrderNo}`;

export async function applyShipmentFile(
  deps: CartActionDeps,
  input: {
    file: Omit<UploadFile, 'kind'>;
    openRows: () => Promise<AsyncIterable<ParsedRow<ShipmentRow>>>;
    batchSize?: number;
    onProgress?: (p: UploadProgress) => void;
  },
): Promise<ApplyUploadResult> {
  return applyUpload(deps, {
    file: { ...input.file, kind: 'shipments' },
    openRows: input.openRows,
    verb: '出荷完了',
    // Orders ship one by one inside the batch (each takes several statements): smaller batches keep
    // the locks short and the progress moving.
    batchSize: input.batchSize ?? 200,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    apply: async (trx, rows) => {
      const ctx = await actionContext(trx, deps.now());
      const refused: Refused[] = [];
      const steps: ShipStep[] = [];
      for (const { rowNo, row } of rows) {
        const id = await findOrderId(
          trx,
          row.orderNo !== null
            ? { orderNo: Number(row.orderNo) }
            : { store: row.storeCode, cartOrderNo: row.cartOrderNo },
        );
        if (id === null) {
          refused.push({ line: rowNo, message: `${refOf(row)} の注文はありません` });
          continue;
        }
        await sql`SAVEPOINT shipment_row`.execute(trx);
        try {
          const step = await shipInTransaction(
            trx,
            {
              orderId: id,
              trackingNumber: row.trackingNumber,
              carrier: row.carrier,
              actor: input.file.actor,
            },
            ctx,
          );
          await sql`RELEASE SAVEPOINT shipment_row`.execute(trx);
          if (step.result.ok) steps.push(step);
          else refused.push({ line: rowNo, message: `${refOf(row)}: ${step.result.message}` });
        } catch (e) {
          await sql`ROLLBACK TO SAVEPOINT shipment_row`.execute(trx);
          refused.push({
            line: rowNo,
            message: `${refOf(row)}: ${e instanceof Error ? e.message : String(e)}`,
          });
        }
      }
      return { refused, after: () => afterShipments(deps, steps) };
    },
  });
}

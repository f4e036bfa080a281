// Shipment-result CSV from the warehouse: one row per parcel with the order (受注No, or 店舗 +
// 注文番号) and its tracking number (伝票番号), of any size. This file reads the columns as a stream;
// usecases/apply-shipment-file.ts confirms each row's shipment (出荷作業中 → 出荷完了, the stock
// consumed) in batches through the upload ledger (the same file twice changes nothing).
import type { ByteSource } from '../carts/csv/table-stream.js';
import { applyShipmentFile, type ShipmentRow } from '../usecases/apply-shipment-file.js';
import type { ApplyUploadResult, ParsedRow, UploadProgress } from '../usecases/apply-upload.js';
import type { CartActionDeps } from '../usecases/enqueue-cart-actions.js';
import { sourceOf, streamUpload, type UploadRow } from './columns.js';

const FIELDS = {
  orderNo: ['受注No', '受注番号', 'order_no', 'juchu_no'],
  store: ['店舗', '店舗コード', 'store', 'store_code'],
  cartOrderNo: ['注文番号', '注文No', 'cart_order_no'],
  tracking: ['伝票番号', '送り状番号', 'お問い合わせ番号', 'tracking_number', 'tracking'],
  carrier: ['運送会社', 'carrier', '配送会社'],
} as const;

/** One row: its values, or why it cannot be used (named by column and value). */
export function shipmentRowOf(r: UploadRow): ParsedRow<ShipmentRow> {
  const orderNo = r.get('orderNo').normalize('NFKC');
  const storeCode = r.get('store');
  const cartOrderNo = r.get('cartOrderNo');
  if (orderNo && !/^\d{1,18}$/.test(orderNo))
    return {
      rowNo: r.rowNo,
      error: `受注No "${r.get('orderNo').slice(0, 40)}" は受注番号として読めません（数字だけ）`,
    };
  if (!orderNo && !(storeCode && cartOrderNo))
    return { rowNo: r.rowNo, error: '受注No、または 店舗 と 注文番号 を入れてください' };
  return {
    rowNo: r.rowNo,
    row: {
      orderNo: orderNo || null,
      storeCode,
      cartOrderNo,
      trackingNumber: r.get('tracking') || null,
      carrier: r.get('carrier') || null,
    },
  };
}

async function* parsedRows(rows: AsyncIterable<UploadRow>): AsyncGenerator<ParsedRow<ShipmentRow>> {
  for await (const r of rows) yield shipmentRowOf(r);
}

/** A shipment file from any source (a file on disk, a request stored to a temporary file, bytes in hand). */
export async function applyShipmentCsv(
  deps: CartActionDeps,
  input: Uint8Array | ByteSource,
  actor: string,
  file = 'shipments.csv',
  opts: { onProgress?: (p: UploadProgress) => void; batchSize?: number } = {},
): Promise<ApplyUploadResult> {
  const { src, sha256, byteSize } = await sourceOf(input, file);
  return applyShipmentFile(deps, {
    file: { fileName: src.name, sha256, byteSize, actor },
    openRows: async () =>
      parsedRows(await streamUpload(src, FIELDS, ['orderNo', 'store', 'cartOrderNo', 'carrier'])),
    ...opts,
  });
}

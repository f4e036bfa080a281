// Store product mapping CSV (EC店舗別商品マスタ): a row per cart code (and option) → our product code,
// with units per cart unit for sets, of any size. This file reads the columns as a stream (入数
// decimal digits only: domain/quantity.ts); usecases/apply-mapping-file.ts applies the rows in
// batches through the upload ledger and enqueues the re-checks of the orders waiting on them.
import type { ByteSource } from '../carts/csv/table-stream.js';
import { parseQuantity } from '../domain/quantity.js';
import { applyMappingFile, type MappingRow } from '../usecases/apply-mapping-file.js';
import type { ApplyUploadResult, ParsedRow, UploadProgress } from '../usecases/apply-upload.js';
import type { MappingDeps } from '../usecases/save-mapping.js';
import { sourceOf, streamUpload, type UploadRow } from './columns.js';

const FIELDS = {
  store: ['店舗コード', '店舗', 'store', 'store_code'],
  cartProductCode: ['カート商品コード', '店舗商品コード', 'cart_product_code', 'cart_code'],
  cartOptionCode: ['オプション', 'オプションコード', 'option', 'cart_option_code'],
  productCode: ['商品コード', 'product_code', 'product'],
  units: ['入数', '数量', 'units', 'units_per_cart_unit'],
} as const;

/** One row: its values, or why it cannot be used (named by column and value). */
export function mappingRowOf(r: UploadRow): ParsedRow<MappingRow> {
  const storeCode = r.get('store');
  const cartProductCode = r.get('cartProductCode');
  const productCode = r.get('productCode');
  if (!storeCode || !cartProductCode || !productCode)
    return { rowNo: r.rowNo, error: '店舗コード・カート商品コード・商品コードを入れてください' };
  const units =
    r.get('units') === '' ? { ok: true as const, value: 1 } : parseQuantity(r.get('units'), { min: 1 });
  if (!units.ok) return { rowNo: r.rowNo, error: `入数 ${units.message}` };
  return {
    rowNo: r.rowNo,
    row: {
      storeCode,
      cartProductCode,
      cartOptionCode: r.get('cartOptionCode'),
      productCode,
      unitsPerCartUnit: units.value,
    },
  };
}

async function* parsedRows(rows: AsyncIterable<UploadRow>): AsyncGenerator<ParsedRow<MappingRow>> {
  for await (const r of rows) yield mappingRowOf(r);
}

/** A mapping file from any source (a file on disk, a request stored to a temporary file, bytes in hand). */
export async function applyMappingsCsv(
  deps: MappingDeps,
  input: Uint8Array | ByteSource,
  actor: string,
  file = 'mappings.csv',
  opts: { onProgress?: (p: UploadProgress) => void; batchSize?: number } = {},
): Promise<ApplyUploadResult> {
  const { src, sha256, byteSize } = await sourceOf(input, file);
  return applyMappingFile(deps, {
    file: { fileName: src.name, sha256, byteSize, actor },
    openRows: async () => parsedRows(await streamUpload(src, FIELDS, ['cartOptionCode', 'units'])),
    ...opts,
  });
}

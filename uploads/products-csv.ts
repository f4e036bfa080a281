// Product master CSV (商品マスタ): reading an import (UTF-8 with or without BOM, or Shift_JIS; a
// header row; columns found by their Japanese or English names) as a stream, of any size, and
// writing an export with the same headers, so an exported file imports back unchanged.
// usecases/import-products.ts checks and applies the rows; this file only reads and writes the columns.
import iconv from 'iconv-lite';
import type { ByteSource } from '../carts/csv/table-stream.js';
import type { ProductRecord } from '../db/product-master.js';
import { PRODUCT_FIELD_LABELS, type ProductField } from '../domain/product-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { UploadProgress } from '../usecases/apply-upload.js';
import { importProducts, type ProductImportRow } from '../usecases/import-products.js';
import type { ProductDeps } from '../usecases/save-product.js';
import { sourceOf, streamUpload } from './columns.js';

const FIELDS: Record<ProductField, readonly string[]> = {
  code: ['商品コード', 'product_code', 'code'],
  name: ['商品名', 'name', 'product_name'],
  jan: ['JAN', 'JANコード', 'バーコード', 'jan', 'barcode'],
  taxRate: ['税率', '消費税率', 'tax_rate'],
  needsCheck: ['要修正', 'EC受注修正区分', 'needs_check'],
  needsCheckNote: ['要修正メモ', 'メモ', 'needs_check_note', 'note'],
  active: ['有効', 'active'],
};
const OPTIONAL: ProductField[] = ['name', 'jan', 'taxRate', 'needsCheck', 'needsCheckNote', 'active'];

/** The rows of a product file, with only the columns the file has, one at a time. */
async function* productRows(src: ByteSource): AsyncGenerator<ProductImportRow> {
  for await (const r of await streamUpload(src, FIELDS, OPTIONAL)) {
    const cells: ProductImportRow['cells'] = {};
    for (const f of Object.keys(FIELDS) as ProductField[]) if (r.has(f)) cells[f] = r.get(f);
    yield { line: r.rowNo, cells };
  }
}

/**
 * Reads the file (bytes in hand, a file on disk, a request stored to a temporary file) and has the
 * use case check (and unless a dry run, apply) every row.
 */
export async function importProductsCsv(
  deps: ProductDeps,
  input: Uint8Array | ByteSource,
  opts: {
    dryRun: boolean;
    actor: string;
    file?: string;
    onProgress?: (p: UploadProgress) => void;
    batchSize?: number;
  },
) {
  const { src, sha256, byteSize } = await sourceOf(input, opts.file ?? 'products.csv');
  return importProducts(deps, {
    file: { fileName: src.name, sha256, byteSize },
    openRows: async () => productRows(src),
    dryRun: opts.dryRun,
    actor: opts.actor,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
  });
}

export type ExportEncoding = 'utf8' | 'sjis';

const ORDER: ProductField[] = ['code', 'name', 'jan', 'taxRate', 'needsCheck', 'needsCheckNote', 'active'];

function cell(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The CSV text of these products (header row, CRLF, the import's column names). */
export function productsCsvText(products: readonly ProductRecord[]): string {
  const rows = [ORDER.map((f) => PRODUCT_FIELD_LABELS[f])];
  for (const p of products)
    rows.push([
      p.code,
      p.name,
      p.jan ?? '',
      String(p.taxRate),
      p.needsCheck ? '1' : '0',
      p.needsCheckNote ?? '',
      p.active ? '1' : '0',
    ]);
  return `${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/**
 * The export file: UTF-8 with a BOM (Excel then reads it as UTF-8), or Shift_JIS (CP932). A name
 * Shift_JIS cannot hold is refused, naming the products, rather than written as '?'.
 */
export function productsCsvFile(
  products: readonly ProductRecord[],
  encoding: ExportEncoding = 'utf8',
): Buffer {
  const text = productsCsvText(products);
  if (encoding === 'utf8') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  const lost = products.filter((p) => {
    const s = `${p.name}${p.needsCheckNote ?? ''}`;
    return iconv.decode(iconv.encode(s, 'cp932'), 'cp932') !== s;
  });
  if (lost.length)
    throw new RuleRefusal(
      `Shift_JIS で書けない文字があります（商品 ${lost
        .slice(0, 10)
        .map((p) => p.code)
        .join('、')}${lost.length > 10 ? ' ほか' : ''}）。UTF-8 で書き出してください`,
      'unencodable',
    );
  return iconv.encode(text, 'cp932');
}

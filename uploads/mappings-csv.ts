// Store product mapping CSV (EC店舗別商品マスタ): a row per cart code (and option) → our product code,
// with units per cart unit for sets. Each row is written on its own; a bad row is reported and the
// rest go on; the orders waiting on the cart codes that got a mapping are re-checked.
import { type MappingDeps, saveMappings } from '../usecases/save-mapping.js';
import { readUpload } from './columns.js';

const FIELDS = {
  store: ['店舗コード', '店舗', 'store', 'store_code'],
  cartProductCode: ['カート商品コード', '店舗商品コード', 'cart_product_code', 'cart_code'],
  cartOptionCode: ['オプション', 'オプションコード', 'option', 'cart_option_code'],
  productCode: ['商品コード', 'product_code', 'product'],
  units: ['入数', '数量', 'units', 'units_per_cart_unit'],
} as const;

/** Reads the rows; usecases/save-mapping.ts writes them and enqueues the re-checks. */
export function applyMappingsCsv(deps: MappingDeps, buf: Uint8Array, actor: string, file = 'mappings.csv') {
  const rows = readUpload(buf, file, FIELDS, ['cartOptionCode', 'units']).map((r) => ({
    rowNo: r.rowNo,
    storeCode: r.get('store'),
    cartProductCode: r.get('cartProductCode'),
    cartOptionCode: r.get('cartOptionCode') || null,
    productCode: r.get('productCode'),
    unitsPerCartUnit: r.get('units') === '' ? 1 : Number(r.get('units')),
  }));
  return saveMappings(deps, rows, actor);
}

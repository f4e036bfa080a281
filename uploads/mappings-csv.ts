// Store product mapping CSV (EC店舗別商品マスタ): a row per cart code (and option) → our product code,
// with units per cart unit for sets. Each row is written on its own; a bad row is reported and the
// rest go on. The caller re-checks the orders waiting on the cart codes it returns.
import type { Db } from '../db/db.js';
import { upsertMapping } from '../db/products.js';
import { listStores } from '../db/stores.js';
import { RuleRefusal } from '../domain/refusal.js';
import { readUpload } from './columns.js';

const FIELDS = {
  store: ['店舗コード', '店舗', 'store', 'store_code'],
  cartProductCode: ['カート商品コード', '店舗商品コード', 'cart_product_code', 'cart_code'],
  cartOptionCode: ['オプション', 'オプションコード', 'option', 'cart_option_code'],
  productCode: ['商品コード', 'product_code', 'product'],
  units: ['入数', '数量', 'units', 'units_per_cart_unit'],
} as const;

export interface MappingsCsvResult {
  ok: number;
  failed: number;
  lines: string[];
  /** The cart codes that got a mapping, once each: orders waiting on them can move on now. */
  recheck: Array<{ store: string; cartProductCode: string }>;
}

export async function applyMappingsCsv(
  db: Db,
  buf: Uint8Array,
  file = 'mappings.csv',
): Promise<MappingsCsvResult> {
  const rows = readUpload(buf, file, FIELDS, ['cartOptionCode', 'units']);
  const stores = new Map((await listStores(db)).map((s) => [s.code, s]));
  const lines: string[] = [];
  const recheck = new Map<string, { store: string; cartProductCode: string }>();
  let ok = 0;
  for (const r of rows) {
    const store = stores.get(r.get('store'));
    const cartCode = r.get('cartProductCode');
    const units = r.get('units') === '' ? 1 : Number(r.get('units'));
    try {
      if (!store) throw new RuleRefusal(`店舗 "${r.get('store')}" はありません`, 'not_found');
      await upsertMapping(db, {
        storeId: store.id,
        cartProductCode: cartCode,
        cartOptionCode: r.get('cartOptionCode') || null,
        productCode: r.get('productCode'),
        unitsPerCartUnit: units,
      });
      recheck.set(`${store.code}\u0000${cartCode}`, { store: store.code, cartProductCode: cartCode });
      lines.push(`✓ ${r.rowNo} 行目: ${store.code} ${cartCode} → ${r.get('productCode')} ×${units}`);
      ok++;
    } catch (e) {
      lines.push(`✗ ${r.rowNo} 行目: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  lines.push(
    `${ok} 行を登録、${rows.length - ok} 行はエラー。${recheck.size} 件のカート商品コードで待ち注文を再確認します`,
  );
  return { ok, failed: rows.length - ok, lines, recheck: [...recheck.values()] };
}

// Read models of the store product mapping (EC店舗別商品マスタ): the mappings, a page at a time, and
// the cart codes orders are waiting on (マスタなし商品) — what is worth mapping next.
import { sql } from 'kysely';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { decodeIdCursor, fetchPage, MAX_SERIAL_ID, mapPage, type Page } from './paging.js';

export interface MappingView {
  id: number;
  store: string;
  storeName: string;
  cartProductCode: string;
  cartOptionCode: string | null;
  productCode: string;
  productName: string | null;
  unitsPerCartUnit: number;
  updatedAt: string;
}

/** Mappings newest first; `q` matches part of the cart code or of our product code. */
export async function listMappings(
  db: Db,
  q: { store?: string; q?: string; before?: string | number; size?: number } = {},
): Promise<Page<MappingView, number>> {
  const before = decodeIdCursor(q.before, 'before', MAX_SERIAL_ID);
  let query = db
    .selectFrom('store_product_mappings as m')
    .innerJoin('stores as s', 's.id', 'm.store_id')
    .leftJoin('products as p', 'p.code', 'm.product_code')
    .select([
      'm.id',
      'm.cart_product_code',
      'm.cart_option_code',
      'm.product_code',
      'm.units_per_cart_unit',
      'm.updated_at',
      's.code as store_code',
      's.name as store_name',
      'p.name as product_name',
    ]);
  if (q.store) query = query.where('s.code', '=', q.store);
  const text = q.q;
  if (text)
    query = query.where((eb) =>
      eb.or([eb('m.cart_product_code', 'like', `%${text}%`), eb('m.product_code', 'like', `%${text}%`)]),
    );
  if (before) query = query.where('m.id', '<', before);
  const page = await fetchPage(
    q.size ?? 200,
    (limit) => query.orderBy('m.id', 'desc').limit(limit).execute(),
    (last) => last.id,
  );
  return mapPage(page, (m) => ({
    id: m.id,
    store: m.store_code,
    storeName: m.store_name,
    cartProductCode: m.cart_product_code,
    cartOptionCode: m.cart_option_code || null,
    productCode: m.product_code,
    productName: m.product_name,
    unitsPerCartUnit: m.units_per_cart_unit,
    updatedAt: toJstIso(m.updated_at),
  }));
}

export interface UnmappedCode {
  store: string;
  cartProductCode: string;
  cartOptionCode: string | null;
  lines: number;
}

/** Cart codes with no product yet, by how many order lines wait on them (the 50 most wanted). */
export async function unmappedCartCodes(db: Db, store?: string): Promise<UnmappedCode[]> {
  const r = await sql<{
    store_code: string;
    cart_product_code: string;
    cart_option_code: string | null;
    lines: number;
  }>`
    SELECT s.code AS store_code, l.cart_product_code, l.cart_option_code, count(*)::int AS lines
    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN stores s ON s.id = o.store_id
    WHERE l.product_code IS NULL ${store ? sql`AND s.code = ${store}` : sql``}
    GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 50`.execute(db);
  return r.rows.map((w) => ({
    store: w.store_code,
    cartProductCode: w.cart_product_code,
    cartOptionCode: w.cart_option_code,
    lines: w.lines,
  }));
}

// Product master and the store product mapping (EC店舗別商品マスタ): a cart's code (and option) →
// our product code, with units per cart unit for sets. Resolution order: exact mapping with the
// option, mapping for any option, then the master itself (carts that sell under our own codes).
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface ResolvedProduct {
  productCode: string;
  unitsPerCartUnit: number;
  needsCheck: boolean;
}

const key = (code: string, option: string | null) => `${code}\u0000${option ?? ''}`;

/** Resolves many cart codes in two queries (a page of orders at a time). Unknown codes are absent. */
export async function resolveProducts(
  db: Db,
  storeId: number,
  lines: ReadonlyArray<{ cartProductCode: string; cartOptionCode: string | null }>,
): Promise<Map<string, ResolvedProduct>> {
  const out = new Map<string, ResolvedProduct>();
  if (lines.length === 0) return out;
  const codes = [...new Set(lines.map((l) => l.cartProductCode))];
  const mappings = await db
    .selectFrom('store_product_mappings as m')
    .innerJoin('products as p', 'p.code', 'm.product_code')
    .select([
      'm.cart_product_code',
      'm.cart_option_code',
      'm.product_code',
      'm.units_per_cart_unit',
      'p.needs_check',
    ])
    .where('m.store_id', '=', storeId)
    .where('m.cart_product_code', 'in', codes)
    .execute();
  const byKey = new Map(mappings.map((m) => [key(m.cart_product_code, m.cart_option_code || null), m]));
  const master = await db
    .selectFrom('products')
    .select(['code', 'needs_check'])
    .where('code', 'in', codes)
    .execute();
  const masterByCode = new Map(master.map((p) => [p.code, p]));
  for (const l of lines) {
    const m = byKey.get(key(l.cartProductCode, l.cartOptionCode)) ?? byKey.get(key(l.cartProductCode, null));
    if (m) {
      out.set(key(l.cartProductCode, l.cartOptionCode), {
        productCode: m.product_code,
        unitsPerCartUnit: m.units_per_cart_unit,
        needsCheck: m.needs_check,
      });
      continue;
    }
    const p = masterByCode.get(l.cartProductCode);
    if (p)
      out.set(key(l.cartProductCode, l.cartOptionCode), {
        productCode: p.code,
        unitsPerCartUnit: 1,
        needsCheck: p.needs_check,
      });
  }
  return out;
}

export function resolvedFor(
  map: Map<string, ResolvedProduct>,
  line: { cartProductCode: string; cartOptionCode: string | null },
): ResolvedProduct | null {
  return map.get(key(line.cartProductCode, line.cartOptionCode)) ?? null;
}

export interface MappingInput {
  storeId: number;
  cartProductCode: string;
  cartOptionCode?: string | null;
  productCode: string;
  unitsPerCartUnit?: number;
}

export async function upsertMapping(db: Db, m: MappingInput): Promise<number> {
  if (!m.cartProductCode.trim()) throw new Error('cart product code is required');
  const product = await db
    .selectFrom('products')
    .select('code')
    .where('code', '=', m.productCode)
    .executeTakeFirst();
  if (!product) throw new Error(`product "${m.productCode}" is not in the product master`);
  const units = m.unitsPerCartUnit ?? 1;
  if (!Number.isInteger(units) || units < 1)
    throw new Error('units per cart unit must be a whole number ≥ 1');
  const r = await db
    .insertInto('store_product_mappings')
    .values({
      store_id: m.storeId,
      cart_product_code: m.cartProductCode.trim(),
      cart_option_code: m.cartOptionCode?.trim() ?? '',
      product_code: m.productCode,
      units_per_cart_unit: units,
    })
    .onConflict((oc) =>
      oc
        .columns(['store_id', 'cart_product_code', 'cart_option_code'])
        .doUpdateSet({ product_code: m.productCode, units_per_cart_unit: units, updated_at: sql`now()` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Applies the store's current mapping / master to lines still unknown (マスタなし商品) for one cart
 * code; returns the orders whose lines changed so their status can be checked again.
 */
export async function applyMappingToWaitingLines(
  db: Db,
  storeId: number,
  cartProductCode: string,
): Promise<number[]> {
  const lines = await db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['l.id', 'l.order_id', 'l.cart_product_code', 'l.cart_option_code'])
    .where('o.store_id', '=', storeId)
    .where('l.cart_product_code', '=', cartProductCode)
    .where('l.product_code', 'is', null)
    .execute();
  if (lines.length === 0) return [];
  const resolved = await resolveProducts(
    db,
    storeId,
    lines.map((l) => ({ cartProductCode: l.cart_product_code, cartOptionCode: l.cart_option_code })),
  );
  const changed = new Set<number>();
  for (const l of lines) {
    const r = resolvedFor(resolved, {
      cartProductCode: l.cart_product_code,
      cartOptionCode: l.cart_option_code,
    });
    if (!r) continue;
    const u = await db
      .updateTable('order_lines')
      .set({ product_code: r.productCode, units_per_cart_unit: r.unitsPerCartUnit })
      .where('id', '=', l.id)
      .where('product_code', 'is', null)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 1) changed.add(l.order_id);
  }
  return [...changed];
}

// Product master and the store product mapping (EC店舗別商品マスタ): a cart's code (and option) →
// our product code, with units per cart unit for sets. Resolution order: exact mapping with the
// option, mapping for any option, then the master itself (carts that sell under our own codes).
import { sql } from 'kysely';
import { RuleRefusal } from '../domain/refusal.js';
import { componentUnits, type SetComponent } from '../domain/sets.js';
import type { Db } from './db.js';
import { componentsOf } from './product-sets.js';

export interface ResolvedProduct {
  productCode: string;
  unitsPerCartUnit: number;
  needsCheck: boolean;
  /** セット商品: what one unit is made of (absent for a plain product). */
  components?: SetComponent[];
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
  // Sets among the products found: one query for the page.
  const sets = await componentsOf(
    db,
    [...out.values()].map((r) => r.productCode),
  );
  if (sets.size)
    for (const r of out.values()) if (sets.has(r.productCode)) r.components = sets.get(r.productCode)!;
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

/** The checks every mapping write makes; returns the units per cart unit to store. */
async function checkMapping(db: Db, m: MappingInput): Promise<number> {
  if (!m.cartProductCode.trim()) throw new RuleRefusal('カート商品コードを入力してください', 'required');
  if (!(await productExists(db, m.productCode)))
    throw new RuleRefusal(`商品コード ${m.productCode} は商品マスタにありません`, 'unknown_product');
  const units = m.unitsPerCartUnit ?? 1;
  if (!Number.isInteger(units) || units < 1)
    throw new RuleRefusal('入数は 1 以上の整数です', 'invalid_quantity');
  return units;
}

export async function upsertMapping(db: Db, m: MappingInput): Promise<number> {
  const units = await checkMapping(db, m);
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

/** Rewrites one mapping; false when it does not exist. Another mapping of the same key is a 23505. */
export async function updateMapping(db: Db, id: number, m: MappingInput): Promise<boolean> {
  const exists = await db
    .selectFrom('store_product_mappings')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!exists) return false;
  const units = await checkMapping(db, m);
  await db
    .updateTable('store_product_mappings')
    .set({
      store_id: m.storeId,
      cart_product_code: m.cartProductCode.trim(),
      cart_option_code: m.cartOptionCode?.trim() ?? '',
      product_code: m.productCode,
      units_per_cart_unit: units,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
  return true;
}

/** Orders already converted keep their product code; only lines converted later are affected. */
export async function deleteMapping(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('store_product_mappings').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function productExists(db: Db, code: string): Promise<boolean> {
  return (
    (await db.selectFrom('products').select('code').where('code', '=', code).executeTakeFirst()) !== undefined
  );
}

export interface ProductView {
  code: string;
  name: string;
  taxRate: number;
  needsCheck: boolean;
}

/** The product master, by code; `q` matches a code prefix or part of the name. */
export async function searchProducts(db: Db, q?: string, limit = 500): Promise<ProductView[]> {
  let query = db.selectFrom('products').select(['code', 'name', 'tax_rate', 'needs_check']);
  if (q) query = query.where((eb) => eb.or([eb('code', 'like', `${q}%`), eb('name', 'like', `%${q}%`)]));
  const rows = await query.orderBy('code').limit(limit).execute();
  return rows.map((p) => ({ code: p.code, name: p.name, taxRate: p.tax_rate, needsCheck: p.needs_check }));
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
      .set({
        product_code: r.productCode,
        units_per_cart_unit: r.unitsPerCartUnit,
        component_units: componentUnits(r.components),
      })
      .where('id', '=', l.id)
      .where('product_code', 'is', null)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 1) changed.add(l.order_id);
  }
  return [...changed];
}

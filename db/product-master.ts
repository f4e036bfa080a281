// The product master (商品マスタ): reads for the screens and the CLI (a page at a time, by code), the
// rows a write or an import compares against, what uses a product (orders, mappings, stock), and the
// writes themselves (plain statements; usecases/save-product.ts and import-products.ts decide).
import { sql } from 'kysely';
import { checkCode, type ProductFields, type TaxRate } from '../domain/product-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { fetchPage, mapPage, type Page } from './paging.js';

export interface ProductRecord extends ProductFields {
  createdAt: string;
  updatedAt: string;
}

type Row = {
  code: string;
  name: string;
  jan: string | null;
  tax_rate: number;
  needs_check: boolean;
  needs_check_note: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = [
  'code',
  'name',
  'jan',
  'tax_rate',
  'needs_check',
  'needs_check_note',
  'active',
  'created_at',
  'updated_at',
] as const;

function record(r: Row): ProductRecord {
  return {
    code: r.code,
    name: r.name,
    jan: r.jan,
    // Rows from before the master had a screen may carry 0 (the initial schema allowed it).
    taxRate: r.tax_rate as TaxRate,
    needsCheck: r.needs_check,
    needsCheckNote: r.needs_check_note,
    active: r.active,
    createdAt: toJstIso(r.created_at),
    updatedAt: toJstIso(r.updated_at),
  };
}

export interface ProductListQuery {
  /** Part of the code, the name or the JAN. */
  q?: string;
  /** 'active' (default), 'inactive' or 'all'. */
  state?: 'active' | 'inactive' | 'all';
  /** Only products flagged 要修正. */
  needsCheck?: boolean;
  /** The `next` of the page before: the last code shown. */
  after?: string;
  size?: number;
}

/** Products by code, a page at a time (keyset on the code, see db/paging.ts). */
export async function listProducts(db: Db, q: ProductListQuery = {}): Promise<Page<ProductRecord, string>> {
  if (q.after !== undefined && q.after !== '' && checkCode(q.after) !== null)
    throw new RuleRefusal('after: ページ位置が読めません', 'bad_cursor');
  let query = db.selectFrom('products').select(COLUMNS);
  const state = q.state ?? 'active';
  if (state !== 'all') query = query.where('active', '=', state === 'active');
  if (q.needsCheck) query = query.where('needs_check', '=', true);
  const text = q.q?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('code', 'ilike', like), eb('name', 'ilike', like), eb('jan', 'like', like)]),
    );
  }
  if (q.after) query = query.where('code', '>', q.after);
  const page = await fetchPage(
    q.size ?? 100,
    (limit) => query.orderBy('code').limit(limit).execute(),
    (last) => last.code,
  );
  return mapPage(page, record);
}

export async function findProduct(db: Db, code: string): Promise<ProductRecord | null> {
  const r = await db.selectFrom('products').select(COLUMNS).where('code', '=', code).executeTakeFirst();
  return r ? record(r) : null;
}

/** These products as stored (absent codes are absent), for an import to compare against. */
export async function findProducts(db: Db, codes: readonly string[]): Promise<Map<string, ProductRecord>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('products')
    .select(COLUMNS)
    .where('code', 'in', [...new Set(codes)])
    .execute();
  return new Map(rows.map((r) => [r.code, record(r)]));
}

/** Which product holds each of these barcodes. */
export async function productCodesByJan(db: Db, jans: readonly string[]): Promise<Map<string, string>> {
  if (jans.length === 0) return new Map();
  const rows = await db
    .selectFrom('products')
    .select(['code', 'jan'])
    .where('jan', 'in', [...new Set(jans)])
    .execute();
  return new Map(rows.map((r) => [r.jan!, r.code]));
}

export async function insertProduct(db: Db, p: ProductFields): Promise<void> {
  await db
    .insertInto('products')
    .values({
      code: p.code,
      name: p.name,
      jan: p.jan,
      tax_rate: p.taxRate,
      needs_check: p.needsCheck,
      needs_check_note: p.needsCheckNote,
      active: p.active,
    })
    .execute();
}

/** Rewrites a product's fields (not its code); false when it does not exist. */
export async function updateProduct(db: Db, p: ProductFields): Promise<boolean> {
  const r = await db
    .updateTable('products')
    .set({
      name: p.name,
      jan: p.jan,
      tax_rate: p.taxRate,
      needs_check: p.needsCheck,
      needs_check_note: p.needsCheckNote,
      active: p.active,
      updated_at: sql`now()`,
    })
    .where('code', '=', p.code)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface ProductUsage {
  orderLines: number;
  mappings: number;
  /** Stock levels with units on hand or reserved. */
  stockedLevels: number;
}

/** What refers to a product: a product with any of it cannot be deleted (deactivate it instead). */
export async function productUsage(db: Db, code: string): Promise<ProductUsage> {
  const r = await sql<{ lines: number; mappings: number; stocked: number }>`
    SELECT (SELECT count(*)::int FROM order_lines WHERE product_code = ${code}) AS lines,
           (SELECT count(*)::int FROM store_product_mappings WHERE product_code = ${code}) AS mappings,
           (SELECT count(*)::int FROM stock_levels
             WHERE product_code = ${code} AND (on_hand <> 0 OR reserved <> 0)) AS stocked`.execute(db);
  const u = r.rows[0]!;
  return { orderLines: u.lines, mappings: u.mappings, stockedLevels: u.stocked };
}

/**
 * Deletes a product and its empty stock levels, in the caller's transaction. A row that refers to
 * it meanwhile (an order line, say) makes PostgreSQL refuse (23503): nothing is deleted then.
 */
export async function deleteProduct(trx: Db, code: string): Promise<boolean> {
  await trx
    .deleteFrom('stock_levels')
    .where('product_code', '=', code)
    .where('on_hand', '=', 0)
    .where('reserved', '=', 0)
    .execute();
  const r = await trx.deleteFrom('products').where('code', '=', code).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Locks a product's row for a delete (so a mapping or order line cannot arrive half-way). */
export async function lockProduct(trx: Db, code: string): Promise<boolean> {
  const r = await sql<{ code: string }>`SELECT code FROM products WHERE code = ${code} FOR UPDATE`.execute(
    trx,
  );
  return r.rows.length === 1;
}

export interface WaitingCartCode {
  cartProductCode: string;
  /** The name the cart sent (from the oldest waiting line), to start a product from. */
  name: string;
  taxRate: number | null;
  stores: string[];
  lines: number;
  orders: number;
}

/**
 * Cart codes that orders wait on in マスタなし商品, most wanted first (50): adding a product with the
 * code (or a mapping from it) lets those orders go on.
 */
export async function waitingCartCodes(db: Db, limit = 50): Promise<WaitingCartCode[]> {
  const r = await sql<{
    cart_product_code: string;
    name: string;
    tax_rate: number | null;
    stores: string[];
    lines: number;
    orders: number;
  }>`
    SELECT l.cart_product_code,
           (array_agg(l.name ORDER BY l.order_id, l.line_no))[1] AS name,
           (array_agg(l.tax_rate ORDER BY l.order_id, l.line_no))[1] AS tax_rate,
           array_agg(DISTINCT s.code ORDER BY s.code) AS stores,
           count(*)::int AS lines, count(DISTINCT l.order_id)::int AS orders
    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN stores s ON s.id = o.store_id
    WHERE l.product_code IS NULL
    GROUP BY 1 ORDER BY 6 DESC, 1 LIMIT ${limit}`.execute(db);
  return r.rows.map((w) => ({
    cartProductCode: w.cart_product_code,
    name: w.name,
    taxRate: w.tax_rate,
    stores: w.stores,
    lines: w.lines,
    orders: w.orders,
  }));
}

/** Every product in code order, for an export (all of them, active or not). */
export async function allProducts(db: Db): Promise<ProductRecord[]> {
  const rows = await db.selectFrom('products').select(COLUMNS).orderBy('code').execute();
  return rows.map(record);
}

/** The stores whose orders wait on this cart code with no product yet. */
export async function storesWaitingOn(db: Db, cartProductCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select('s.code')
    .distinct()
    .where('l.cart_product_code', '=', cartProductCode)
    .where('l.product_code', 'is', null)
    .orderBy('s.code')
    .execute();
  return rows.map((r) => r.code);
}

// セット商品 in the database: a set's components (product_components) and the questions allocation
// asks — what is this set made of, which sets use this component. Rules are domain/sets.ts's.
import { sql } from 'kysely';
import { freeSets, type SetComponent } from '../domain/sets.js';
import type { Db } from './db.js';

/** The components of these products that are sets (set code → components by code); plain ones are absent. */
export async function componentsOf(db: Db, codes: readonly string[]): Promise<Map<string, SetComponent[]>> {
  const out = new Map<string, SetComponent[]>();
  if (codes.length === 0) return out;
  const rows = await db
    .selectFrom('product_components')
    .select(['set_code', 'component_code', 'quantity'])
    .where('set_code', 'in', [...new Set(codes)])
    .orderBy('set_code')
    .orderBy('component_code')
    .execute();
  for (const r of rows) {
    const list = out.get(r.set_code) ?? [];
    list.push({ productCode: r.component_code, quantity: r.quantity });
    out.set(r.set_code, list);
  }
  return out;
}

/** Sets with one of these products among their components. */
export async function setsContaining(db: Db, componentCodes: readonly string[]): Promise<string[]> {
  if (componentCodes.length === 0) return [];
  const rows = await db
    .selectFrom('product_components')
    .select('set_code')
    .distinct()
    .where('component_code', 'in', [...new Set(componentCodes)])
    .execute();
  return rows.map((r) => r.set_code);
}

/** Which of these codes are sets. */
export async function setCodesAmong(db: Db, codes: readonly string[]): Promise<Set<string>> {
  return new Set((await componentsOf(db, codes)).keys());
}

/** Open order lines of a set (its composition is fixed while any line may still need stock). */
export async function openLinesOfSet(db: Db, setCode: string): Promise<number> {
  const r = await db
    .selectFrom('order_lines')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('product_code', '=', setCode)
    .where('open', '=', true)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Replaces a set's components (none: it is a plain product again). The caller's transaction. */
export async function replaceComponents(trx: Db, setCode: string, components: readonly SetComponent[]) {
  await trx.deleteFrom('product_components').where('set_code', '=', setCode).execute();
  if (components.length)
    await trx
      .insertInto('product_components')
      .values(
        components.map((c) => ({ set_code: setCode, component_code: c.productCode, quantity: c.quantity })),
      )
      .execute();
}

/** Is this product a component of some set (then it cannot become a set itself)? */
export async function isComponent(db: Db, code: string): Promise<boolean> {
  return (await setsContaining(db, [code])).length > 0;
}

/** Locks a set's product row for a change of its composition (an order line's insert waits on it). */
export async function lockSetProduct(trx: Db, setCode: string): Promise<boolean> {
  const r = await trx
    .selectFrom('products')
    .select('code')
    .where('code', '=', setCode)
    .forUpdate()
    .executeTakeFirst();
  return r !== undefined;
}

export interface SetComponentView extends SetComponent {
  name: string;
  /** Free units of the component over the enabled warehouses (on hand − reserved, never below 0). */
  free: number;
}

export interface SetView {
  code: string;
  name: string;
  active: boolean;
  components: SetComponentView[];
  /** Open order lines of the set (its composition is fixed while there are any). */
  openLines: number;
  /** Whole sets those lines still wait for. */
  waitingSets: number;
  /** Sets the free stock still makes: the minimum over the components of free ÷ quantity. */
  freeSets: number;
}

/**
 * The sets (セット商品) with their components, each component's free stock over the enabled
 * warehouses, the sets that stock makes (domain/sets.ts `freeSets`) and the set's open lines: the
 * セット商品 screen, the stock screen, `juchu sets`.
 */
export async function listSets(db: Db, q: { code?: string } = {}): Promise<SetView[]> {
  const rows = await sql<{
    set_code: string;
    set_name: string;
    active: boolean;
    component_code: string;
    component_name: string;
    quantity: number;
    free: number;
  }>`
    SELECT pc.set_code, sp.name AS set_name, sp.active, pc.component_code, cp.name AS component_name,
           pc.quantity,
           COALESCE((SELECT SUM(GREATEST(s.on_hand - s.reserved, 0)) FROM stock_levels s
                     JOIN warehouses w ON w.code = s.warehouse_code AND w.enabled
                     WHERE s.product_code = pc.component_code), 0)::int AS free
    FROM product_components pc
    JOIN products sp ON sp.code = pc.set_code
    JOIN products cp ON cp.code = pc.component_code
    WHERE (${q.code ?? null}::text IS NULL OR pc.set_code = ${q.code ?? null})
    ORDER BY pc.set_code, pc.component_code`.execute(db);
  const lines = await sql<{ product_code: string; open: number; waiting: number }>`
    SELECT l.product_code, count(*)::int AS open,
           COALESCE(SUM(GREATEST(l.waiting_units, 0) / l.component_units), 0)::int AS waiting
    FROM order_lines l
    WHERE l.open AND l.product_code IN (SELECT set_code FROM product_components)
      AND (${q.code ?? null}::text IS NULL OR l.product_code = ${q.code ?? null})
    GROUP BY 1`.execute(db);
  const open = new Map(lines.rows.map((l) => [l.product_code, l]));
  const sets = new Map<string, SetView>();
  for (const r of rows.rows) {
    let set = sets.get(r.set_code);
    if (!set) {
      const l = open.get(r.set_code);
      set = {
        code: r.set_code,
        name: r.set_name,
        active: r.active,
        components: [],
        openLines: l?.open ?? 0,
        waitingSets: l?.waiting ?? 0,
        freeSets: 0,
      };
      sets.set(r.set_code, set);
    }
    set.components.push({
      productCode: r.component_code,
      name: r.component_name,
      quantity: r.quantity,
      free: r.free,
    });
  }
  for (const set of sets.values()) {
    const free = new Map(set.components.map((c) => [c.productCode, c.free]));
    set.freeSets = freeSets(set.components, (p) => free.get(p) ?? 0);
  }
  return [...sets.values()];
}

// セット商品 in the database: a set's components (product_components) and the questions allocation
// asks — what is this set made of, which sets use this component. Rules are domain/sets.ts's.
import type { SetComponent } from '../domain/sets.js';
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

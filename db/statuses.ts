// Status catalogue: labels are data. The rules for changing it (system statuses stay, a status with
// orders stays) are the use cases' (usecases/edit-statuses.ts); these are its reads and writes.
import { sql } from 'kysely';
import type { StatusGroup } from '../domain/order.js';
import { StatusCatalogue, type StatusDef } from '../domain/statuses.js';
import type { Db } from './db.js';

export async function loadStatuses(db: Db): Promise<StatusCatalogue> {
  const rows = await db.selectFrom('statuses').selectAll().orderBy('sort_order').execute();
  return new StatusCatalogue(
    rows.map((r) => ({
      code: r.code,
      group: r.group,
      label: r.label,
      sortOrder: r.sort_order,
      system: r.system,
    })),
  );
}

const toDef = (r: {
  code: string;
  group: StatusGroup;
  label: string;
  sort_order: number;
  system: boolean;
}) => ({
  code: r.code,
  group: r.group,
  label: r.label,
  sortOrder: r.sort_order,
  system: r.system,
});

export async function findStatus(db: Db, code: string): Promise<StatusDef | null> {
  const r = await db.selectFrom('statuses').selectAll().where('code', '=', code).executeTakeFirst();
  return r ? toDef(r) : null;
}

/** Null when there is no such status. */
export async function updateStatusLabel(db: Db, code: string, label: string): Promise<StatusDef | null> {
  const r = await db
    .updateTable('statuses')
    .set({ label, updated_at: sql`now()` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
  return r ? toDef(r) : null;
}

/** A custom status, last in its group. */
export async function insertStatus(
  db: Db,
  input: { code: string; group: StatusGroup; label: string },
): Promise<StatusDef> {
  const max = await db
    .selectFrom('statuses')
    .select((eb) => eb.fn.max('sort_order').as('m'))
    .where('group', '=', input.group)
    .executeTakeFirst();
  const r = await db
    .insertInto('statuses')
    .values({ ...input, sort_order: (max?.m ?? 0) + 5, system: false })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDef(r);
}

export async function statusHasOrders(db: Db, code: string): Promise<boolean> {
  const used = await db
    .selectFrom('orders')
    .select('id')
    .where('status_code', '=', code)
    .limit(1)
    .executeTakeFirst();
  return used !== undefined;
}

export async function deleteStatus(db: Db, code: string): Promise<void> {
  await db.deleteFrom('statuses').where('code', '=', code).execute();
}

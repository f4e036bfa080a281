// Status catalogue: labels are data. System statuses can be renamed, never removed; custom statuses
// can be added inside a group (the seed's 出荷保留1 → 予約注文).
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

export async function renameStatus(db: Db, code: string, label: string): Promise<StatusDef> {
  const l = label.trim();
  if (!l) throw new Error('a status label cannot be empty');
  const r = await db
    .updateTable('statuses')
    .set({ label: l, updated_at: sql`now()` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
  if (!r) throw new Error(`no status "${code}"`);
  return { code: r.code, group: r.group, label: r.label, sortOrder: r.sort_order, system: r.system };
}

export async function addStatus(
  db: Db,
  input: { code: string; group: StatusGroup; label: string },
): Promise<StatusDef> {
  if (!/^[a-z0-9_]+$/.test(input.code)) throw new Error('status code: lower-case letters, digits and _ only');
  if (input.group === 'cancellation')
    throw new Error('custom statuses cannot be added to the cancellation group');
  const max = await db
    .selectFrom('statuses')
    .select((eb) => eb.fn.max('sort_order').as('m'))
    .where('group', '=', input.group)
    .executeTakeFirst();
  const r = await db
    .insertInto('statuses')
    .values({
      code: input.code,
      group: input.group,
      label: input.label.trim(),
      sort_order: (max?.m ?? 0) + 5,
      system: false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { code: r.code, group: r.group, label: r.label, sortOrder: r.sort_order, system: r.system };
}

export async function removeStatus(db: Db, code: string): Promise<void> {
  const s = await db.selectFrom('statuses').select(['system']).where('code', '=', code).executeTakeFirst();
  if (!s) throw new Error(`no status "${code}"`);
  if (s.system) throw new Error(`"${code}" is a system status: it can be renamed but not removed`);
  const used = await db
    .selectFrom('orders')
    .select('id')
    .where('status_code', '=', code)
    .limit(1)
    .executeTakeFirst();
  if (used) throw new Error(`status "${code}" still has orders; move them first`);
  await db.deleteFrom('statuses').where('code', '=', code).execute();
}

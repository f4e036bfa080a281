// Status catalogue: labels are data. System statuses can be renamed, never removed; custom statuses
// can be added inside a group (the seed's 出荷保留1 → 予約注文).
import { sql } from 'kysely';
import type { StatusGroup } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
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
  if (!l) throw new RuleRefusal('a status label cannot be empty', 'empty_label');
  const r = await db
    .updateTable('statuses')
    .set({ label: l, updated_at: sql`now()` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
  if (!r) throw new RuleRefusal(`ステータス "${code}" はありません`, 'not_found');
  return { code: r.code, group: r.group, label: r.label, sortOrder: r.sort_order, system: r.system };
}

export async function addStatus(
  db: Db,
  input: { code: string; group: StatusGroup; label: string },
): Promise<StatusDef> {
  if (!/^[a-z0-9_]+$/.test(input.code))
    throw new RuleRefusal('ステータスコードは英小文字・数字・_ です', 'bad_code');
  if (input.group === 'cancellation')
    throw new RuleRefusal('custom statuses cannot be added to the cancellation group', 'cancellation_group');
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
  if (!s) throw new RuleRefusal(`ステータス "${code}" はありません`, 'not_found');
  if (s.system)
    throw new RuleRefusal(`"${code}" is a system status: it can be renamed but not removed`, 'system_status');
  const used = await db
    .selectFrom('orders')
    .select('id')
    .where('status_code', '=', code)
    .limit(1)
    .executeTakeFirst();
  if (used) throw new RuleRefusal(`status "${code}" still has orders; move them first`, 'in_use');
  await db.deleteFrom('statuses').where('code', '=', code).execute();
}

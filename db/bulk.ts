// Many rows in one INSERT with ONE parameter: the rows as a JSON array, unpacked by PostgreSQL's
// jsonb_to_recordset (parsed once; a jsonb column such as the raw cart payload comes out as it is).
// The statement is the same for 1 row or 1,000; JSON.stringify (native) replaces escaping an array
// literal per column in JavaScript; no page can exceed PostgreSQL's 65,535 parameters. Used for a
// page's new orders, parties, lines and events.
import { sql } from 'kysely';
import type { Db } from './db.js';

/** A column and its PostgreSQL type. */
export type BulkColumn = readonly [
  name: string,
  type: 'int' | 'bigint' | 'text' | 'boolean' | 'timestamptz' | 'date' | 'jsonb',
];

export async function bulkInsert<R = Record<string, unknown>>(
  trx: Db,
  table: string,
  columns: readonly BulkColumn[],
  rows: ReadonlyArray<Record<string, unknown>>,
  opts: { returning?: readonly string[]; onConflictDoNothing?: string } = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = sql.raw(columns.map(([n]) => `"${n}"`).join(', '));
  const record = sql.raw(columns.map(([n, t]) => `"${n}" ${t}`).join(', '));
  const selects = sql.raw(columns.map(([n]) => `"${n}"`).join(', '));
  const conflict = opts.onConflictDoNothing
    ? sql` ON CONFLICT ON CONSTRAINT ${sql.raw(opts.onConflictDoNothing)} DO NOTHING`
    : sql``;
  const returning = opts.returning?.length
    ? sql` RETURNING ${sql.raw(opts.returning.map((n) => `"${n}"`).join(', '))}`
    : sql``;
  const r = await sql<R>`
    INSERT INTO ${sql.table(table)} (${names})
    SELECT ${selects} FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS t(${record})${conflict}${returning}`.execute(
    trx,
  );
  return r.rows;
}

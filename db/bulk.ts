// Many rows in one INSERT with one parameter per column (`unnest` of arrays), not one per value:
// the statement is the same size for 1 row or 1,000, so it compiles and travels fast, and no page
// can exceed PostgreSQL's 65,535-parameter limit. Used for a page's new orders.
import { sql } from 'kysely';
import type { Db } from '../infra/postgres.js';

/** A column and the PostgreSQL type of its array parameter. */
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
  const arrays = columns.map(([name, type]) => {
    const values = rows.map((r) => {
      const v = r[name];
      if (v === undefined || v === null) return null;
      if (v instanceof Date) return v.toISOString();
      // jsonb goes as text: the array literal would otherwise be built from objects.
      if (type === 'jsonb') return typeof v === 'string' ? v : JSON.stringify(v);
      return v;
    });
    // jsonb[] cannot take text elements directly; text[] cast element by element is the same.
    const arrayType = type === 'jsonb' ? 'text' : type;
    return sql`${values}::${sql.raw(arrayType)}[]`;
  });
  const names = sql.raw(columns.map(([n]) => `"${n}"`).join(', '));
  const selects = sql.raw(columns.map(([, t], i) => `c${i}${t === 'jsonb' ? '::jsonb' : ''}`).join(', '));
  const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
  const conflict = opts.onConflictDoNothing
    ? sql` ON CONFLICT ON CONSTRAINT ${sql.raw(opts.onConflictDoNothing)} DO NOTHING`
    : sql``;
  const returning = opts.returning?.length
    ? sql` RETURNING ${sql.raw(opts.returning.map((n) => `"${n}"`).join(', '))}`
    : sql``;
  const r = await sql<R>`
    INSERT INTO ${sql.table(table)} (${names})
    SELECT ${selects} FROM unnest(${sql.join(arrays)}) AS t(${aliases})${conflict}${returning}`.execute(trx);
  return r.rows;
}

// Orders per store and status. Statement-level triggers append deltas (no hot counter row); this
// folds them into order_status_counts. Readers use the order_status_totals view (counts + deltas), so
// the numbers are exact whether or not a fold has run.
import { sql } from 'kysely';
import type { Db } from './db.js';

/** Folds the pending deltas into the counts; returns how many delta rows it folded. */
export async function compactStatusCounts(db: Db): Promise<number> {
  const r = await sql<{ folded: number }>`
    WITH moved AS (
      DELETE FROM order_status_deltas RETURNING store_id, status_code, n
    ), agg AS (
      SELECT store_id, status_code, SUM(n)::bigint AS n, count(*) AS rows FROM moved GROUP BY 1, 2
    ), up AS (
      INSERT INTO order_status_counts AS c (store_id, status_code, n)
      SELECT store_id, status_code, n FROM agg
      ON CONFLICT (store_id, status_code) DO UPDATE SET n = c.n + EXCLUDED.n
      RETURNING 1
    )
    SELECT COALESCE(SUM(rows), 0)::int AS folded FROM agg`.execute(db);
  return r.rows[0]?.folded ?? 0;
}

export async function statusTotals(
  db: Db,
  storeIds?: readonly number[],
): Promise<Array<{ storeId: number; status: string; n: number }>> {
  let q = db.selectFrom('order_status_totals').select(['store_id', 'status_code', 'n']).where('n', '<>', 0);
  if (storeIds?.length) q = q.where('store_id', 'in', [...storeIds]);
  return (await q.execute()).map((r) => ({ storeId: r.store_id, status: r.status_code, n: Number(r.n) }));
}

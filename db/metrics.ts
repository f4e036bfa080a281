// What /metrics and /readyz read from PostgreSQL: import lag and credential state per store, orders
// per store and status (order_status_totals, kept by triggers: no scan of orders), and a ping.
import { sql } from 'kysely';
import type { Db } from './db.js';

/** The database answers a trivial query (readiness). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/** Seconds between now (the database's clock) and each enabled store's cursor; null before its first import. */
export async function importLagSeconds(db: Db): Promise<Array<{ store: string; lag: number | null }>> {
  const r = await sql<{ code: string; lag: number | null }>`
    SELECT code, extract(epoch from now() - import_cursor)::int AS lag FROM stores WHERE enabled`.execute(db);
  return r.rows.map((x) => ({ store: x.code, lag: x.lag }));
}

export async function credentialStates(db: Db): Promise<Array<{ store: string; needsCredentials: boolean }>> {
  const rows = await db.selectFrom('stores').select(['code', 'credential_state']).execute();
  return rows.map((s) => ({ store: s.code, needsCredentials: s.credential_state === 'needs_credentials' }));
}

export async function ordersByStatus(
  db: Db,
): Promise<Array<{ store: string; status: string; group: string; n: number }>> {
  const rows = await db
    .selectFrom('order_status_totals as c')
    .innerJoin('stores as s', 's.id', 'c.store_id')
    .innerJoin('statuses as st', 'st.code', 'c.status_code')
    .select(['s.code as store', 'c.status_code', 'st.group', 'c.n'])
    .execute();
  return rows.map((r) => ({ store: r.store, status: r.status_code, group: r.group, n: Number(r.n) }));
}

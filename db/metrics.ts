// What /metrics and /readyz read from PostgreSQL: import lag and credential state per store, orders
// per store and status (order_status_totals, kept by triggers: no scan of orders), and a ping.
import { sql } from 'kysely';
import { AUTO_CANCEL_WATCH, RAKUTEN_AUTO_CANCEL_WARN_DAYS } from '../domain/cart-release.js';
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

/**
 * Per Rakuten store: orders still unconfirmed at the cart (100 注文確認待ち) for
 * RAKUTEN_AUTO_CANCEL_WARN_DAYS days or more, which Rakuten cancels at 14 (domain/cart-release.ts).
 * Orders we are cancelling anyway are left out. Every Rakuten store appears, with 0 when none.
 */
export async function autoCancelRiskCounts(db: Db, now: Date): Promise<Array<{ store: string; n: number }>> {
  const since = new Date(now.getTime() - RAKUTEN_AUTO_CANCEL_WARN_DAYS * 86_400_000);
  const r = await sql<{ code: string; n: number }>`
    SELECT s.code, (
      SELECT count(*)::int FROM orders o JOIN statuses st ON st.code = o.status_code
      WHERE o.store_id = s.id AND o.cart_status = ${AUTO_CANCEL_WATCH.cartStatus} AND NOT o.cart_cancelled
        AND o.ordered_at <= ${since} AND st."group" <> 'cancellation'
    ) AS n
    FROM stores s WHERE s.cart = ${AUTO_CANCEL_WATCH.cart} ORDER BY s.code`.execute(db);
  return r.rows.map((x) => ({ store: x.code, n: x.n }));
}

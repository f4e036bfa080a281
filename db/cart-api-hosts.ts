// Hosts allowed per cart beyond the cart's published ones (see the migration 2026-12-06T0300).
import type { Db } from './db.js';

export interface AddedApiHost {
  cart: string;
  host: string;
  source: string;
  addedBy: string;
  addedAt: Date;
}

/** The hosts added for one cart (exact names). */
export async function addedApiHosts(db: Db, cart: string): Promise<string[]> {
  const rows = await db
    .selectFrom('cart_api_hosts')
    .select('host')
    .where('cart', '=', cart)
    .orderBy('host')
    .execute();
  return rows.map((r) => r.host);
}

export async function listAddedApiHosts(db: Db): Promise<AddedApiHost[]> {
  const rows = await db.selectFrom('cart_api_hosts').selectAll().orderBy('cart').orderBy('host').execute();
  return rows.map((r) => ({
    cart: r.cart,
    host: r.host,
    source: r.source,
    addedBy: r.added_by,
    addedAt: r.added_at,
  }));
}

/** Adds the host, or gives an existing one its new source. */
export async function upsertApiHost(
  db: Db,
  row: { cart: string; host: string; source: string; addedBy: string },
): Promise<void> {
  await db
    .insertInto('cart_api_hosts')
    .values({ cart: row.cart, host: row.host, source: row.source, added_by: row.addedBy })
    .onConflict((oc) =>
      oc.columns(['cart', 'host']).doUpdateSet({ source: row.source, added_by: row.addedBy }),
    )
    .execute();
}

/** Removes the host; false when it was not there. */
export async function deleteApiHost(db: Db, cart: string, host: string): Promise<boolean> {
  const r = await db
    .deleteFrom('cart_api_hosts')
    .where('cart', '=', cart)
    .where('host', '=', host)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

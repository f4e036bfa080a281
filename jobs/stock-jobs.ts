// Jobs `allocate-stock` (queue stock-allocation), `refresh-delivery-holds` and
// `shipping-instruction` (queue shipping), `recheck-mapping` (queue maintenance).
// Idempotency: allocation only fills shortfalls; status refresh only moves orders whose holds say
// so; the shipping instruction only moves ready orders; the mapping re-check only fills unknown lines.
// Enqueues next: nothing (each runs its follow-up inline).
import { sql } from 'kysely';
import { actionContext, refreshOrders, shippingInstruction, transitionInTx } from '../db/order-actions.js';
import { applyMappingToWaitingLines } from '../db/products.js';
import { allocateProducts } from '../db/stock.js';
import { getStore } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

/** Products that have lines waiting for stock and free stock to give them. */
async function productsWithShortfall(deps: JobDeps): Promise<string[]> {
  const r = await sql<{ product_code: string }>`
    SELECT DISTINCT l.product_code FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    LEFT JOIN LATERAL (SELECT SUM(quantity)::int AS held FROM reservations WHERE order_line_id = l.id) r ON true
    WHERE l.product_code IS NOT NULL AND o.shipping_instructed_at IS NULL
      AND o.status_code NOT IN ('shipped', 'cancel_requested', 'cancelling', 'cancelled')
      AND l.quantity * l.units_per_cart_unit > COALESCE(r.held, 0)
      AND EXISTS (SELECT 1 FROM stock_levels s WHERE s.product_code = l.product_code AND s.on_hand > s.reserved)`.execute(
    deps.db,
  );
  return r.rows.map((x) => x.product_code);
}

export async function processAllocateStock(data: JobCatalogue['allocate-stock'], deps: JobDeps) {
  const products = data.productCodes ?? (await productsWithShortfall(deps));
  const results = await allocateProducts(deps.db, products);
  const orderIds = new Set(results.flatMap((r) => r.orderIds));
  // Orders of these products already fully held but still waiting (e.g. after a crash) move on too.
  if (products.length) {
    const waiting = await deps.db
      .selectFrom('orders as o')
      .innerJoin('order_lines as l', 'l.order_id', 'o.id')
      .select('o.id')
      .distinct()
      .where('o.status_code', '=', S.waiting)
      .where('l.product_code', 'in', products)
      .execute();
    for (const w of waiting) orderIds.add(w.id);
  }
  const moved = await refreshOrders(deps.db, orderIds, deps.now());
  return {
    products: products.length,
    reserved: results.reduce((n, r) => n + r.reserved, 0),
    ordersMoved: moved.length,
  };
}

export async function processRefreshDeliveryHolds(
  _data: JobCatalogue['refresh-delivery-holds'],
  deps: JobDeps,
) {
  const waiting = await deps.db
    .selectFrom('orders')
    .select('id')
    .where('status_code', '=', S.waiting)
    .execute();
  const moved = await refreshOrders(
    deps.db,
    waiting.map((w) => w.id),
    deps.now(),
  );
  return { checked: waiting.length, released: moved.length };
}

export async function processShippingInstruction(data: JobCatalogue['shipping-instruction'], deps: JobDeps) {
  const results = await shippingInstruction(
    deps.db,
    { storeCodes: [data.storeCode] },
    data.requestedBy ?? 'schedule',
    deps.now(),
  );
  return {
    store: data.storeCode,
    instructed: results.filter((r) => r.ok && r.to === S.shipping).length,
    backToWaiting: results.filter((r) => r.to === S.waiting).length,
  };
}

/** Adding a missing store mapping re-checks every order waiting on that cart code. */
export async function processRecheckMapping(data: JobCatalogue['recheck-mapping'], deps: JobDeps) {
  const store = await getStore(deps.db, data.storeCode);
  const orderIds = await applyMappingToWaitingLines(deps.db, store.id, data.cartProductCode);
  const ctx = await actionContext(deps.db, deps.now());
  const moved: number[] = [];
  for (const id of orderIds.sort((a, b) => a - b)) {
    const r = await withTransaction(deps.db, async (trx) => {
      const o = await trx.selectFrom('orders').select('status_code').where('id', '=', id).executeTakeFirst();
      if (o?.status_code !== S.unknownProduct) return null;
      return transitionInTx(
        trx,
        id,
        'auto',
        `mapping:${data.requestedBy}`,
        ctx,
        `店舗別商品マスタに ${data.cartProductCode} を追加`,
      );
    });
    if (r?.ok) moved.push(id);
  }
  const lines = await deps.db
    .selectFrom('order_lines')
    .select('product_code')
    .distinct()
    .where('order_id', 'in', orderIds.length ? orderIds : [-1])
    .execute();
  const allocated = await allocateProducts(
    deps.db,
    lines.map((l) => l.product_code).filter((p): p is string => p !== null),
  );
  await refreshOrders(deps.db, new Set([...orderIds, ...allocated.flatMap((a) => a.orderIds)]), deps.now());
  return {
    store: store.code,
    cartProductCode: data.cartProductCode,
    ordersUpdated: orderIds.length,
    ordersMovedOn: moved.length,
  };
}

// 在庫 and 出荷: stock per product × warehouse, arrivals and counts (one at a time or by CSV), the
// shipping instruction and the warehouse's shipment-result CSV. Rules live in db/stock.ts,
// db/order-actions.ts and uploads/; this file only validates input and composes them.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { refreshOrders, shippingInstruction } from '../db/order-actions.js';
import { loadStatuses } from '../db/statuses.js';
import { allocateProducts, correctStock, receiveStock } from '../db/stock.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { applyShipmentCsv } from '../uploads/shipment-csv.js';
import { applyStockCsv } from '../uploads/stock-csv.js';
import { listOrders } from './api-orders.js';
import { actorOf } from './auth.js';
import { attempt, badRequest, parse, queryOf, type RouteTable, uploadOf } from './http.js';

const code = z.string().trim().min(1).max(100);

async function requireProductAndWarehouse(db: Db, product: string, warehouse: string): Promise<void> {
  const p = await db.selectFrom('products').select('code').where('code', '=', product).executeTakeFirst();
  if (!p) throw badRequest(`商品コード ${product} は商品マスタにありません`);
  const w = await db.selectFrom('warehouses').select('code').where('code', '=', warehouse).executeTakeFirst();
  if (!w) throw badRequest(`倉庫 ${warehouse} はありません`);
}

export function registerStockRoutes(routes: RouteTable, db: Db): void {
  routes.add('get', '/api/warehouses', 'viewer', async () => ({
    warehouses: await db.selectFrom('warehouses').selectAll().orderBy('priority').execute(),
  }));

  routes.add('get', '/api/products', 'viewer', async (req) => {
    const { q } = queryOf(req);
    let query = db.selectFrom('products').select(['code', 'name', 'tax_rate', 'needs_check']);
    if (q) query = query.where((eb) => eb.or([eb('code', 'like', `${q}%`), eb('name', 'like', `%${q}%`)]));
    const rows = await query.orderBy('code').limit(500).execute();
    return {
      products: rows.map((p) => ({
        code: p.code,
        name: p.name,
        taxRate: p.tax_rate,
        needsCheck: p.needs_check,
      })),
    };
  });

  routes.add('get', '/api/stock', 'viewer', async (req) => {
    const q = parse(
      z.object({
        product: z.string().max(100).optional(),
        warehouse: z.string().max(64).optional(),
        short: z.enum(['1']).optional(),
      }),
      queryOf(req),
    );
    // Waiting demand per product: units still needed by lines not yet fully held (for "short" view).
    const r = await sql<{
      product_code: string;
      name: string;
      warehouse_code: string;
      warehouse_name: string;
      on_hand: number;
      reserved: number;
      needed: number;
    }>`
      SELECT s.product_code, p.name, s.warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved,
             COALESCE(d.needed, 0)::int AS needed
      FROM stock_levels s
      JOIN products p ON p.code = s.product_code
      JOIN warehouses w ON w.code = s.warehouse_code
      LEFT JOIN LATERAL (
        SELECT SUM(l.quantity * l.units_per_cart_unit - COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.order_line_id = l.id), 0)) AS needed
        FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE l.product_code = s.product_code AND o.status_code = ${S.waiting} AND l.shipped_from IS NULL
      ) d ON true
      WHERE (${q.product ?? null}::text IS NULL OR s.product_code LIKE ${`${q.product ?? ''}%`} OR p.name LIKE ${`%${q.product ?? ''}%`})
        AND (${q.warehouse ?? null}::text IS NULL OR s.warehouse_code = ${q.warehouse ?? null})
      ORDER BY s.product_code, w.priority
      LIMIT 1000`.execute(db);
    const rows = r.rows
      .map((x) => ({
        productCode: x.product_code,
        name: x.name,
        warehouse: x.warehouse_code,
        warehouseName: x.warehouse_name,
        onHand: x.on_hand,
        reserved: x.reserved,
        available: Math.max(0, x.on_hand - x.reserved),
        waitingDemand: Math.max(0, x.needed),
      }))
      .filter((x) => !q.short || x.waitingDemand > 0 || x.available === 0);
    return { rows };
  });

  routes.add('post', '/api/stock/receive', 'operator', async (req, res) => {
    const b = parse(
      z.object({ product: code, warehouse: code, quantity: z.number().int().positive().max(1_000_000) }),
      req.body,
    );
    await requireProductAndWarehouse(db, b.product, b.warehouse);
    const onHand = await attempt(() =>
      withTransaction(db, (trx) => receiveStock(trx, b.product, b.warehouse, b.quantity)),
    );
    const [a] = await allocateProducts(db, [b.product]);
    const moved = await refreshOrders(db, a?.orderIds ?? []);
    return {
      onHand,
      reservedForOrders: a?.reserved ?? 0,
      ordersMoved: moved.length,
      message: `${b.product} @ ${b.warehouse}: 入荷 ${b.quantity}、在庫 ${onHand}。待ち注文に ${a?.reserved ?? 0} 個を引当、${moved.length} 件が次のステータスへ（${actorOf(res)}）`,
    };
  });

  routes.add('post', '/api/stock/correct', 'operator', async (req, res) => {
    const b = parse(
      z.object({ product: code, warehouse: code, counted: z.number().int().min(0).max(1_000_000) }),
      req.body,
    );
    await requireProductAndWarehouse(db, b.product, b.warehouse);
    const r = await attempt(() =>
      withTransaction(db, (trx) => correctStock(trx, b.product, b.warehouse, b.counted)),
    );
    const [a] = await allocateProducts(db, [b.product]);
    await refreshOrders(db, [...r.releasedOrderIds, ...(a?.orderIds ?? [])]);
    return {
      onHand: r.onHand,
      releasedOrders: r.releasedOrderIds.length,
      message: `${b.product} @ ${b.warehouse}: 在庫を ${r.onHand} に修正、${r.releasedOrderIds.length} 件の注文が引当を返却（${actorOf(res)}）`,
    };
  });

  routes.add(
    'post',
    '/api/stock/upload',
    'operator',
    async (req, res) => {
      const f = uploadOf(req);
      return attempt(() => applyStockCsv(db, f.buf, actorOf(res), f.name));
    },
    { body: 'raw' },
  );

  routes.add('get', '/api/shipping/orders', 'viewer', async (req) => {
    const { store, status } = queryOf(req);
    const statuses = await loadStatuses(db);
    const wanted = status === S.shipping ? S.shipping : undefined;
    const ready = wanted
      ? await listOrders(db, statuses, {
          status: S.shipping,
          store,
          sort: 'orderedAt',
          dir: 'asc',
          size: 200,
        })
      : {
          rows: [
            ...(
              await listOrders(db, statuses, {
                status: S.readyToShip,
                store,
                sort: 'orderedAt',
                dir: 'asc',
                size: 200,
              })
            ).rows,
            ...(
              await listOrders(db, statuses, {
                status: S.readyAfterStock,
                store,
                sort: 'orderedAt',
                dir: 'asc',
                size: 200,
              })
            ).rows,
          ],
          next: null,
        };
    return { rows: ready.rows };
  });

  routes.add('post', '/api/shipping/instruction', 'operator', async (req, res) => {
    const b = parse(
      z.union([
        z.object({ orderIds: z.array(z.number().int().positive()).min(1).max(1000) }),
        z.object({ storeCodes: z.array(z.string().min(1).max(64)).min(1).max(100) }),
      ]),
      req.body,
    );
    return { results: await shippingInstruction(db, b, actorOf(res)) };
  });

  routes.add(
    'post',
    '/api/shipping/upload',
    'operator',
    async (req, res) => {
      const f = uploadOf(req);
      return { results: await attempt(() => applyShipmentCsv(db, f.buf, actorOf(res), f.name)) };
    },
    { body: 'raw' },
  );
}

// 在庫: warehouses and products (for the forms), stock per product × warehouse with the demand
// waiting on it, arrivals (入荷) and counts (棚卸) one at a time or by CSV.
import { z } from 'zod';
import { productExists, searchProducts } from '../../db/products.js';
import { listStockLevels } from '../../db/stock-levels.js';
import { listWarehouses, warehouseExists } from '../../db/warehouses.js';
import { applyStockCsv } from '../../uploads/stock-csv.js';
import { correctStock } from '../../usecases/correct-stock.js';
import { receiveStock } from '../../usecases/receive-stock.js';
import { actorOf } from '../auth.js';
import { badRequest, parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { opsOf, type RouteDeps } from './deps.js';

const code = z.string().trim().min(1).max(100);

export function registerStockRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  // With the queues: the 在庫連携 actions an arrival or a correction records are delivered at once.
  const ops = opsOf({ db, queues });
  const requireProductAndWarehouse = async (product: string, warehouse: string) => {
    if (!(await productExists(db, product)))
      throw badRequest(`商品コード ${product} は商品マスタにありません`);
    if (!(await warehouseExists(db, warehouse))) throw badRequest(`倉庫 ${warehouse} はありません`);
  };

  routes.add('get', '/api/warehouses', 'viewer', async () => ({
    // The screens read the table's own field names here.
    warehouses: (await listWarehouses(db)).map((w) => ({
      code: w.code,
      name: w.name,
      priority: w.priority,
      enabled: w.enabled,
      created_at: w.createdAt,
    })),
  }));

  routes.add('get', '/api/products', 'viewer', async (req) => ({
    products: await searchProducts(db, queryOf(req).q),
  }));

  routes.add('get', '/api/stock', 'viewer', async (req) => {
    const q = parse(
      z.object({
        product: z.string().max(100).optional(),
        warehouse: z.string().max(64).optional(),
        short: z.enum(['1']).optional(),
      }),
      queryOf(req),
    );
    return {
      rows: await listStockLevels(db, { search: q.product, warehouse: q.warehouse, short: q.short === '1' }),
    };
  });

  routes.add('post', '/api/stock/receive', 'operator', async (req, res) => {
    const b = parse(
      z.object({ product: code, warehouse: code, quantity: z.number().int().positive().max(1_000_000) }),
      req.body,
    );
    await requireProductAndWarehouse(b.product, b.warehouse);
    const { onHand, settled } = await receiveStock(ops, {
      productCode: b.product,
      warehouse: b.warehouse,
      quantity: b.quantity,
    });
    const reserved = settled.allocated[0]?.reserved ?? 0;
    const moved = settled.moved.length;
    return {
      onHand,
      reservedForOrders: reserved,
      ordersMoved: moved,
      message: `${b.product} @ ${b.warehouse}: 入荷 ${b.quantity}、在庫 ${onHand}。待ち注文に ${reserved} 個を引当、${moved} 件が次のステータスへ（${actorOf(res)}）`,
    };
  });

  routes.add('post', '/api/stock/correct', 'operator', async (req, res) => {
    const b = parse(
      z.object({ product: code, warehouse: code, counted: z.number().int().min(0).max(1_000_000) }),
      req.body,
    );
    await requireProductAndWarehouse(b.product, b.warehouse);
    const r = await correctStock(ops, { productCode: b.product, warehouse: b.warehouse, counted: b.counted });
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
    (req, res) =>
      runFileUpload(
        req,
        res,
        (src, onProgress) => applyStockCsv(ops, src, actorOf(res), src.name, { onProgress }),
        config.UPLOAD_ANSWER_WAIT_MS,
      ),
    { body: 'stream' },
  );
}

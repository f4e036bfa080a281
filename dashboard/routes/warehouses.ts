// 倉庫: the warehouses with their priority and state (停止中 takes no new reservations), which
// stores ship from which warehouses, and the admin's writes (create, edit, 停止 / 再開, assignment),
// all through usecases/save-warehouse.ts. The plain list stays at GET /api/warehouses (stock.ts).
import { z } from 'zod';
import { listStores } from '../../db/stores.js';
import { listWarehouses, storeWarehouseMap } from '../../db/warehouses.js';
import { toJstIso } from '../../domain/time.js';
import {
  assignStoreWarehouses,
  createWarehouse,
  editWarehouse,
  setWarehouseEnabled,
} from '../../usecases/save-warehouse.js';
import { parse, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

const code = z.string().trim().min(1).max(64);
const priority = z.number().int().min(0).max(9999);

export function registerWarehouseRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/warehouses/overview', 'viewer', async () => {
    const [warehouses, stores, map] = await Promise.all([
      listWarehouses(db),
      listStores(db),
      storeWarehouseMap(db),
    ]);
    return {
      warehouses: warehouses.map((w) => ({ ...w, createdAt: toJstIso(w.createdAt) })),
      // A store with no warehouses listed ships from every enabled one (`all`).
      stores: stores.map((s) => {
        const mine = [...(map.get(s.id) ?? [])].sort();
        return { code: s.code, name: s.name, all: mine.length === 0, warehouses: mine };
      }),
    };
  });

  routes.add('post', '/api/warehouses', 'admin', async (req) => {
    const b = parse(
      z.object({ code, name: z.string().max(100), priority, enabled: z.boolean().optional() }),
      req.body,
    );
    return { warehouse: await createWarehouse(ops, b) };
  });

  routes.add('patch', '/api/warehouses/:code', 'admin', async (req) => {
    const c = parse(code, req.params.code);
    const b = parse(
      z.object({
        name: z.string().max(100).optional(),
        priority: priority.optional(),
        enabled: z.boolean().optional(),
      }),
      req.body,
    );
    let message = '倉庫を更新しました';
    if (b.name !== undefined || b.priority !== undefined)
      await editWarehouse(ops, { code: c, name: b.name, priority: b.priority });
    if (b.enabled !== undefined)
      message = (await setWarehouseEnabled(ops, { code: c, enabled: b.enabled })).message;
    return { ok: true, message };
  });

  routes.add('put', '/api/warehouses/stores/:store', 'admin', async (req) => {
    const store = parse(code, req.params.store);
    const b = parse(z.object({ warehouses: z.array(code).max(100) }), req.body);
    return assignStoreWarehouses(ops, { storeCode: store, warehouses: b.warehouses });
  });
}

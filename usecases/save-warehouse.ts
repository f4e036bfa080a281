// Operation: 倉庫 — create a warehouse, edit its name or priority (the order stock is taken from
// them: a lower number first), disable or enable it, and say which warehouses a store ships from.
// A disabled warehouse (停止中) takes no new reservations (db/stock.ts reads only enabled ones); what
// it already holds stays held and ships. A store with no warehouses assigned ships from every
// enabled warehouse. Enabling a warehouse or widening a store's warehouses hands free stock to the
// oldest waiting orders at once.
import { findStore } from '../db/stores.js';
import {
  findWarehouse,
  insertWarehouse,
  productsWithFreeStockIn,
  replaceStoreWarehouses,
  storeWarehouseCodes,
  updateWarehouse,
  type Warehouse,
  warehouseExists,
} from '../db/warehouses.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import { allocateWaitingStock } from './allocate-waiting-stock.js';
import type { UseCaseDeps } from './deps.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new RuleRefusal('倉庫名を入力してください', 'required');
  if (n.length > 100) throw new RuleRefusal('倉庫名は 100 文字までです', 'too_long');
  return n;
}

function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > 9999)
    throw new RuleRefusal('優先順位は 0〜9999 の整数です（小さいほど先に引き当てます）', 'invalid_priority');
  return priority;
}

async function existing(deps: UseCaseDeps, code: string): Promise<Warehouse> {
  const w = await findWarehouse(deps.db, code);
  if (!w) throw new RuleRefusal(`倉庫 ${code} はありません`, 'not_found');
  return w;
}

export async function createWarehouse(
  deps: UseCaseDeps,
  input: { code: string; name: string; priority: number; enabled?: boolean },
): Promise<Warehouse> {
  const code = input.code.trim();
  if (!CODE.test(code))
    throw new RuleRefusal('倉庫コードは英数字・ハイフン・下線で 64 文字までです', 'invalid_code');
  const ok = await insertWarehouse(deps.db, {
    code,
    name: checkName(input.name),
    priority: checkPriority(input.priority),
    enabled: input.enabled ?? true,
  });
  if (!ok) throw new RuleRefusal(`倉庫コード ${code} は登録済みです`, 'taken');
  return existing(deps, code);
}

/** Name and priority; a new priority changes only where future reservations come from. */
export async function editWarehouse(
  deps: UseCaseDeps,
  input: { code: string; name?: string; priority?: number },
): Promise<Warehouse> {
  await existing(deps, input.code);
  await updateWarehouse(deps.db, input.code, {
    ...(input.name !== undefined ? { name: checkName(input.name) } : {}),
    ...(input.priority !== undefined ? { priority: checkPriority(input.priority) } : {}),
  });
  return existing(deps, input.code);
}

export interface EnabledResult {
  warehouse: Warehouse;
  /** Units the waiting orders received from it (enabling only). */
  reserved: number;
  message: string;
}

/** 停止 / 再開. Disabling keeps what it already holds; enabling gives its free stock to waiting orders. */
export async function setWarehouseEnabled(
  deps: UseCaseDeps,
  input: { code: string; enabled: boolean },
): Promise<EnabledResult> {
  const before = await existing(deps, input.code);
  await updateWarehouse(deps.db, input.code, { enabled: input.enabled });
  let reserved = 0;
  if (input.enabled && !before.enabled) {
    const settled = await settleAfterStockChange(deps, {
      productCodes: await productsWithFreeStockIn(deps.db, input.code),
    });
    reserved = settled.allocated.reduce((n, a) => n + a.reserved, 0);
  }
  const warehouse = await existing(deps, input.code);
  return {
    warehouse,
    reserved,
    message: input.enabled
      ? `倉庫 ${warehouse.name} を再開しました（待ち注文に ${reserved} 個を引当）`
      : `倉庫 ${warehouse.name} を停止しました。新しい引当はしません（引当済みの在庫はそのまま出荷できます）`,
  };
}

/** Which warehouses a store ships from; none: every enabled warehouse. */
export async function assignStoreWarehouses(
  deps: UseCaseDeps,
  input: { storeCode: string; warehouses: readonly string[] },
): Promise<{ storeCode: string; warehouses: string[]; message: string }> {
  const store = await findStore(deps.db, input.storeCode);
  if (!store) throw new RuleRefusal(`店舗 ${input.storeCode} はありません`, 'not_found');
  const codes = [...new Set(input.warehouses.map((w) => w.trim()).filter(Boolean))].sort();
  for (const c of codes)
    if (!(await warehouseExists(deps.db, c))) throw new RuleRefusal(`倉庫 ${c} はありません`, 'not_found');
  await withTransaction(deps.db, (trx) => replaceStoreWarehouses(trx, store.id, codes));
  // The store's waiting orders may reach stock they could not before.
  await allocateWaitingStock(deps, {});
  const now = await storeWarehouseCodes(deps.db, store.id);
  return {
    storeCode: store.code,
    warehouses: now,
    message: now.length
      ? `${store.name} は ${now.join('、')} から出荷します`
      : `${store.name} はすべての稼働中の倉庫から出荷します`,
  };
}

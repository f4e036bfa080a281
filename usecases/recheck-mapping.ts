// Operation: a store mapping (or a master code) for a cart code was added: the orders waiting in
// マスタなし商品 on that code take the product and run their checks again (自動確認), get stock,
// and settle. A product added to the master (storeCode null) counts for every store, since the
// master resolves cart codes as they are (db/products.ts resolveProducts).
// Idempotent: only lines still unknown are filled; only マスタなし orders move.

import { productCodesOfOrders } from '../db/order-selection.js';
import { lockOrder } from '../db/order-status.js';
import { storesWaitingOn } from '../db/product-master.js';
import { applyMappingToWaitingLines } from '../db/products.js';
import { getStore } from '../db/stores.js';
import { AUTO_CONFIRM, S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { actionContext, moveOrder } from './move-order.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

export interface RecheckMappingInput {
  /** The store whose mapping was added; null: a product code added to the master (every store). */
  storeCode: string | null;
  cartProductCode: string;
  requestedBy: string;
}

export async function recheckMapping(deps: UseCaseDeps, input: RecheckMappingInput) {
  const storeCodes =
    input.storeCode === null ? await storesWaitingOn(deps.db, input.cartProductCode) : [input.storeCode];
  const orderIds: number[] = [];
  for (const code of storeCodes) {
    const store = await getStore(deps.db, code);
    orderIds.push(...(await applyMappingToWaitingLines(deps.db, store.id, input.cartProductCode)));
  }
  orderIds.sort((a, b) => a - b);
  const ctx = await actionContext(deps.db, deps.now());
  const why =
    input.storeCode === null
      ? `商品マスタに ${input.cartProductCode} を追加`
      : `店舗別商品マスタに ${input.cartProductCode} を追加`;
  const moved: number[] = [];
  for (const id of orderIds) {
    const r = await withTransaction(deps.db, async (trx) => {
      if ((await lockOrder(trx, id))?.status_code !== S.unknownProduct) return null;
      return moveOrder(trx, id, AUTO_CONFIRM, `mapping:${input.requestedBy}`, ctx, why);
    });
    if (r?.ok) moved.push(id);
  }
  await settleAfterStockChange(deps, {
    productCodes: await productCodesOfOrders(deps.db, orderIds),
    orderIds,
  });
  return {
    store: input.storeCode,
    stores: storeCodes,
    cartProductCode: input.cartProductCode,
    ordersUpdated: orderIds.length,
    ordersMovedOn: moved.length,
  };
}

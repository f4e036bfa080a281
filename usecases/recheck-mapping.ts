// Operation: a store mapping (or a master code) for a cart code was added: the orders waiting in
// マスタなし商品 on that code take the product and run their checks again (自動確認), get stock,
// and settle. Idempotent: only lines still unknown are filled; only マスタなし orders move.

import { productCodesOfOrders } from '../db/order-selection.js';
import { lockOrder } from '../db/order-status.js';
import { applyMappingToWaitingLines } from '../db/products.js';
import { getStore } from '../db/stores.js';
import { AUTO_CONFIRM, S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { actionContext, moveOrder } from './move-order.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

export interface RecheckMappingInput {
  storeCode: string;
  cartProductCode: string;
  requestedBy: string;
}

export async function recheckMapping(deps: UseCaseDeps, input: RecheckMappingInput) {
  const store = await getStore(deps.db, input.storeCode);
  const orderIds = (await applyMappingToWaitingLines(deps.db, store.id, input.cartProductCode)).sort(
    (a, b) => a - b,
  );
  const ctx = await actionContext(deps.db, deps.now());
  const moved: number[] = [];
  for (const id of orderIds) {
    const r = await withTransaction(deps.db, async (trx) => {
      if ((await lockOrder(trx, id))?.status_code !== S.unknownProduct) return null;
      return moveOrder(
        trx,
        id,
        AUTO_CONFIRM,
        `mapping:${input.requestedBy}`,
        ctx,
        `店舗別商品マスタに ${input.cartProductCode} を追加`,
      );
    });
    if (r?.ok) moved.push(id);
  }
  await settleAfterStockChange(deps, {
    productCodes: await productCodesOfOrders(deps.db, orderIds),
    orderIds,
  });
  return {
    store: store.code,
    cartProductCode: input.cartProductCode,
    ordersUpdated: orderIds.length,
    ordersMovedOn: moved.length,
  };
}

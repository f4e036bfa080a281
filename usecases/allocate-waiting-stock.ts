// Operation: the allocation sweep. Products with waiting lines and free stock (or the products
// given) are allocated oldest order first; orders of those products that are fully held but still
// waiting (after a crash, say) move on too.
import { productsWithShortfall, waitingOrderIds } from '../db/order-selection.js';
import type { UseCaseDeps } from './deps.js';
import { settleAfterStockChange } from './settle-after-stock-change.js';

export async function allocateWaitingStock(deps: UseCaseDeps, input: { productCodes?: readonly string[] }) {
  const products = input.productCodes ?? (await productsWithShortfall(deps.db));
  const { allocated, moved } = await settleAfterStockChange(deps, {
    productCodes: products,
    orderIds: await waitingOrderIds(deps.db, products),
  });
  return {
    products: products.length,
    reserved: allocated.reduce((n, r) => n + r.reserved, 0),
    ordersMoved: moved.length,
  };
}

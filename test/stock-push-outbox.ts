// 在庫連携 in tests, the way juchu does it: the request (a product, the store's pending items, or the
// full sync) recorded in the cart-actions outbox by usecases/request-stock-push.ts, then every
// pending stock action of the store delivered by usecases/deliver-cart-action.ts (what the
// deliver-cart-action job runs), in id order. A delivery that throws (the cart failed) is kept as
// `error`; its action goes back to pending for the next call, as the job's retry would send it.
import type { CartActions } from '../carts/actions.js';
import type { Store } from '../db/stores.js';
import { type DeliverResult, deliverCartAction } from '../usecases/deliver-cart-action.js';
import type { UseCaseDeps } from '../usecases/deps.js';
import { requestStockPush, type StockPushRequest } from '../usecases/request-stock-push.js';

export interface OutboxPush {
  request: StockPushRequest;
  delivered: DeliverResult[];
  /** The first delivery's failure, if any. */
  error: string | null;
}

export async function pushThroughOutbox(
  deps: UseCaseDeps & { actionsFor: (store: Store) => Promise<CartActions> },
  input: { storeCode: string; productCodes?: string[]; full?: boolean; retryRefused?: boolean },
): Promise<OutboxPush> {
  const request = await requestStockPush(deps, { ...input, actor: 'test' });
  return { request, ...(await deliverPendingStock(deps, input.storeCode)) };
}

/** Delivers the store's pending stock actions (the import and the stock operations record them). */
export async function deliverPendingStock(
  deps: UseCaseDeps & { actionsFor: (store: Store) => Promise<CartActions> },
  storeCode: string,
): Promise<{ delivered: DeliverResult[]; error: string | null }> {
  const ids = await deps.db
    .selectFrom('cart_actions as a')
    .innerJoin('stores as s', 's.id', 'a.store_id')
    .select('a.id')
    .where('s.code', '=', storeCode)
    .where('a.kind', '=', 'stock')
    .where('a.state', '=', 'pending')
    .orderBy('a.id')
    .execute();
  const delivered: DeliverResult[] = [];
  let error: string | null = null;
  for (const { id } of ids)
    try {
      delivered.push(await deliverCartAction(deps, { actionId: id, final: false, retryAt: deps.now() }));
    } catch (e) {
      error ??= e instanceof Error ? e.message : String(e);
    }
  return { delivered, error };
}

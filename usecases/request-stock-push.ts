// Operation: 在庫連携 asked for now — an operator's 「この商品の在庫を今すぐ連携」 (one product, or a
// whole store's items that the cart does not show yet) and the scheduled full sync. Neither sends
// here: both record `stock` actions in the cart-actions outbox in one transaction, and the delivery
// job (deliver-cart-action → sendStockActions) sends them after commit, in the cart's batches and
// through the store's shared limiter, like every other stock change. So a manual push and a change
// at the same moment coalesce into one pending action, and a push whose job is lost is sent by the
// outbox sweep. The full sync first re-reads the cart (readStock, through the same limiter; no
// transaction is open during the call), then records the drift and the actions together.
import type { CartActions } from '../carts/actions.js';
import {
  pendingPushes,
  recordDrift,
  recordStockActions,
  recordWanted,
  storeFreeQuantities,
} from '../db/stock-push.js';
import { getStore, type Store } from '../db/stores.js';
import { itemKey } from '../domain/free-quantity.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';

export interface StockPushRequestDeps extends CartActionDeps {
  /** Needed by the full sync only (it reads the cart's quantities). */
  actionsFor?: (store: Store) => Promise<CartActions>;
}

export interface StockPushRequest {
  store: string;
  /** False: the store's push is off; nothing was recorded. */
  enabled: boolean;
  /** Outbox actions recorded (new or touched pending ones), one per store × product. */
  actions: number;
  /** Items the full sync read from the cart, and those whose quantity was off what juchu pushed. */
  read: number;
  drifted: number;
  /** False: a delivery job could not be added now (the outbox sweep enqueues it within a minute). */
  enqueued: boolean;
  message: string;
}

export async function requestStockPush(
  deps: StockPushRequestDeps,
  input: {
    storeCode: string;
    productCodes?: string[];
    full?: boolean;
    retryRefused?: boolean;
    actor: string;
  },
): Promise<StockPushRequest> {
  const store = await getStore(deps.db, input.storeCode);
  const base = { store: store.code, enabled: store.settings.stockPush, actions: 0, read: 0, drifted: 0 };
  if (!store.settings.stockPush)
    return {
      ...base,
      enqueued: true,
      message: `${store.name} は在庫連携がオフです（ストア設定 stockPush）。送信内容はドライランで確認できます`,
    };
  const products = input.full ? undefined : input.productCodes?.map((c) => c.trim()).filter(Boolean);
  const levels = await storeFreeQuantities(deps.db, store, products);
  if (products && levels.length === 0)
    throw new RuleRefusal(
      `${store.name}: ${products.join(', ')} はこのストアで販売している商品コードがありません`,
      'not_found',
    );

  let read: Map<string, number> | null = null;
  if (input.full) {
    if (!deps.actionsFor) throw new Error('the full sync needs actionsFor (it reads the cart)');
    const actions = await deps.actionsFor(store);
    if (actions.readStock && levels.length > 0) read = await actions.readStock(levels);
  }

  const r = await withTransaction(deps.db, async (trx) => {
    const now = deps.now();
    await recordWanted(trx, store.id, levels, now);
    const drifted = read
      ? await recordDrift(
          trx,
          store.id,
          levels
            .filter((l) => read.has(itemKey(l)))
            .map((l) => ({ ...l, cartQuantity: read.get(itemKey(l))! })),
          now,
        )
      : 0;
    // One product asked for: send it even if juchu thinks the cart shows it (the delivery still
    // skips an item whose last accepted push is the same number). A store: only what differs.
    const codes = products
      ? products
      : (await pendingPushes(trx, store.id, { retryRefused: input.retryRefused, limit: 1_000_000 })).map(
          (p) => p.productCode,
        );
    const ids = await recordStockActions(trx, codes, { now, actor: input.actor, storeId: store.id });
    return { ids, drifted };
  });
  const enqueued = await enqueueCartActions(
    deps.queues,
    r.ids.map((id) => ({ id })),
  );
  const what = products ? products.join(', ') : '店舗の全商品';
  return {
    ...base,
    actions: r.ids.length,
    read: read?.size ?? 0,
    drifted: r.drifted,
    enqueued,
    message:
      r.ids.length === 0
        ? `${store.name}: ${what}はカートに送信済みの在庫数と同じです。送る商品はありません${input.full ? `（差異 ${r.drifted} 件）` : ''}`
        : `${store.name}: ${what}の在庫連携を ${r.ids.length} 件登録しました${input.full ? `（カートとの差異 ${r.drifted} 件）` : ''}。順に送信します`,
  };
}

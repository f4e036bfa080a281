// Operation: 安全在庫 per store × product (在庫連携). Units the store keeps back of a product: its
// free quantity minus these is what the cart may sell. A product without its own falls back to the
// store's default (`settings.stockSafety`). Checked (the store, the product, a whole number 0–
// 1,000,000) before anything is written; the change and the store's `stock` action for the product
// are one transaction, and its delivery job is enqueued after commit (so the cart shows the new
// number without waiting for the full sync). Screen and CLI both call this.
import { recordStockActions, setStoreSafety, storeSafetyList } from '../db/stock-push.js';
import { findStore, type Store } from '../db/stores.js';
import { parseSafetyStock } from '../domain/free-quantity.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';

export interface StockSafetyList {
  store: Pick<Store, 'code' | 'name' | 'cart'>;
  /** On/off of the store's push (the numbers matter only when on). */
  enabled: boolean;
  /** The store's default for products without their own. */
  defaultQuantity: number;
  items: Array<{ productCode: string; productName: string | null; quantity: number }>;
}

async function storeOf(deps: UseCaseDeps, code: string): Promise<Store> {
  const store = await findStore(deps.db, code.trim());
  if (!store) throw new RuleRefusal(`店舗 ${code} はありません`, 'not_found');
  return store;
}

export async function listStockSafety(
  deps: UseCaseDeps,
  input: { storeCode: string },
): Promise<StockSafetyList> {
  const store = await storeOf(deps, input.storeCode);
  const rows = await storeSafetyList(deps.db, store.id);
  const names = new Map(
    rows.length
      ? (
          await deps.db
            .selectFrom('products')
            .select(['code', 'name'])
            .where(
              'code',
              'in',
              rows.map((r) => r.productCode),
            )
            .execute()
        ).map((p) => [p.code, p.name])
      : [],
  );
  return {
    store: { code: store.code, name: store.name, cart: store.cart },
    enabled: store.settings.stockPush,
    defaultQuantity: store.settings.stockSafety,
    items: rows.map((r) => ({ ...r, productName: names.get(r.productCode) ?? null })),
  };
}

export interface SavedStockSafety {
  storeCode: string;
  productCode: string;
  /** Null: removed (the store's default applies). */
  quantity: number | null;
  message: string;
}

/** Sets (or, with an empty value / null, removes) one product's safety stock at one store. */
export async function setStockSafety(
  deps: CartActionDeps,
  input: { storeCode: string; productCode: string; quantity: unknown; actor: string },
): Promise<SavedStockSafety> {
  const store = await storeOf(deps, input.storeCode);
  const productCode = input.productCode.trim();
  if (!productCode) throw new RuleRefusal('商品コードを入力してください', 'invalid');
  const product = await deps.db
    .selectFrom('products')
    .select(['code', 'name'])
    .where('code', '=', productCode)
    .executeTakeFirst();
  if (!product) throw new RuleRefusal(`商品コード ${productCode} は商品マスタにありません`, 'not_found');
  const parsed = parseSafetyStock(input.quantity);
  if (!parsed.ok) throw new RuleRefusal(parsed.message, 'invalid_quantity');
  const ids = await withTransaction(deps.db, async (trx) => {
    await setStoreSafety(trx, store.id, productCode, parsed.quantity);
    return recordStockActions(trx, [productCode], { now: deps.now(), actor: input.actor, storeId: store.id });
  });
  await enqueueCartActions(
    deps.queues,
    ids.map((id) => ({ id })),
  );
  const push = store.settings.stockPush ? '' : '（在庫連携はオフのため、カートには送信しません）';
  return {
    storeCode: store.code,
    productCode,
    quantity: parsed.quantity,
    message:
      parsed.quantity === null
        ? `${store.name}: ${product.name}（${productCode}）の安全在庫を解除しました。店舗の既定値 ${store.settings.stockSafety} 個を使います${push}`
        : `${store.name}: ${product.name}（${productCode}）の安全在庫を ${parsed.quantity} 個にしました${push}`,
  };
}

// 在庫連携 (issue 17): push each store's free quantity to its cart, absolute values only.
//
// `planStockPush` is the dry run: what every item of the store should show, and which of those the
// cart does not show yet (never pushed, another number, a failure). Nothing is written or sent.
// `sendStockActions` is the delivery of the outbox's stock actions (request-stock-push.ts records
// them; deliver-cart-action.ts claims and calls it): it records the wanted numbers, sends what the
// cart does not show yet in the cart's batches, and records each answer. A store whose push is off
// sends nothing (the dry run still shows what would go).
import {
  type ActionOutcome,
  type CartActions,
  refused,
  type StockLevel,
  stockKey,
} from '../carts/actions.js';
import type { CartActionRow } from '../db/cart-actions.js';
import {
  type PushResult,
  type PushStateRow,
  pushStateOf,
  recordPushResults,
  recordWanted,
  storeFreeQuantities,
} from '../db/stock-push.js';
import { getStore, type Store } from '../db/stores.js';
import type { FreeQuantity } from '../domain/free-quantity.js';
import { itemKey } from '../domain/free-quantity.js';
import type { UseCaseDeps } from './deps.js';

export interface PlannedItem extends FreeQuantity {
  /** What juchu last pushed (null: never), and whether the cart accepted it. */
  lastPushed: number | null;
  lastOutcome: PushStateRow['outcome'];
  /** True when this push would send the item. */
  changes: boolean;
}

export interface StockPushPlan {
  store: Pick<Store, 'code' | 'name' | 'cart'>;
  enabled: boolean;
  items: PlannedItem[];
}

/** The dry run: what would be pushed to one store now (`productCodes`: only those products' items). */
export async function planStockPush(
  deps: UseCaseDeps,
  input: { storeCode: string; productCodes?: string[] },
): Promise<StockPushPlan> {
  const store = await getStore(deps.db, input.storeCode);
  const levels = await storeFreeQuantities(deps.db, store, input.productCodes);
  const state = new Map(
    (await pushStateOf(deps.db, { storeId: store.id, limit: 1_000_000 })).map((s) => [itemKey(s), s]),
  );
  return {
    store: { code: store.code, name: store.name, cart: store.cart },
    enabled: store.settings.stockPush,
    items: levels.map((l) => {
      const s = state.get(itemKey(l));
      return {
        ...l,
        lastPushed: s?.pushedQuantity ?? null,
        lastOutcome: s?.outcome ?? null,
        changes: s?.pushedQuantity !== l.quantity || s?.outcome === 'failed',
      };
    }),
  };
}

// ─── Delivery of the outbox's stock actions (usecases/deliver-cart-action.ts) ──────────────────────

const productOf = (row: Pick<CartActionRow, 'payload'>) =>
  String((row.payload as Record<string, unknown>).productCode ?? '');

/**
 * Sends the stock actions of one store (claimed, the lead and its batch mates): each action names a
 * product; its cart items' quantities are computed now (absolute, from the stock as it is when the
 * action is delivered, so a burst of changes sends the final number once), recorded as wanted in
 * stock_push_state (the stock screen and /metrics), and sent in the cart's batches — except items
 * whose last accepted push is the same number. Returns an outcome per action: refused when the cart
 * refused one of its items (the screen shows which), done otherwise. A cart failure throws (the
 * delivery job retries); the items' failures are recorded first.
 */
export async function sendStockActions(
  deps: UseCaseDeps,
  store: Store,
  actions: CartActions,
  rows: readonly CartActionRow[],
): Promise<Map<number, ActionOutcome>> {
  const out = new Map<number, ActionOutcome>();
  if (!store.settings.stockPush) {
    for (const r of rows)
      out.set(r.id, { status: 'done', answer: '在庫連携がオフのストアのため、送信しませんでした' });
    return out;
  }
  if (!actions.setStock) {
    for (const r of rows)
      out.set(
        r.id,
        refused('UNSUPPORTED', `${store.name}: このカートには在庫を送る API がないため、送信しませんでした`),
      );
    return out;
  }
  const now = deps.now();
  const products = [...new Set(rows.map(productOf))].filter(Boolean);
  const levels = await storeFreeQuantities(deps.db, store, products, { withSets: false });
  await recordWanted(deps.db, store.id, levels, now);
  const state = new Map(
    (await pushStateOf(deps.db, { storeId: store.id, productCodes: products, limit: 1_000_000 })).map((s) => [
      itemKey(s),
      s,
    ]),
  );
  const answers = new Map<string, ActionOutcome>();
  const send: StockLevel[] = [];
  for (const l of levels) {
    const s = state.get(itemKey(l));
    if (s?.outcome === 'accepted' && s.pushedQuantity === l.quantity)
      answers.set(itemKey(l), {
        status: 'already',
        answer: `在庫数 ${l.quantity}（送信済みのため再送なし）`,
      });
    else
      send.push({
        cartProductCode: l.cartProductCode,
        cartOptionCode: l.cartOptionCode,
        quantity: l.quantity,
      });
  }
  const batch = Math.max(1, actions.stockBatch ?? 1);
  for (let i = 0; i < send.length; i += batch) {
    const chunk = send.slice(i, i + batch);
    let got: Map<string, ActionOutcome>;
    try {
      got = await actions.setStock(chunk);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await recordPushResults(
        deps.db,
        store.id,
        chunk.map((l) => ({ ...l, outcome: 'failed' as const, answer: message })),
        now,
      );
      throw e;
    }
    const results: PushResult[] = chunk.map((l) => {
      const a = got.get(stockKey(l)) ?? refused('NO_ANSWER', 'カートの応答にこの商品がありません');
      answers.set(stockKey(l), a);
      return { ...l, outcome: a.status === 'refused' ? 'refused' : 'accepted', answer: a.answer };
    });
    await recordPushResults(deps.db, store.id, results, now);
  }
  for (const r of rows) {
    const items = levels.filter((l) => l.productCode === productOf(r));
    if (items.length === 0) {
      out.set(r.id, {
        status: 'done',
        answer: `${productOf(r)}: このストアで販売している商品コードがありません`,
      });
      continue;
    }
    const said = items.map((l) => ({ key: itemKey(l), a: answers.get(itemKey(l))! }));
    const bad = said.find((x) => x.a.status === 'refused');
    out.set(
      r.id,
      bad
        ? { ...bad.a, answer: `${bad.key}: ${bad.a.answer}` }
        : {
            status: 'done',
            answer: said
              .map((x) => `${x.key}: ${x.a.answer}`)
              .join(' / ')
              .slice(0, 4000),
          },
    );
  }
  return out;
}

// Shopify 在庫 (issue 17): `inventorySetQuantities` (GraphQL Admin) with `changeFromQuantity`
// (compare-and-set: required on every quantity from 2026-04; a mismatch fails with
// CHANGE_FROM_QUANTITY_STALE) and `@idempotent(key:)` (mandatory for inventory mutations from
// 2026-04), name "available", reason "correction", at the store's location [V: shopify.dev mutation,
// changelogs; reference §2.5(b)]. Shopify: "only use this mutation if calling on behalf of a system
// that acts as the source of truth for inventory quantities" — juchu's free stock is that.
// SKU → inventoryItemId and the current available quantity (the compare value) come from one
// `productVariants(query: "sku:…")` read per batch. A stale compare (someone sold or counted in
// between) is read again and sent once more; still stale, it waits for the next push.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ActionOutcome, type CartActions, type StockLevel, stockKey } from '../actions.js';
import { CartRequestError } from '../errors.js';
import type { ShopifyGraphqlOrders } from './graphql.js';

export const STOCK_LEVELS_QUERY = `query JuchuStockLevels($query: String!, $location: ID!, $first: Int!) {
  productVariants(first: $first, query: $query) {
    nodes { sku inventoryItem { id inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } } } }
  }
}`;

export const INVENTORY_SET = `mutation JuchuInventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}`;

/** Quantities per call (juchu's choice; Shopify documents a cap on the input list [I: 250]). */
export const SHOPIFY_STOCK_BATCH = 100;

export const shopifyStockSettingsSchema = z.object({
  /** The location juchu's free stock is set at (`gid://shopify/Location/…`). */
  locationId: z
    .string()
    .regex(/^gid:\/\/shopify\/Location\/\d+$/)
    .optional(),
});

interface Variant {
  inventoryItemId: string;
  available: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class ShopifyStock {
  readonly stockBatch = SHOPIFY_STOCK_BATCH;
  private readonly locationId: string | undefined;
  constructor(
    private readonly gql: () => ShopifyGraphqlOrders,
    settings: Record<string, unknown> | undefined,
  ) {
    const p = shopifyStockSettingsSchema.safeParse(settings ?? {});
    if (!p.success)
      throw new CartRequestError(`shopify settings: locationId: ${p.error.issues[0]!.message}`, 'shopify');
    this.locationId = p.data.locationId;
  }

  private skuOf(l: Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>): string {
    return l.cartOptionCode ? `${l.cartProductCode}-${l.cartOptionCode}` : l.cartProductCode;
  }

  /** The variants of these SKUs at the location: inventory item and available quantity. */
  async variants(skus: string[]): Promise<Map<string, Variant>> {
    const out = new Map<string, Variant>();
    if (!this.locationId || skus.length === 0) return out;
    const query = skus.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ');
    const data = await this.gql().run('graphqlStockLevels', STOCK_LEVELS_QUERY, {
      query,
      location: this.locationId,
      first: Math.min(250, skus.length * 2),
    });
    const nodes =
      isObj(data) && isObj(data.productVariants) && Array.isArray(data.productVariants.nodes)
        ? data.productVariants.nodes
        : [];
    for (const n of nodes.filter(isObj)) {
      const item = isObj(n.inventoryItem) ? n.inventoryItem : null;
      if (typeof n.sku !== 'string' || !item || typeof item.id !== 'string') continue;
      const level = isObj(item.inventoryLevel) ? item.inventoryLevel : null;
      const q = Array.isArray(level?.quantities)
        ? level.quantities.filter(isObj).find((x) => x.name === 'available')
        : undefined;
      out.set(n.sku, {
        inventoryItemId: item.id,
        available: typeof q?.quantity === 'number' ? q.quantity : null,
      });
    }
    return out;
  }

  async setStock(levels: StockLevel[]): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    if (!this.locationId) {
      for (const l of levels)
        out.set(stockKey(l), {
          status: 'refused',
          code: 'NO_LOCATION',
          answer:
            'Shopify の在庫更新にはロケーションIDが必要です。ストア設定の locationId（gid://shopify/Location/…）に登録してください。',
        });
      return out;
    }
    let pending = levels;
    for (let attempt = 0; attempt < 2 && pending.length; attempt++) {
      const variants = await this.variants(pending.map((l) => this.skuOf(l)));
      const send: Array<{ level: StockLevel; v: Variant }> = [];
      for (const l of pending) {
        const v = variants.get(this.skuOf(l));
        if (!v)
          out.set(stockKey(l), {
            status: 'refused',
            code: 'UNKNOWN_SKU',
            answer: `Shopify に SKU「${this.skuOf(l)}」の商品がありません`,
          });
        else send.push({ level: l, v });
      }
      if (send.length === 0) break;
      const data = await this.gql().run('graphqlInventorySet', INVENTORY_SET, {
        key: randomUUID(),
        input: {
          name: 'available',
          reason: 'correction',
          referenceDocumentUri: 'juchu://stock/free',
          quantities: send.map(({ level, v }) => ({
            inventoryItemId: v.inventoryItemId,
            locationId: this.locationId,
            quantity: Math.max(0, level.quantity),
            changeFromQuantity: v.available,
          })),
        },
      });
      const payload = isObj(data) && isObj(data.inventorySetQuantities) ? data.inventorySetQuantities : {};
      const errors = Array.isArray(payload.userErrors) ? payload.userErrors.filter(isObj) : [];
      if (errors.length === 0) {
        for (const { level, v } of send)
          out.set(stockKey(level), {
            status: 'done',
            answer: `available ${v.available ?? '?'} → ${Math.max(0, level.quantity)}（inventorySetQuantities）`,
          });
        pending = [];
        break;
      }
      // The mutation applies all or nothing: a stale compare value is read again once.
      const stale = errors.every((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE');
      if (stale && attempt === 0) {
        pending = send.map((s) => s.level);
        continue;
      }
      const msg = errors.map((e) => `${String(e.code ?? '')} ${String(e.message ?? '')}`.trim()).join('; ');
      for (const { level } of send)
        out.set(
          stockKey(level),
          stale
            ? {
                status: 'refused',
                code: 'CHANGE_FROM_QUANTITY_STALE',
                answer: `Shopify の在庫が送信中に変わりました。次の連携で送り直します: ${msg}`,
              }
            : {
                status: 'refused',
                code: String(errors[0]!.code ?? 'USER_ERROR'),
                answer: `Shopify が在庫を受け付けませんでした: ${msg}`,
              },
        );
      pending = [];
    }
    return out;
  }

  async readStock(
    items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < items.length; i += SHOPIFY_STOCK_BATCH) {
      const chunk = items.slice(i, i + SHOPIFY_STOCK_BATCH);
      const v = await this.variants(chunk.map((l) => this.skuOf(l)));
      for (const l of chunk) {
        const q = v.get(this.skuOf(l))?.available;
        if (typeof q === 'number') out.set(stockKey(l), q);
      }
    }
    return out;
  }
}

export function withShopifyStock<A extends CartActions>(
  actions: A,
  gql: () => ShopifyGraphqlOrders,
  settings: Record<string, unknown> | undefined,
): A {
  const stock = new ShopifyStock(gql, settings);
  return Object.assign(actions, {
    stockBatch: stock.stockBatch,
    setStock: (levels: StockLevel[]) => stock.setStock(levels),
    readStock: (items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>) =>
      stock.readStock(items),
  });
}

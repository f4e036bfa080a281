// The Shopify simulator's inventory: `productVariants(query: "sku:…")` with each variant's
// inventory item and its `available` quantity at the simulated location, and the
// `inventorySetQuantities` mutation as shopify.dev describes it from 2026-04: `@idempotent(key:)`
// required (a repeated key answers the first result without applying again), input name
// `available`/`on_hand`, a reason, and on every quantity `changeFromQuantity` (explicit null opts
// out); a compare value that differs from the current one fails the whole mutation with
// CHANGE_FROM_QUANTITY_STALE and applies nothing [V]. It keeps each catalog item's sellable
// quantity (the order book's stock), so a customer cannot buy at 0. Message wording is ours [I].
import { CATALOG } from '../sim/catalog.js';
import type { OrderBook } from '../sim/kit.js';
import { simStockKey } from '../sim/kit.js';
import { argValue, type GqlField } from './graphql-query.js';
import { MutationArgumentError } from './simulator-writes.js';

type Json = Record<string, unknown>;
export const SIM_LOCATION_ID = 'gid://shopify/Location/70000000001';
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function shopifyStock(book: OrderBook) {
  // SKU (render.ts: the catalog cart code) → inventory item id and stock key.
  const items = CATALOG.map((p, i) => ({
    sku: p.cartCode,
    key: simStockKey(p),
    itemId: `gid://shopify/InventoryItem/${44_000_000_000 + i}`,
  }));
  const byItem = new Map(items.map((x) => [x.itemId, x]));
  const seenKeys = new Map<string, Json>();
  const available = (key: string) => book.stock.get(key) ?? 0;

  const productVariants = (f: GqlField, vars: Json): Json => {
    const q = String(argValue(f.args.query, vars) ?? '');
    const wanted = new Set([...q.matchAll(/sku:(?:"([^"]*)"|(\S+))/g)].map((m) => m[1] ?? m[2]!));
    return {
      __typename: 'ProductVariantConnection',
      nodes: items
        .filter((x) => wanted.size === 0 || wanted.has(x.sku))
        .map((x) => ({
          __typename: 'ProductVariant',
          sku: x.sku,
          inventoryItem: {
            __typename: 'InventoryItem',
            id: x.itemId,
            inventoryLevel: {
              __typename: 'InventoryLevel',
              quantities: [
                { __typename: 'InventoryQuantity', name: 'available', quantity: available(x.key) },
              ],
            },
          },
        })),
    };
  };

  const inventorySetQuantities = (f: GqlField, vars: Json): Json => {
    const keyArg = f.directives?.idempotent?.key;
    const key = keyArg ? argValue(keyArg, vars) : undefined;
    if (typeof key !== 'string' || key === '')
      throw new MutationArgumentError(
        'The @idempotent directive is required for this mutation (idempotency key missing).',
      );
    const seen = seenKeys.get(key);
    if (seen) return seen;
    const input = argValue(f.args.input, vars);
    const fail = (field: string[], message: string, code: string): Json => ({
      __typename: 'InventorySetQuantitiesPayload',
      inventoryAdjustmentGroup: null,
      userErrors: [{ __typename: 'InventorySetQuantitiesUserError', field, message, code }],
    });
    if (!isObj(input))
      throw new MutationArgumentError(
        'Variable $input of type InventorySetQuantitiesInput! was not provided.',
      );
    if (input.name !== 'available' && input.name !== 'on_hand')
      return fail(['input', 'name'], 'The quantity name must be available or on_hand.', 'INVALID_NAME');
    if (typeof input.reason !== 'string' || !input.reason)
      return fail(['input', 'reason'], 'A reason is required.', 'INVALID_REASON');
    const qs = Array.isArray(input.quantities) ? input.quantities.filter(isObj) : [];
    if (qs.length === 0)
      return fail(['input', 'quantities'], 'At least one quantity is required.', 'INVALID_QUANTITY');
    const changes: Array<{ key: string; before: number; after: number }> = [];
    for (const [i, q] of qs.entries()) {
      const item = byItem.get(String(q.inventoryItemId));
      if (!item)
        return fail(
          ['input', 'quantities', String(i), 'inventoryItemId'],
          'The inventory item could not be found.',
          'INVALID_INVENTORY_ITEM',
        );
      if (q.locationId !== SIM_LOCATION_ID)
        return fail(
          ['input', 'quantities', String(i), 'locationId'],
          'The location could not be found.',
          'INVALID_LOCATION',
        );
      if (typeof q.quantity !== 'number' || !Number.isInteger(q.quantity))
        return fail(
          ['input', 'quantities', String(i), 'quantity'],
          'The quantity must be an integer.',
          'INVALID_QUANTITY',
        );
      if (!('changeFromQuantity' in q))
        return fail(
          ['input', 'quantities', String(i), 'changeFromQuantity'],
          'changeFromQuantity is required (pass null to opt out).',
          'INVALID_QUANTITY',
        );
      const before = available(item.key);
      if (q.changeFromQuantity !== null && q.changeFromQuantity !== before)
        return fail(
          ['input', 'quantities', String(i), 'changeFromQuantity'],
          `The compare quantity (${String(q.changeFromQuantity)}) does not match the current quantity (${before}).`,
          'CHANGE_FROM_QUANTITY_STALE',
        );
      changes.push({ key: item.key, before, after: q.quantity });
    }
    for (const c of changes) book.stock.set(c.key, c.after);
    const result: Json = {
      __typename: 'InventorySetQuantitiesPayload',
      inventoryAdjustmentGroup: {
        __typename: 'InventoryAdjustmentGroup',
        id: `gid://shopify/InventoryAdjustmentGroup/${Date.now()}`,
        changes: changes.map((c) => ({
          __typename: 'InventoryChange',
          name: String(input.name),
          delta: c.after - c.before,
          quantityAfterChange: c.after,
        })),
      },
      userErrors: [],
    };
    seenKeys.set(key, result);
    return result;
  };

  return { productVariants, inventorySetQuantities };
}

// 在庫連携: the quantity each store may sell of each of its cart items (free quantity). Pure.
//
// For one store × product: free = Σ max(0, on hand − reserved) over the enabled warehouses the store
// ships from (a set: the minimum over its components of floor(free ÷ quantity), each component over
// those warehouses), then minus the safety stock (the product's own for this store, else the store's
// default), then the store's share (`ratio`, rounded down), in product units. Each cart item mapped to
// the product (several cart codes or options may be) gets floor(that ÷ units per cart unit), at most
// the store's `cap` (cart units: what the cart shows). Never below zero; an inactive product is 0.
import { z } from 'zod';
import { freeSets, type SetComponent } from './sets.js';

/** The stock push settings of a store (stores.settings, through domain/store-settings.ts). */
export const stockPushSettingsSchema = z.object({
  /** Push free stock to the cart. Off for a store until an admin turns it on (after a dry run). */
  stockPush: z.boolean().default(false),
  /** Units kept back at this store for every product without its own safety stock. */
  stockSafety: z.number().int().min(0).max(1_000_000).default(0),
  /** This store's share of the free stock (0–1): 0.5 shows half of it. */
  stockRatio: z.number().min(0).max(1).default(1),
  /** At most this many shown at the cart per item (cart units); null: no cap. */
  stockCap: z.number().int().min(0).max(999_999_999).nullable().default(null),
  /** Also push products under their own code where the store has no mapping for them. */
  stockPushOwnCodes: z.boolean().default(true),
  /** The full sync: re-read the cart where it can, record drift, send what differs (cron, Asia/Tokyo). */
  stockFullSyncCron: z.string().default('15 4 * * *'),
});

export type StockPushSettings = z.infer<typeof stockPushSettingsSchema>;

/** The most units a safety stock may keep back (the store default's limit too). */
export const MAX_SAFETY_STOCK = 1_000_000;

/**
 * A safety stock as an operator typed it (screen, CLI): a whole number of units 0–1,000,000 (full-
 * width digits too); empty or null: none of its own (the store's default `stockSafety` applies).
 */
export function parseSafetyStock(
  value: unknown,
): { ok: true; quantity: number | null } | { ok: false; message: string } {
  if (value === null || value === undefined) return { ok: true, quantity: null };
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : null;
  if (text === null) return { ok: false, message: '安全在庫は 0 以上の整数で入力してください' };
  const t = text.normalize('NFKC').trim().replace(/,/g, '');
  if (t === '') return { ok: true, quantity: null };
  if (!/^\d+$/.test(t))
    return {
      ok: false,
      message: `安全在庫「${text}」は 0 以上の整数で入力してください（小数・マイナスは不可）`,
    };
  const n = Number(t);
  if (n > MAX_SAFETY_STOCK)
    return { ok: false, message: `安全在庫は ${MAX_SAFETY_STOCK.toLocaleString('ja-JP')} 個までです` };
  return { ok: true, quantity: n };
}

export const DEFAULT_STOCK_PUSH: StockPushSettings = stockPushSettingsSchema.parse({});

export interface WarehouseLevel {
  productCode: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  /** A disabled warehouse ships nothing: its stock is not sellable. */
  enabled: boolean;
}

/** One cart item the store sells a product under (a store product mapping, or the product's own code). */
export interface CartItem {
  cartProductCode: string;
  cartOptionCode: string | null;
  productCode: string;
  unitsPerCartUnit: number;
}

export interface ProductFacts {
  active: boolean;
  /** Components when the product is a set (セット商品), else null. */
  components: readonly SetComponent[] | null;
}

export interface FreeQuantityInput {
  /** Stock rows of the products and of every set's components. */
  levels: readonly WarehouseLevel[];
  /** Warehouses the store ships from; empty: every enabled warehouse. */
  shipsFrom: ReadonlySet<string>;
  settings: Pick<StockPushSettings, 'stockSafety' | 'stockRatio' | 'stockCap'>;
  /** Safety stock per product for this store (overrides `stockSafety`). */
  safety: ReadonlyMap<string, number>;
  products: ReadonlyMap<string, ProductFacts>;
}

/** What a store's cart item should show, and how it came about (the dry run and the screen show it). */
export interface FreeQuantity extends CartItem {
  /** Free units of the product (sets: whole sets) over the store's warehouses. */
  free: number;
  safety: number;
  /** The quantity to send to the cart (cart units, absolute). */
  quantity: number;
}

/** Free units of one plain product over the warehouses the store ships from. */
export function freeUnits(
  productCode: string,
  levels: readonly WarehouseLevel[],
  shipsFrom: ReadonlySet<string>,
): number {
  let n = 0;
  for (const l of levels)
    if (l.productCode === productCode && l.enabled && (shipsFrom.size === 0 || shipsFrom.has(l.warehouse)))
      n += Math.max(0, l.onHand - l.reserved);
  return n;
}

/** Free units of a product (plain or set) for the store, before safety stock and share. */
export function freeOfProduct(
  productCode: string,
  facts: ProductFacts | undefined,
  levels: readonly WarehouseLevel[],
  shipsFrom: ReadonlySet<string>,
): number {
  if (!facts?.active) return 0;
  if (facts.components?.length) return freeSets(facts.components, (c) => freeUnits(c, levels, shipsFrom));
  return freeUnits(productCode, levels, shipsFrom);
}

/** From free units to the cart quantity of one item: safety, share, units per cart unit, cap. */
export function cartQuantity(
  free: number,
  safety: number,
  unitsPerCartUnit: number,
  settings: Pick<StockPushSettings, 'stockRatio' | 'stockCap'>,
): number {
  const sellable = Math.max(0, free - Math.max(0, safety));
  // A tiny epsilon keeps 0.3 × 10 at 3 (floating point gives 2.9999…).
  const share = Math.floor(sellable * settings.stockRatio + 1e-9);
  const units = Math.max(1, Math.trunc(unitsPerCartUnit));
  const q = Math.floor(share / units);
  return settings.stockCap === null ? q : Math.min(q, settings.stockCap);
}

/** Every cart item's quantity for one store (order of `items` kept). */
export function freeQuantities(items: readonly CartItem[], input: FreeQuantityInput): FreeQuantity[] {
  const freeCache = new Map<string, number>();
  return items.map((item) => {
    let free = freeCache.get(item.productCode);
    if (free === undefined) {
      free = freeOfProduct(
        item.productCode,
        input.products.get(item.productCode),
        input.levels,
        input.shipsFrom,
      );
      freeCache.set(item.productCode, free);
    }
    const safety = input.safety.get(item.productCode) ?? input.settings.stockSafety;
    return {
      ...item,
      free,
      safety,
      quantity: cartQuantity(free, safety, item.unitsPerCartUnit, input.settings),
    };
  });
}

/**
 * The cart items a store sells: its mappings (a mapping for any option, stored as '', is the item
 * without an option) and, with `ownCodes`, each product under its own code where no mapping of the
 * store already names that code. Deduplicated by cart code and option.
 */
export function cartItemsOf(
  mappings: ReadonlyArray<{
    cartProductCode: string;
    cartOptionCode: string;
    productCode: string;
    unitsPerCartUnit: number;
  }>,
  productCodes: readonly string[],
  ownCodes: boolean,
): CartItem[] {
  const out = new Map<string, CartItem>();
  for (const m of mappings) {
    const item = {
      cartProductCode: m.cartProductCode,
      cartOptionCode: m.cartOptionCode || null,
      productCode: m.productCode,
      unitsPerCartUnit: m.unitsPerCartUnit,
    };
    out.set(itemKey(item), item);
  }
  if (ownCodes) {
    const mappedCodes = new Set(mappings.map((m) => m.cartProductCode));
    for (const p of productCodes)
      if (!mappedCodes.has(p))
        out.set(p, { cartProductCode: p, cartOptionCode: null, productCode: p, unitsPerCartUnit: 1 });
  }
  return [...out.values()];
}

/** `code` or `code:option`, as carts/actions.ts stockKey. */
export function itemKey(item: Pick<CartItem, 'cartProductCode' | 'cartOptionCode'>): string {
  return item.cartOptionCode ? `${item.cartProductCode}:${item.cartOptionCode}` : item.cartProductCode;
}

/**
 * The products whose free quantity may change when these products' stock changes: themselves and
 * the sets that have any of them among their components.
 */
export function affectedProducts(
  changed: Iterable<string>,
  setsByComponent: ReadonlyMap<string, readonly string[]>,
): string[] {
  const out = new Set<string>();
  for (const p of changed) {
    out.add(p);
    for (const s of setsByComponent.get(p) ?? []) out.add(s);
  }
  return [...out].sort();
}

import { describe, expect, it } from 'vitest';
import {
  affectedProducts,
  type CartItem,
  cartItemsOf,
  cartQuantity,
  DEFAULT_STOCK_PUSH,
  type FreeQuantityInput,
  freeQuantities,
  freeUnits,
  type ProductFacts,
  parseSafetyStock,
  stockPushSettingsSchema,
  type WarehouseLevel,
} from './free-quantity.js';
import { parseStoreSettings } from './store-settings.js';

const lv = (
  productCode: string,
  warehouse: string,
  onHand: number,
  reserved = 0,
  enabled = true,
): WarehouseLevel => ({
  productCode,
  warehouse,
  onHand,
  reserved,
  enabled,
});
const item = (
  cartProductCode: string,
  productCode = cartProductCode,
  unitsPerCartUnit = 1,
  cartOptionCode: string | null = null,
): CartItem => ({
  cartProductCode,
  cartOptionCode,
  productCode,
  unitsPerCartUnit,
});
const plain = { active: true, components: null };

function input(over: Partial<FreeQuantityInput> = {}): FreeQuantityInput {
  return {
    levels: [
      lv('TEA', 'tokyo', 10, 3),
      lv('TEA', 'osaka', 5, 0),
      lv('CUP', 'tokyo', 9, 1),
      lv('CUP', 'osaka', 2, 4),
    ],
    shipsFrom: new Set(),
    settings: DEFAULT_STOCK_PUSH,
    safety: new Map(),
    products: new Map<string, ProductFacts>([
      ['TEA', plain],
      ['CUP', plain],
      [
        'GIFT',
        {
          active: true,
          components: [
            { productCode: 'CUP', quantity: 2 },
            { productCode: 'TEA', quantity: 1 },
          ],
        },
      ],
    ]),
    ...over,
  };
}

describe('free quantity per store × product (在庫連携)', () => {
  it('is on hand − reserved over the warehouses the store ships from, never below zero per warehouse', () => {
    const i = input();
    expect(freeUnits('TEA', i.levels, new Set())).toBe(12);
    // osaka's CUP is over-reserved (2 − 4): it counts 0, not −2.
    expect(freeUnits('CUP', i.levels, new Set())).toBe(8);
    expect(freeUnits('TEA', i.levels, new Set(['osaka']))).toBe(5);
    expect(freeUnits('TEA', [lv('TEA', 'tokyo', 10, 0, false), lv('TEA', 'osaka', 1)], new Set())).toBe(1);
    const [tea] = freeQuantities([item('TEA')], input({ shipsFrom: new Set(['tokyo']) }));
    expect(tea).toMatchObject({ free: 7, safety: 0, quantity: 7 });
  });

  it('subtracts the safety stock: the product own for this store over the store default', () => {
    const settings = { ...DEFAULT_STOCK_PUSH, stockSafety: 2 };
    const out = freeQuantities(
      [item('TEA'), item('CUP')],
      input({ settings, safety: new Map([['CUP', 10]]) }),
    );
    expect(out.map((q) => [q.cartProductCode, q.safety, q.quantity])).toEqual([
      ['TEA', 2, 10],
      ['CUP', 10, 0],
    ]);
  });

  it('a share (ratio) rounds down, and a cap limits what the cart shows', () => {
    expect(cartQuantity(10, 0, 1, { stockRatio: 0.3, stockCap: null })).toBe(3);
    expect(cartQuantity(7, 0, 1, { stockRatio: 0.5, stockCap: null })).toBe(3);
    expect(cartQuantity(1, 0, 1, { stockRatio: 0.5, stockCap: null })).toBe(0);
    expect(cartQuantity(100, 0, 1, { stockRatio: 1, stockCap: 20 })).toBe(20);
    expect(cartQuantity(5, 0, 1, { stockRatio: 1, stockCap: 20 })).toBe(5);
    expect(cartQuantity(3, 5, 1, { stockRatio: 1, stockCap: null })).toBe(0);
  });

  it('a set is the minimum over its components, each over the store warehouses', () => {
    // CUP 8 → 4 sets, TEA 12 → 12: 4 sets.
    const [gift] = freeQuantities([item('GIFT-RK', 'GIFT')], input());
    expect(gift).toMatchObject({ free: 4, quantity: 4 });
    // From osaka only: CUP 0 → no set.
    expect(freeQuantities([item('GIFT')], input({ shipsFrom: new Set(['osaka']) }))[0]!.quantity).toBe(0);
    expect(affectedProducts(['TEA'], new Map([['TEA', ['GIFT']]]))).toEqual(['GIFT', 'TEA']);
  });

  it('several cart codes or options for one product are each pushed, in units per cart unit', () => {
    const out = freeQuantities(
      [
        item('TEA-3', 'TEA', 3),
        item('TEA', 'TEA', 1),
        item('TEA-OPT', 'TEA', 1, 'RED'),
        item('TEA-5', 'TEA', 5),
      ],
      input(),
    );
    expect(out.map((q) => q.quantity)).toEqual([4, 12, 12, 2]);
  });

  it('an inactive product, or one the master does not know, is 0', () => {
    const products = new Map([['TEA', { active: false, components: null }]]);
    expect(freeQuantities([item('TEA'), item('NEW')], input({ products })).map((q) => q.quantity)).toEqual([
      0, 0,
    ]);
  });

  it('the store items are its mappings plus products under their own code where not mapped', () => {
    const items = cartItemsOf(
      [
        { cartProductCode: 'TSE-1', cartOptionCode: '', productCode: 'TEA', unitsPerCartUnit: 1 },
        { cartProductCode: 'KYUSU', cartOptionCode: 'RED', productCode: 'CUP', unitsPerCartUnit: 1 },
        { cartProductCode: 'TEA', cartOptionCode: '', productCode: 'TEA', unitsPerCartUnit: 2 },
      ],
      ['TEA', 'CUP'],
      true,
    );
    expect(
      items.map((i) => [i.cartProductCode, i.cartOptionCode, i.productCode, i.unitsPerCartUnit]),
    ).toEqual([
      ['TSE-1', null, 'TEA', 1],
      ['KYUSU', 'RED', 'CUP', 1],
      ['TEA', null, 'TEA', 2],
      ['CUP', null, 'CUP', 1],
    ]);
    expect(cartItemsOf([], ['TEA'], false)).toEqual([]);
  });

  it('the push is off for a store whose settings do not mention it; the settings are checked', () => {
    expect(parseStoreSettings({}).stockPush).toBe(false);
    expect(parseStoreSettings({ stockPush: true, stockRatio: 0.5 })).toMatchObject({
      stockPush: true,
      stockRatio: 0.5,
      stockCap: null,
    });
    expect(stockPushSettingsSchema.safeParse({ stockRatio: 1.5 }).success).toBe(false);
    expect(stockPushSettingsSchema.safeParse({ stockSafety: -1 }).success).toBe(false);
  });
});

describe('安全在庫 as an operator types it', () => {
  it.each([
    [3, 3],
    ['0', 0],
    [' 12 ', 12],
    ['１２', 12],
    ['1,000', 1000],
    ['', null],
    [null, null],
    ['1000000', 1_000_000],
  ])('%j → %j', (raw, want) => {
    expect(parseSafetyStock(raw)).toEqual({ ok: true, quantity: want });
  });
  it.each([
    ['-1', /0 以上の整数/],
    ['1.5', /小数・マイナスは不可/],
    ['abc', /0 以上の整数/],
    [2.5, /0 以上の整数/],
    [true, /0 以上の整数/],
    ['1000001', /1,000,000 個まで/],
  ])('%j is refused in Japanese', (raw, message) => {
    const r = parseSafetyStock(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProductStock } from './allocation.js';
import { planNewOrders, prepareNewOrders, productsToPlan } from './import-plan.js';
import { type CartOrder, type CartOrderLine, emptyParty } from './order.js';
import { factsFromCartOrder, type ResolvedLine } from './order-facts.js';
import { S } from './statuses.js';

const NOW = new Date('2026-11-26T03:00:00Z'); // 12:00 in Japan
const PREPAID = ['銀行振込'];
const AT_IMPORT = { deliveryHoldDays: 10, autoCompleteCancel: true, reservationTiming: 'import' as const };
const AT_FULFILLMENT = { ...AT_IMPORT, reservationTiming: 'fulfillment' as const };

interface Spec {
  lines: Array<[string, number]>;
  remarks?: string;
  payment?: string;
  paidAt?: string;
  requestedDate?: string;
}

function cartOrder(cartOrderNo: string, s: Spec): CartOrder {
  const lines: CartOrderLine[] = s.lines.map(([code, quantity]) => ({
    packageNo: 1,
    cartProductCode: code,
    cartOptionCode: null,
    name: `商品 ${code}`,
    quantity,
    unitPrice: 1100,
    taxIncluded: true,
    taxRate: 10,
    taxAmount: 100 * quantity,
  }));
  return {
    store: 'shop-a',
    cart: 'rakuten',
    cartOrderNo,
    cartStatus: '300',
    cancelledInCart: false,
    orderedAt: '2026-11-26T10:00:00+09:00',
    cartUpdatedAt: null,
    currency: 'JPY',
    customerRemarks: s.remarks ?? null,
    internalComment: null,
    orderer: { ...emptyParty(), name: '山田 太郎' },
    shipTo: { ...emptyParty(), name: '山田 太郎' },
    packages: [],
    lines,
    delivery: { requestedDate: s.requestedDate ?? null, timeSlot: null, carrier: null, method: null, fee: 0 },
    payment: { method: s.payment ?? 'クレジットカード', cardType: null, fee: 0, paidAt: s.paidAt ?? null },
    totals: { goods: 0, shipping: 0, fees: 0, discount: 0, points: 0, tax: 0, total: 0 },
  };
}

/** A and B are plain products, SET is a set of 6 that needs checking; anything else is unknown. */
const MASTER: Record<string, ResolvedLine> = {
  A: { productCode: 'P-A', needsCheck: false, unitsPerCartUnit: 1 },
  B: { productCode: 'P-B', needsCheck: false, unitsPerCartUnit: 1 },
  SET: { productCode: 'P-SET', needsCheck: true, unitsPerCartUnit: 6 },
};
const resolve = (l: CartOrderLine) => MASTER[l.cartProductCode];

/** One of each place where the checks can stop. */
const KINDS: Record<string, Spec> = {
  clean: { lines: [['A', 1]] },
  unknown: { lines: [['NEW-1', 1]] },
  flagged: { lines: [['SET', 1]] },
  comment: { lines: [['A', 1]], remarks: '午前中希望' },
  unpaid: { lines: [['A', 1]], payment: '銀行振込' },
  paid: { lines: [['A', 1]], payment: '銀行振込', paidAt: '2026-11-26T09:00:00+09:00' },
  dated: { lines: [['A', 1]], requestedDate: '2026-12-20' },
};
const kinds = () => Object.entries(KINDS).map(([no, s]) => cartOrder(no, s));

const stock = (productCode: string, warehouse: string, priority: number, free: number): ProductStock => ({
  productCode,
  warehouse,
  priority,
  free,
});

describe('prepareNewOrders: facts and whether each new order may hold stock now', () => {
  it('reserving at import: every order holds, wherever its checks stop', () => {
    const p = prepareNewOrders(kinds(), resolve, AT_IMPORT, PREPAID, NOW);
    expect(Object.fromEntries(p.map((x) => [x.order.cartOrderNo, x.holds]))).toEqual({
      clean: true,
      unknown: true,
      flagged: true,
      comment: true,
      unpaid: true,
      paid: true,
      dated: true,
    });
  });

  it('reserving at fulfillment: only orders whose checks all pass hold', () => {
    const p = prepareNewOrders(kinds(), resolve, AT_FULFILLMENT, PREPAID, NOW);
    expect(Object.fromEntries(p.map((x) => [x.order.cartOrderNo, x.holds]))).toEqual({
      clean: true,
      unknown: false,
      flagged: false,
      comment: false,
      unpaid: false,
      paid: true,
      dated: true, // a far date waits in fulfillment, holding its stock
    });
  });

  it('the facts are the cart order’s (one place builds them), in the order given', () => {
    const orders = kinds();
    const p = prepareNewOrders(orders, resolve, AT_IMPORT, PREPAID, NOW);
    expect(p.map((x) => x.order)).toEqual(orders);
    for (const [i, x] of p.entries())
      expect(x.facts).toEqual(factsFromCartOrder(orders[i]!, resolve, AT_IMPORT, PREPAID, NOW));
  });
});

describe('productsToPlan: the stock a page needs', () => {
  it('known products of orders that may hold stock, once each', () => {
    const orders = [
      cartOrder('o1', {
        lines: [
          ['A', 1],
          ['B', 2],
          ['NEW-1', 1],
        ],
      }),
      cartOrder('o2', { lines: [['A', 3]] }),
      cartOrder('o3', { lines: [['SET', 1]] }), // flagged: holds only when reserving at import
    ];
    expect(productsToPlan(prepareNewOrders(orders, resolve, AT_IMPORT, PREPAID, NOW)).sort()).toEqual([
      'P-A',
      'P-B',
      'P-SET',
    ]);
    // o1 stops at マスタなし商品 and o3 at 要修正: only o2's product is needed now.
    expect(productsToPlan(prepareNewOrders(orders, resolve, AT_FULFILLMENT, PREPAID, NOW))).toEqual(['P-A']);
    expect(productsToPlan([])).toEqual([]);
  });
});

describe('planNewOrders: stock oldest first and the first status of each new order', () => {
  const plan = (
    specs: Array<[string, Spec]>,
    free: readonly ProductStock[],
    opts: { settings?: typeof AT_IMPORT | typeof AT_FULFILLMENT; waiting?: string[] } = {},
  ) => {
    const prepared = prepareNewOrders(
      specs.map(([no, s]) => cartOrder(no, s)),
      resolve,
      opts.settings ?? AT_IMPORT,
      PREPAID,
      NOW,
    );
    return planNewOrders(prepared, free, new Set(opts.waiting ?? []));
  };
  const summary = (plans: ReturnType<typeof plan>) =>
    plans.map((p) => [p.order.cartOrderNo, p.status, p.reason, p.stockWaited, p.lines.map((l) => l.held)]);

  it('served in page order across warehouses: ready, then short and waiting', () => {
    const free = [stock('P-A', 'tokyo', 1, 2), stock('P-A', 'osaka', 2, 1)];
    const before = structuredClone(free);
    const plans = plan(
      [
        ['o1', { lines: [['A', 2]] }],
        ['o2', { lines: [['A', 2]] }],
        ['o3', { lines: [['A', 1]] }],
      ],
      free,
    );
    expect(summary(plans)).toEqual([
      ['o1', S.readyToShip, null, false, [2]],
      ['o2', S.waiting, '在庫不足: 行1 P-A 1/2', true, [1]],
      ['o3', S.waiting, '在庫不足: 行1 P-A 0/1', true, [0]],
    ]);
    expect(plans[0]!.lines[0]).toEqual({
      lineNo: 1,
      productCode: 'P-A',
      held: 2,
      steps: [{ warehouse: 'tokyo', quantity: 2 }],
      stockCodes: ['P-A'],
    });
    expect(plans[1]!.lines[0]!.steps).toEqual([{ warehouse: 'osaka', quantity: 1 }]);
    expect(free).toEqual(before); // pure: the stock read is not changed
  });

  it('a product older orders wait for is left to them: the line waits, not as one that was served', () => {
    const free = [stock('P-A', 'tokyo', 1, 5), stock('P-B', 'tokyo', 1, 5)];
    const plans = plan(
      [
        [
          'o1',
          {
            lines: [
              ['A', 1],
              ['B', 1],
            ],
          },
        ],
      ],
      free,
      { waiting: ['P-A'] },
    );
    expect(summary(plans)).toEqual([['o1', S.waiting, '在庫不足: 行1 P-A 0/1', false, [0, 1]]]);
  });

  it('the first status follows the checks, with the stock the order could take', () => {
    const free = [stock('P-A', 'tokyo', 1, 100), stock('P-SET', 'tokyo', 1, 100)];
    const plans = plan(Object.entries(KINDS), free);
    expect(summary(plans)).toEqual([
      ['clean', S.readyToShip, null, false, [1]],
      ['unknown', S.unknownProduct, '商品マスタ・店舗別商品マスタにない商品コード: 行1 NEW-1', false, [0]],
      ['flagged', S.needsCheck, '要修正の商品: 行1 SET → P-SET', false, [6]],
      ['comment', S.customerComment, 'お客様備考あり', false, [1]],
      ['unpaid', S.awaitingPayment, '前払い（銀行振込）の入金待ち', false, [1]],
      ['paid', S.readyToShip, null, false, [1]],
      ['dated', S.waiting, 'お届け指定日 2026-12-20（24日後、10日以上先）', true, [1]],
    ]);
  });

  it('reserving at fulfillment: orders still in review take nothing and leave the stock to younger ones', () => {
    const free = [stock('P-A', 'tokyo', 1, 1)];
    const plans = plan(
      [
        ['older', { lines: [['A', 1]], remarks: '箱なしで' }],
        ['younger', { lines: [['A', 1]] }],
      ],
      free,
      { settings: AT_FULFILLMENT },
    );
    expect(summary(plans)).toEqual([
      ['older', S.customerComment, 'お客様備考あり', false, [0]],
      ['younger', S.readyToShip, null, false, [1]],
    ]);
  });

  it('units per cart unit: a set of 6 needs 6 units a piece', () => {
    const free = [stock('P-SET', 'tokyo', 1, 10)];
    const plans = plan([['o1', { lines: [['SET', 2]] }]], free);
    expect(plans[0]!.lines[0]).toMatchObject({ productCode: 'P-SET', held: 10 });
    expect(plans[0]!.reason).toBe('要修正の商品: 行1 SET → P-SET');
  });

  it('an empty page plans nothing', () => {
    expect(planNewOrders([], [stock('P-A', 'tokyo', 1, 1)], new Set())).toEqual([]);
  });
});

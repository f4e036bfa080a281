import { describe, expect, it } from 'vitest';
import {
  describeShortage,
  type LineHold,
  lineReservationState,
  type ProductStock,
  planPageStock,
  planReservation,
  shortLines,
  type WarehouseStock,
} from './allocation.js';

const wh = (warehouse: string, priority: number, free: number): WarehouseStock => ({
  warehouse,
  priority,
  free,
});

describe('planReservation: warehouses in priority order, a line may split', () => {
  it.each([
    {
      name: 'all from the first warehouse',
      shortfall: 3,
      stock: [wh('tokyo', 1, 5), wh('osaka', 2, 5)],
      want: [{ warehouse: 'tokyo', quantity: 3 }],
    },
    {
      name: 'split across warehouses',
      shortfall: 7,
      stock: [wh('tokyo', 1, 5), wh('osaka', 2, 5)],
      want: [
        { warehouse: 'tokyo', quantity: 5 },
        { warehouse: 'osaka', quantity: 2 },
      ],
    },
    {
      name: 'priority, not input order, decides',
      shortfall: 4,
      stock: [wh('osaka', 2, 5), wh('tokyo', 1, 2)],
      want: [
        { warehouse: 'tokyo', quantity: 2 },
        { warehouse: 'osaka', quantity: 2 },
      ],
    },
    {
      name: 'equal priority: by warehouse code',
      shortfall: 2,
      stock: [wh('b', 1, 5), wh('a', 1, 1)],
      want: [
        { warehouse: 'a', quantity: 1 },
        { warehouse: 'b', quantity: 1 },
      ],
    },
    {
      name: 'not enough anywhere: takes what there is',
      shortfall: 10,
      stock: [wh('tokyo', 1, 3), wh('osaka', 2, 0)],
      want: [{ warehouse: 'tokyo', quantity: 3 }],
    },
    {
      name: 'empty and negative free stock are skipped',
      shortfall: 2,
      stock: [wh('tokyo', 1, 0), wh('nagoya', 2, -4), wh('osaka', 3, 9)],
      want: [{ warehouse: 'osaka', quantity: 2 }],
    },
    { name: 'nothing needed', shortfall: 0, stock: [wh('tokyo', 1, 3)], want: [] },
    { name: 'negative shortfall', shortfall: -1, stock: [wh('tokyo', 1, 3)], want: [] },
    { name: 'no warehouses', shortfall: 1, stock: [], want: [] },
  ])('$name', ({ shortfall, stock, want }) => {
    const before = structuredClone(stock);
    expect(planReservation(shortfall, stock)).toEqual(want);
    expect(stock).toEqual(before); // pure: the caller's list is not reordered or changed
  });

  it('never plans more than the shortfall nor more than a warehouse has (property)', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const stock = Array.from({ length: rnd(4) }, (_, k) => wh(`w${k}`, rnd(3), rnd(8) - 2));
      const shortfall = rnd(15) - 2;
      const steps = planReservation(shortfall, stock);
      const total = steps.reduce((n, s) => n + s.quantity, 0);
      const available = stock.reduce((n, s) => n + Math.max(0, s.free), 0);
      expect(total).toBe(Math.max(0, Math.min(shortfall, available)));
      for (const s of steps) {
        expect(s.quantity).toBeGreaterThan(0);
        expect(s.quantity).toBeLessThanOrEqual(stock.find((w) => w.warehouse === s.warehouse)!.free);
      }
    }
  });
});

describe('line holds', () => {
  const line = (lineNo: number, productCode: string | null, needed: number, held: number): LineHold => ({
    lineNo,
    productCode,
    cartProductCode: `C-${lineNo}`,
    needed,
    held,
  });

  it('short lines are known products held below what they need', () => {
    const lines = [line(1, 'P1', 2, 2), line(2, 'P2', 3, 1), line(3, null, 1, 0), line(4, 'P4', 1, 0)];
    expect(shortLines(lines).map((l) => l.lineNo)).toEqual([2, 4]);
    expect(describeShortage(shortLines(lines))).toBe('在庫不足: 行2 P2 1/3, 行4 P4 0/1');
  });

  it('予約区分: held, partial or none', () => {
    expect(lineReservationState({ needed: 2, held: 2 })).toBe('held');
    expect(lineReservationState({ needed: 2, held: 1 })).toBe('partial');
    expect(lineReservationState({ needed: 2, held: 0 })).toBe('none');
  });
});

describe('planPageStock: a page of new orders, oldest first', () => {
  const ps = (productCode: string, warehouse: string, priority: number, free: number): ProductStock => ({
    productCode,
    warehouse,
    priority,
    free,
  });
  const order = (lines: Array<[string | null, number]>, holds = true) => ({
    holds,
    lines: lines.map(([productCode, needed]) => ({ productCode, needed })),
  });
  const none = new Set<string>();
  const step = (warehouse: string, quantity: number) => ({ warehouse, quantity });

  it('each line takes what is free in priority order; what it takes is gone for the next line', () => {
    const stock = [ps('A', 'osaka', 2, 2), ps('A', 'tokyo', 1, 3), ps('B', 'tokyo', 1, 1)];
    const orders = [
      order([
        ['A', 2],
        ['B', 1],
      ]),
      order([['A', 2]]), // tokyo's last unit, then osaka
      order([
        ['A', 2], // one left
        ['B', 1], // none left
      ]),
      order([['A', 1]]), // nothing left
    ];
    expect(planPageStock(orders, stock, none)).toEqual([
      [[step('tokyo', 2)], [step('tokyo', 1)]],
      [[step('tokyo', 1), step('osaka', 1)]],
      [[step('osaka', 1)], []],
      [[]],
    ]);
  });

  it('two lines of one order share the product’s stock, the first line first', () => {
    const stock = [ps('A', 'tokyo', 1, 3)];
    expect(
      planPageStock(
        [
          order([
            ['A', 2],
            ['A', 2],
          ]),
        ],
        stock,
        none,
      ),
    ).toEqual([[[step('tokyo', 2)], [step('tokyo', 1)]]]);
  });

  it('an order that may not hold stock yet takes nothing and leaves it to the next', () => {
    const stock = [ps('A', 'tokyo', 1, 1)];
    expect(planPageStock([order([['A', 1]], false), order([['A', 1]])], stock, none)).toEqual([
      [[]],
      [[step('tokyo', 1)]],
    ]);
  });

  it('unknown products, products without stock rows and products older orders wait for take nothing', () => {
    const stock = [ps('A', 'tokyo', 1, 5), ps('W', 'tokyo', 1, 5)];
    const orders = [
      order([
        [null, 1],
        ['NOSTOCK', 1],
        ['W', 1],
        ['A', 1],
      ]),
    ];
    expect(planPageStock(orders, stock, new Set(['W']))).toEqual([[[], [], [], [step('tokyo', 1)]]]);
  });

  it('disabled or empty warehouses are simply not offered; negative free stock gives nothing', () => {
    const stock = [ps('A', 'tokyo', 1, -2), ps('A', 'osaka', 2, 0), ps('A', 'nagoya', 3, 1)];
    expect(planPageStock([order([['A', 3]])], stock, none)).toEqual([[[step('nagoya', 1)]]]);
  });

  it('an empty page plans nothing; the input stock is never changed', () => {
    const stock = [ps('A', 'tokyo', 1, 2)];
    const before = structuredClone(stock);
    expect(planPageStock([], stock, none)).toEqual([]);
    planPageStock([order([['A', 2]]), order([['A', 2]])], stock, none);
    expect(stock).toEqual(before);
  });

  it('never oversells, never over-holds a line, and serves oldest first (property)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const products = ['A', 'B', 'C'];
    for (let i = 0; i < 1000; i++) {
      const stock = products.flatMap((p) =>
        ['tokyo', 'osaka'].filter(() => rnd(4) > 0).map((w, k) => ps(p, w, k + 1, rnd(6) - 1)),
      );
      const waiting = new Set(products.filter(() => rnd(5) === 0));
      const orders = Array.from({ length: rnd(6) }, () =>
        order(
          Array.from({ length: 1 + rnd(3) }, () => [rnd(6) === 0 ? null : products[rnd(3)]!, 1 + rnd(4)]),
          rnd(4) > 0,
        ),
      );
      const plan = planPageStock(orders, stock, waiting);
      expect(plan.map((o) => o.length)).toEqual(orders.map((o) => o.lines.length));
      const taken = new Map<string, number>();
      const short = new Set<string>();
      for (const [oi, o] of orders.entries())
        for (const [li, l] of o.lines.entries()) {
          const steps = plan[oi]![li]!;
          const got = steps.reduce((n, s) => n + s.quantity, 0);
          if (!o.holds || l.productCode === null || waiting.has(l.productCode)) {
            expect(steps).toEqual([]);
            continue;
          }
          expect(got).toBeLessThanOrEqual(l.needed);
          // Oldest first: once a line of a product went short, no later line of it gets anything.
          if (short.has(l.productCode)) expect(got).toBe(0);
          if (got < l.needed) short.add(l.productCode);
          for (const s of steps) {
            expect(s.quantity).toBeGreaterThan(0);
            const key = `${l.productCode}@${s.warehouse}`;
            taken.set(key, (taken.get(key) ?? 0) + s.quantity);
          }
        }
      for (const [key, n] of taken) {
        const [p, w] = key.split('@');
        const row = stock.find((s) => s.productCode === p && s.warehouse === w)!;
        expect(n).toBeLessThanOrEqual(Math.max(0, row.free));
      }
    }
  });
});

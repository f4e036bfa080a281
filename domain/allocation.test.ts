import { describe, expect, it } from 'vitest';
import {
  describeShortage,
  type LineHold,
  lineReservationState,
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

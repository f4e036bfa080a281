import { describe, expect, it } from 'vitest';
import { isRuleRefusal } from './refusal.js';
import { checkComposition, componentUnits, freeSets, planSetReservation } from './sets.js';

const GIFT = [
  { productCode: 'CUP', quantity: 2 },
  { productCode: 'TEA', quantity: 1 },
];

describe('セット商品', () => {
  it('free sets are the minimum over the components of floor(free ÷ quantity)', () => {
    const free: Record<string, number> = { CUP: 5, TEA: 7 };
    expect(freeSets(GIFT, (p) => free[p] ?? 0)).toBe(2);
    expect(freeSets(GIFT, (p) => ({ CUP: 9, TEA: 1 })[p] ?? 0)).toBe(1);
    expect(freeSets(GIFT, (p) => ({ CUP: 1, TEA: 100 })[p] ?? 0)).toBe(0);
    expect(freeSets(GIFT, (p) => ({ CUP: -3, TEA: 100 })[p] ?? 0)).toBe(0);
    expect(freeSets([], () => 10)).toBe(0);
    expect(componentUnits(GIFT)).toBe(3);
    expect(componentUnits(null)).toBe(1);
  });

  it('plans whole sets only, each component across warehouses by priority', () => {
    const stock: Record<string, Array<{ warehouse: string; priority: number; free: number }>> = {
      CUP: [
        { warehouse: 'tokyo', priority: 1, free: 3 },
        { warehouse: 'osaka', priority: 2, free: 2 },
      ],
      TEA: [{ warehouse: 'osaka', priority: 2, free: 2 }],
    };
    expect(planSetReservation(3, GIFT, (p) => stock[p] ?? [])).toEqual({
      sets: 2,
      steps: [
        { productCode: 'CUP', warehouse: 'tokyo', quantity: 3 },
        { productCode: 'CUP', warehouse: 'osaka', quantity: 1 },
        { productCode: 'TEA', warehouse: 'osaka', quantity: 2 },
      ],
    });
    // The last unit of one component missing: no set, and nothing of the others either.
    expect(planSetReservation(1, GIFT, (p) => (p === 'TEA' ? [] : (stock[p] ?? [])))).toEqual({
      sets: 0,
      steps: [],
    });
  });

  it('a set holds plain products only: not itself, not another set; repeated components add up', () => {
    const rule = (f: () => unknown) => {
      try {
        f();
        return null;
      } catch (e) {
        return isRuleRefusal(e) ? e.rule : e;
      }
    };
    expect(rule(() => checkComposition('GIFT', [{ productCode: 'GIFT', quantity: 1 }], () => false))).toBe(
      'set_in_set',
    );
    expect(
      rule(() => checkComposition('GIFT', [{ productCode: 'BOX', quantity: 1 }], (p) => p === 'BOX')),
    ).toBe('set_in_set');
    expect(rule(() => checkComposition('GIFT', [{ productCode: 'CUP', quantity: 0 }], () => false))).toBe(
      'invalid_quantity',
    );
    expect(
      checkComposition(
        'GIFT',
        [
          { productCode: 'TEA', quantity: 1 },
          { productCode: 'CUP', quantity: 1 },
          { productCode: 'CUP', quantity: 1 },
        ],
        () => false,
      ),
    ).toEqual(GIFT);
  });
});

// The money check every cart's normalizer goes through (normalizeSafely → checkAmounts).
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../domain/order.js';
import { checkAmounts, normalizeSafely } from './normalize-kit.js';

const line = (unitPrice: number, quantity: number) =>
  ({ unitPrice, quantity, taxAmount: null }) as unknown as CartOrder['lines'][number];
const order = (lines: CartOrder['lines'], totals: Partial<CartOrder['totals']> = {}): CartOrder =>
  ({
    lines,
    totals: {
      goods: null,
      shipping: null,
      fees: null,
      discount: null,
      points: null,
      tax: null,
      total: null,
      ...totals,
    },
  }) as unknown as CartOrder;

describe('checkAmounts', () => {
  it('passes amounts that add exactly', () => {
    expect(() => checkAmounts(order([line(1980, 2), line(2 ** 40, 1000)], { total: 5000 }))).not.toThrow();
  });

  it.each([
    [
      'a line whose price × quantity passes 2^53',
      order([line(1980, 1), line(2 ** 50, 16)]),
      'lines[1].unitPrice',
    ],
    ['lines that each fit but whose sum does not', order([line(2 ** 52, 1), line(2 ** 52, 1)]), 'lines'],
    ['a total beyond 2^53', order([line(1, 1)], { total: 2 ** 54 }), 'totals.total'],
    ['a total that is not whole', order([line(1, 1)], { shipping: 10.5 }), 'totals.shipping'],
  ])('refuses %s, naming it', (_what, o, field) => {
    const r = normalizeSafely('A-1', () => o);
    expect(r).toMatchObject({ ok: false, cartOrderNo: 'A-1', field });
  });
});

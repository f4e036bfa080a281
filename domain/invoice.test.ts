// The invoice rule in numbers: tax once per rate per document (切り捨て), discounts apportioned by
// the goods of each rate, tax-excluded lines brought to tax-included, the 登録番号's form; and the
// 売上 records of an order adding up, rate by rate, to its 納品書.
import { describe, expect, it } from 'vitest';
import { apportion, documentTotals, lineAmount, REGISTRATION_NUMBER, taxIn } from './invoice.js';
import { returnRecord, shipmentRecords } from './sales.js';

describe('invoice totals', () => {
  it('rounds the tax once per rate, not per line', () => {
    // Three ¥105 lines at 8%: per line floor(7.77) = 7 each (21); per document floor(315×8/108) = 23.
    const t = documentTotals(
      [1, 2, 3].map(() => ({ unitPrice: 105, quantity: 1, taxIncluded: true, rate: 8 })),
      {},
    );
    expect(t.byRate).toEqual([{ rate: 8, amount: 315, tax: 23 }]);
    expect(t.reduced).toBe(true);
  });

  it('tax-excluded lines, shipping at 10%, 対象外, and an unknown rate counted as 10%', () => {
    expect(lineAmount({ unitPrice: 1000, quantity: 3, taxIncluded: false, rate: 8 })).toBe(3240);
    const t = documentTotals(
      [
        { unitPrice: 1000, quantity: 1, taxIncluded: false, rate: 10 },
        { unitPrice: 500, quantity: 1, taxIncluded: true, rate: 0 },
        { unitPrice: 220, quantity: 1, taxIncluded: true, rate: null },
      ],
      { shipping: 550 },
    );
    expect(t.byRate).toEqual([
      { rate: 10, amount: 1100 + 220 + 550, tax: 170 },
      { rate: 0, amount: 500, tax: 0 },
    ]);
    expect(t.total).toBe(2370);
  });

  it('apportions by weight; the largest takes the rest; nothing to weigh goes to 10%', () => {
    expect(apportion(100, { 10: 1, 8: 1, 0: 1 })).toEqual({ 10: 34, 8: 33, 0: 33 });
    expect(apportion(999, { 10: 0, 8: 0, 0: 0 })).toEqual({ 10: 999, 8: 0, 0: 0 });
    expect(taxIn(-1080, 8)).toBe(-80);
    expect(REGISTRATION_NUMBER.test('T1234567890123')).toBe(true);
  });
});

describe('sales records', () => {
  const lines = [
    { id: 1, lineNo: 1, name: '緑茶', unitPrice: 1080, quantity: 3, taxIncluded: true, rate: 8 },
    { id: 2, lineNo: 2, name: 'マグ', unitPrice: 2200, quantity: 1, taxIncluded: true, rate: 10 },
  ];
  const order = { lines, shipping: 660, fees: 0, discount: 500, points: 100 };

  it('sale, discount and points add up to the 納品書, rate by rate', () => {
    const recs = shipmentRecords(order);
    const note = documentTotals(lines, order);
    for (const rate of [10, 8] as const) {
      const r = note.byRate.find((x) => x.rate === rate)!;
      expect(recs.reduce((s, x) => s + x.amount[rate], 0)).toBe(r.amount);
      expect(recs.reduce((s, x) => s + x.tax[rate], 0)).toBe(r.tax);
    }
    expect(recs.reduce((s, x) => s + x.total, 0)).toBe(note.total);
    expect(shipmentRecords({ ...order, discount: 0, points: null }).map((r) => r.kind)).toEqual(['sale']);
  });

  it('a return takes back at most what is left, at the line’s rate', () => {
    const r = returnRecord(lines, new Map([[1, 1]]), [{ lineId: 1, quantity: 2 }]);
    expect(r).toMatchObject({ total: -2160, amount: { 8: -2160 }, tax: { 8: -160 } });
    expect(() => returnRecord(lines, new Map([[1, 2]]), [{ lineId: 1, quantity: 2 }])).toThrow(
      '返品できるのはあと 1 点です',
    );
    expect(() => returnRecord(lines, new Map(), [])).toThrow('返品する明細と数量を選んでください');
  });
});

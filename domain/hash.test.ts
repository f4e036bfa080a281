import { describe, expect, it } from 'vitest';
import { orderHashes, stableJson } from './hash.js';
import { type CartOrder, emptyParty } from './order.js';

const order = (): CartOrder => ({
  store: 's',
  cart: 'rakuten',
  cartOrderNo: '1',
  cartStatus: '100',
  cancelledInCart: false,
  orderedAt: '2026-11-26T10:00:00+09:00',
  cartUpdatedAt: '2026-11-26T10:00:00+09:00',
  currency: 'JPY',
  customerRemarks: null,
  internalComment: null,
  orderer: { ...emptyParty(), name: '山田' },
  shipTo: { ...emptyParty(), name: '山田' },
  packages: [{ packageNo: 1, shipTo: { ...emptyParty(), name: '山田' } }],
  lines: [
    {
      packageNo: 1,
      cartProductCode: 'A',
      cartOptionCode: null,
      name: 'a',
      quantity: 1,
      unitPrice: 100,
      taxIncluded: true,
      taxRate: 10,
      taxAmount: 9,
    },
  ],
  delivery: { requestedDate: null, timeSlot: null, carrier: null, method: null, fee: 0 },
  payment: { method: 'card', cardType: null, fee: 0, paidAt: null },
  totals: { goods: 100, shipping: 0, fees: 0, discount: 0, points: 0, tax: 9, total: 100 },
});

describe('order hashes', () => {
  it('do not depend on key order', () => {
    const a = order();
    const b = Object.fromEntries(Object.entries(order()).reverse()) as unknown as CartOrder;
    expect(orderHashes(a)).toEqual(orderHashes(b));
  });

  it('tell progress (status, paid, cancelled) from content changes', () => {
    const base = orderHashes(order());
    const moved = orderHashes({
      ...order(),
      cartStatus: '300',
      payment: { ...order().payment, paidAt: '2026-11-26T11:00:00+09:00' },
    });
    expect(moved.contentHash).toBe(base.contentHash);
    expect(moved.payloadHash).not.toBe(base.payloadHash);
    const edited = order();
    edited.lines[0]!.quantity = 2;
    expect(orderHashes(edited).contentHash).not.toBe(base.contentHash);
    const moved2 = order();
    moved2.shipTo.address2 = '201号室';
    expect(orderHashes(moved2).contentHash).not.toBe(base.contentHash);
  });

  it('change with every field of the order (none forgotten)', () => {
    const base = orderHashes(order()).payloadHash;
    const leaves = (v: unknown, path: Array<string | number>): Array<Array<string | number>> =>
      v !== null && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, Array.isArray(v) ? Number(k) : k]))
        : [path];
    const paths = leaves(order(), []);
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) {
      const o = order() as unknown as Record<string | number, unknown>;
      let at = o;
      for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
      const key = path[path.length - 1]!;
      const old = at[key];
      at[key] = typeof old === 'number' ? old + 1 : typeof old === 'boolean' ? !old : `${String(old)}x`;
      expect(orderHashes(o as unknown as CartOrder).payloadHash, path.join('.')).not.toBe(base);
    }
  });

  it('stableJson sorts keys at every level', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

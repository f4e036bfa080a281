import { describe, expect, it } from 'vitest';
import { type CartOrder, emptyParty } from './order.js';
import {
  KEPT_COPY,
  keptCopy,
  lengthOver,
  MAX_KEPT_REJECT_CHARS,
  MAX_RECORD_CHARS,
  overLongField,
  rawPathOf,
  TEXT_LIMITS,
  tooLongToKeep,
} from './record-limits.js';

function order(patch: Partial<CartOrder> = {}): CartOrder {
  const party = { ...emptyParty(), name: '山田 太郎', address1: '千代田区丸の内1-9-1' };
  return {
    store: 's',
    cart: 'shopify',
    cartOrderNo: '#1001',
    cartStatus: 'paid/unfulfilled',
    cancelledInCart: false,
    orderedAt: '2026-11-20T10:00:00+09:00',
    cartUpdatedAt: null,
    currency: 'JPY',
    customerRemarks: null,
    internalComment: null,
    orderer: party,
    shipTo: party,
    packages: [{ packageNo: 1, shipTo: party }],
    lines: [
      {
        packageNo: 1,
        cartProductCode: 'TSE-0013-9124',
        cartOptionCode: null,
        name: '煎茶 100g',
        quantity: 1,
        unitPrice: 1000,
        taxIncluded: true,
        taxRate: 8,
        taxAmount: 74,
      },
    ],
    delivery: { requestedDate: null, timeSlot: null, carrier: null, method: null, fee: 0 },
    payment: { method: 'クレジットカード', cardType: null, fee: 0, paidAt: null },
    totals: { goods: 1000, shipping: 0, fees: 0, discount: 0, points: 0, tax: 74, total: 1000 },
    ...patch,
  };
}

describe('lengthOver', () => {
  it('counts code points, so a 4-byte character is one', () => {
    expect(lengthOver('𩸽'.repeat(10), 10)).toBeNull(); // 20 UTF-16 units, 10 characters
    expect(lengthOver('𩸽'.repeat(11), 10)).toBe(11);
    expect(lengthOver('a'.repeat(10), 10)).toBeNull();
    expect(lengthOver('a'.repeat(11), 10)).toBe(11);
  });
});

describe('overLongField', () => {
  it('passes an order within every limit, remarks of 10,000 characters included', () => {
    expect(overLongField(order())).toBeNull();
    expect(overLongField(order({ customerRemarks: '備'.repeat(10_000) }))).toBeNull();
  });

  it.each([
    ['customerRemarks', order({ customerRemarks: 'x'.repeat(10_001) }), 10_000],
    ['internalComment', order({ internalComment: 'x'.repeat(10_001) }), 10_000],
    ['orderer.name', order({ orderer: { ...emptyParty(), name: 'x'.repeat(501) } }), 500],
    [
      'packages[0].shipTo.address2',
      order({ packages: [{ packageNo: 1, shipTo: { ...emptyParty(), address2: 'x'.repeat(501) } }] }),
      500,
    ],
    ['lines[0].name', order({ lines: [{ ...order().lines[0]!, name: 'x'.repeat(1_001) }] }), 1_000],
    [
      'lines[0].cartProductCode',
      order({ lines: [{ ...order().lines[0]!, cartProductCode: 'x'.repeat(256) }] }),
      255,
    ],
    ['cartOrderNo', order({ cartOrderNo: 'x'.repeat(256) }), 255],
    ['payment.method', order({ payment: { ...order().payment, method: 'x'.repeat(1_001) } }), 1_000],
  ])('names %s', (field, o, limit) => {
    expect(overLongField(o)).toMatchObject({ field, limit });
  });

  it('holds a code a cart adds later to the default limit', () => {
    const line = { ...order().lines[0]!, cartCodes: { skuInfo: 'x'.repeat(TEXT_LIMITS.other + 1) } };
    expect(overLongField(order({ lines: [line] }))?.field).toBe('lines[0].cartCodes.skuInfo');
  });
});

describe('tooLongToKeep', () => {
  it('names the cart’s own field where the text came from', () => {
    const remark = `  ${'長い備考'.repeat(3_000)}  `;
    const payload = { id: 5, note: remark, customer: { first_name: '太郎' } };
    const r = tooLongToKeep(order({ customerRemarks: remark.trim() }), payload);
    expect(r).toEqual({
      field: 'note',
      message: "customerRemarks: 12,000 characters, more than the 10,000 kept (the cart's note)",
    });
  });

  it('refuses a record over the size limit naming its longest text, and passes one just under', () => {
    const big = { note: 'short', junk: 'x'.repeat(MAX_RECORD_CHARS) };
    expect(tooLongToKeep(order(), big)).toMatchObject({
      field: 'junk',
      message: expect.stringMatching(
        /^\(record\): 2,000,0\d\d characters as JSON, more than the 2,000,000 kept/,
      ),
    });
    expect(tooLongToKeep(order(), { junk: 'x'.repeat(MAX_RECORD_CHARS - 20) })).toBeNull();
  });

  it('finds nothing to name when no raw text matches', () => {
    expect(rawPathOf({ a: 'short' }, 'x'.repeat(2_000))).toBeNull();
  });
});

describe('keptCopy', () => {
  it('keeps a record of ordinary size as it is', () => {
    const p = { a: 1, b: 'x'.repeat(5_000) };
    expect(keptCopy(p)).toBe(p);
  });

  it('keeps a shortened, marked copy of a large record, which no cart record looks like', () => {
    const copy = keptCopy({ id: 9, note: 'x'.repeat(15_000_000), lines: [{ name: '煎茶' }] }) as Record<
      string,
      { originalChars: number; record: { id: number; note: string; lines: unknown[] } }
    >;
    expect(Object.keys(copy)).toEqual([KEPT_COPY]);
    const kept = copy[KEPT_COPY]!;
    expect(kept.originalChars).toBeGreaterThan(15_000_000);
    expect(kept.record.id).toBe(9);
    expect(kept.record.lines).toEqual([{ name: '煎茶' }]);
    expect(kept.record.note).toMatch(/^x{1000}…（15,000,000 文字のうち先頭 1,000 文字）$/);
    expect(JSON.stringify(copy).length).toBeLessThan(MAX_KEPT_REJECT_CHARS);
  });

  it('keeps only the start of a record that is large in many small texts', () => {
    const many = { lines: Array.from({ length: 50_000 }, (_, i) => ({ name: `商品 ${i}` })) };
    const copy = keptCopy(many) as Record<string, { record: unknown }>;
    expect(typeof copy[KEPT_COPY]!.record).toBe('string');
    expect(JSON.stringify(copy).length).toBeLessThan(2 * MAX_KEPT_REJECT_CHARS); // escaped once more as JSON
  });
});

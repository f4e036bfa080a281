import { describe, expect, it } from 'vitest';
import { type ClassifyInput, type ClassifyLine, classifyOrder, isPrepaid } from './classify.js';
import { S } from './statuses.js';

const line = (over: Partial<ClassifyLine> = {}): ClassifyLine => ({
  lineNo: 1,
  cartProductCode: 'TSE-0013-9124',
  cartOptionCode: null,
  productCode: '00000911245',
  needsCheck: false,
  ...over,
});

const input = (over: Partial<ClassifyInput> = {}): ClassifyInput => ({
  lines: [line()],
  customerRemarks: null,
  paymentMethod: 'クレジットカード',
  paidAt: null,
  prepaid: false,
  commentChecked: false,
  productChecked: false,
  ...over,
});

describe('classifyOrder: the review rules in the spec order', () => {
  it('a clean order goes straight on to fulfillment', () => {
    expect(classifyOrder(input())).toEqual({ next: 'fulfillment', reason: null });
  });

  it('マスタなし商品 first, naming the line and the cart code (with its option)', () => {
    const c = classifyOrder(
      input({
        lines: [
          line(),
          line({ lineNo: 2, cartProductCode: 'X-1', cartOptionCode: 'red', productCode: null }),
          line({ lineNo: 3, needsCheck: true }),
        ],
        customerRemarks: '熨斗をお願いします',
        paymentMethod: '銀行振込',
        prepaid: true,
      }),
    );
    expect(c.next).toBe(S.unknownProduct);
    expect(c.reason).toContain('行2 X-1 (red)');
  });

  it('then 確認が必要な商品, unless the operator checked the products', () => {
    const base = input({
      lines: [line({ needsCheck: true })],
      customerRemarks: '熨斗をお願いします',
      paymentMethod: '銀行振込',
      prepaid: true,
    });
    const c = classifyOrder(base);
    expect(c.next).toBe(S.needsCheck);
    expect(c.reason).toContain('行1 TSE-0013-9124 → 00000911245');
    expect(classifyOrder({ ...base, productChecked: true }).next).toBe(S.customerComment);
  });

  it('then お客様コメント確認 (blank remarks do not count), unless read', () => {
    expect(classifyOrder(input({ customerRemarks: '  ' })).next).toBe('fulfillment');
    const base = input({
      customerRemarks: '午前中に届けてください',
      paymentMethod: '銀行振込',
      prepaid: true,
    });
    expect(classifyOrder(base)).toEqual({ next: S.customerComment, reason: 'お客様備考あり' });
    expect(classifyOrder({ ...base, commentChecked: true }).next).toBe(S.awaitingPayment);
  });

  it('then 入金待ち for a prepaid method not yet paid', () => {
    const c = classifyOrder(input({ paymentMethod: ' 銀行振込 ', prepaid: true }));
    expect(c).toEqual({ next: S.awaitingPayment, reason: '前払い（ 銀行振込 ）の入金待ち' });
    expect(
      classifyOrder(input({ paymentMethod: '銀行振込', prepaid: true, paidAt: '2026-11-26T10:00:00+09:00' }))
        .next,
    ).toBe('fulfillment');
    expect(classifyOrder(input({ paymentMethod: '銀行振込', prepaid: true, paidAt: new Date() })).next).toBe(
      'fulfillment',
    );
  });

  it('an order without lines has nothing to check', () => {
    expect(classifyOrder(input({ lines: [] })).next).toBe('fulfillment');
  });
});

describe('isPrepaid', () => {
  it('matches the store list, trimmed, and nothing for no method', () => {
    expect(isPrepaid('コンビニ前払', ['銀行振込', 'コンビニ前払'])).toBe(true);
    expect(isPrepaid('代金引換', ['銀行振込', 'コンビニ前払'])).toBe(false);
    expect(isPrepaid(null, ['銀行振込'])).toBe(false);
    expect(isPrepaid('', ['銀行振込'])).toBe(false);
    expect(isPrepaid('銀行振込', [])).toBe(false);
  });
});

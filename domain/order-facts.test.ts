import { describe, expect, it } from 'vitest';
import { deliveryHold } from './delivery.js';
import { type CartOrder, type CartOrderLine, emptyParty } from './order.js';
import {
  type FactLine,
  factsFromCartOrder,
  factsFromStoredOrder,
  type ResolvedLine,
  type StoredOrder,
} from './order-facts.js';
import { S } from './statuses.js';

const NOW = new Date('2026-11-26T03:00:00Z'); // 12:00 in Japan
const SETTINGS = { deliveryHoldDays: 10, autoCompleteCancel: true };
const PREPAID = ['銀行振込', 'コンビニ前払'];

const cartLine = (
  cartProductCode: string,
  quantity: number,
  cartOptionCode: string | null = null,
): CartOrderLine => ({
  packageNo: 1,
  cartProductCode,
  cartOptionCode,
  name: `商品 ${cartProductCode}`,
  quantity,
  unitPrice: 1100,
  taxIncluded: true,
  taxRate: 10,
  taxAmount: 100 * quantity,
});

function cartOrder(over: Partial<CartOrder> = {}): CartOrder {
  return {
    store: 'shop-a',
    cart: 'rakuten',
    cartOrderNo: 'o-1',
    cartStatus: '300',
    cancelledInCart: false,
    orderedAt: '2026-11-26T10:00:00+09:00',
    cartUpdatedAt: '2026-11-26T10:00:00+09:00',
    currency: 'JPY',
    customerRemarks: null,
    internalComment: null,
    orderer: { ...emptyParty(), name: '山田 太郎' },
    shipTo: { ...emptyParty(), name: '山田 太郎' },
    packages: [],
    lines: [cartLine('A', 2)],
    delivery: { requestedDate: null, timeSlot: null, carrier: null, method: null, fee: 0 },
    payment: { method: 'クレジットカード', cardType: null, fee: 0, paidAt: null },
    totals: { goods: 0, shipping: 0, fees: 0, discount: 0, points: 0, tax: 0, total: 0 },
    ...over,
  };
}

/** Our master: A is a product, SET is a set of 6 that needs checking, anything else is unknown. */
const MASTER: Record<string, ResolvedLine> = {
  A: { productCode: 'P-A', needsCheck: false, unitsPerCartUnit: 1 },
  SET: { productCode: 'P-SET', needsCheck: true, unitsPerCartUnit: 6 },
};
const resolve = (l: CartOrderLine) => MASTER[l.cartProductCode];

describe('factsFromCartOrder: a cart order not stored yet', () => {
  it('holds nothing, has acknowledged nothing and no 受注No', () => {
    expect(factsFromCartOrder(cartOrder(), resolve, SETTINGS, PREPAID, NOW)).toEqual({
      orderNo: '',
      status: S.reviewHold,
      instructed: false,
      stockWaited: false,
      lines: [
        {
          lineNo: 1,
          productCode: 'P-A',
          cartProductCode: 'A',
          cartOptionCode: null,
          needsCheck: false,
          needed: 2,
          held: 0,
        },
      ],
      customerRemarks: null,
      paymentMethod: 'クレジットカード',
      paidAt: null,
      prepaid: false,
      commentChecked: false,
      productChecked: false,
      deliveryHold: { held: false, daysAhead: null, reason: null },
      autoCompleteCancel: true,
    });
  });

  it('lines as our master resolves them: units per cart unit, the check flag, unknown codes', () => {
    const order = cartOrder({ lines: [cartLine('SET', 2, 'red'), cartLine('NEW-1', 3), cartLine('A', 1)] });
    const asked: string[] = [];
    const f = factsFromCartOrder(
      order,
      (l) => {
        asked.push(l.cartProductCode);
        return resolve(l);
      },
      SETTINGS,
      PREPAID,
      NOW,
    );
    expect(asked).toEqual(['SET', 'NEW-1', 'A']);
    expect(f.lines).toEqual([
      {
        lineNo: 1,
        productCode: 'P-SET',
        cartProductCode: 'SET',
        cartOptionCode: 'red',
        needsCheck: true,
        needed: 12,
        held: 0,
      },
      // マスタなし商品: no product, its cart quantity as it is, not flagged
      {
        lineNo: 2,
        productCode: null,
        cartProductCode: 'NEW-1',
        cartOptionCode: null,
        needsCheck: false,
        needed: 3,
        held: 0,
      },
      {
        lineNo: 3,
        productCode: 'P-A',
        cartProductCode: 'A',
        cartOptionCode: null,
        needsCheck: false,
        needed: 1,
        held: 0,
      },
    ]);
  });

  it.each([
    { method: '銀行振込', want: true },
    { method: ' コンビニ前払 ', want: true },
    { method: 'クレジットカード', want: false },
    { method: null, want: false },
  ])('prepaid by the store’s list: $method → $want', ({ method, want }) => {
    const order = cartOrder({ payment: { method, cardType: null, fee: 0, paidAt: null } });
    const f = factsFromCartOrder(order, resolve, SETTINGS, PREPAID, NOW);
    expect(f.prepaid).toBe(want);
    expect(f.paymentMethod).toBe(method);
  });

  it('remarks, payment date, the delivery hold and the cancel setting come from the order and the store', () => {
    const order = cartOrder({
      customerRemarks: '不在時は宅配ボックスへ',
      payment: { method: '銀行振込', cardType: null, fee: 0, paidAt: '2026-11-26T09:00:00+09:00' },
      delivery: { requestedDate: '2026-12-06', timeSlot: null, carrier: null, method: null, fee: 0 },
    });
    const f = factsFromCartOrder(
      order,
      resolve,
      { deliveryHoldDays: 10, autoCompleteCancel: false },
      PREPAID,
      NOW,
    );
    expect(f).toMatchObject({
      customerRemarks: '不在時は宅配ボックスへ',
      paidAt: '2026-11-26T09:00:00+09:00',
      prepaid: true,
      autoCompleteCancel: false,
      deliveryHold: { held: true, daysAhead: 10, reason: 'お届け指定日 2026-12-06（10日後、10日以上先）' },
    });
    // The store's window decides: with 11 days the same date is near enough.
    const wider = factsFromCartOrder(
      order,
      resolve,
      { deliveryHoldDays: 11, autoCompleteCancel: true },
      PREPAID,
      NOW,
    );
    expect(wider.deliveryHold).toEqual({ held: false, daysAhead: 10, reason: null });
  });
});

describe('factsFromStoredOrder: an order as the database holds it', () => {
  const stored: StoredOrder = {
    orderNo: '00000042',
    status: S.waiting,
    instructed: false,
    stockWaited: true,
    customerRemarks: '箱なしで',
    paymentMethod: '銀行振込',
    paidAt: new Date('2026-11-25T00:00:00Z'),
    prepaid: true,
    commentChecked: true,
    productChecked: false,
    deliveryRequestedDate: '2026-12-20',
  };
  const lines: FactLine[] = [
    {
      lineNo: 1,
      productCode: 'P-A',
      cartProductCode: 'A',
      cartOptionCode: null,
      needsCheck: false,
      needed: 2,
      held: 1,
    },
  ];

  it('its columns and lines as they are; the requested date becomes the delivery hold', () => {
    const f = factsFromStoredOrder(stored, lines, SETTINGS, NOW);
    expect(f).toEqual({
      orderNo: '00000042',
      status: S.waiting,
      instructed: false,
      stockWaited: true,
      lines,
      customerRemarks: '箱なしで',
      paymentMethod: '銀行振込',
      paidAt: new Date('2026-11-25T00:00:00Z'),
      prepaid: true,
      commentChecked: true,
      productChecked: false,
      deliveryHold: deliveryHold('2026-12-20', NOW, 10),
      autoCompleteCancel: true,
    });
    expect(f).not.toHaveProperty('deliveryRequestedDate');
    expect(f.deliveryHold.held).toBe(true);
  });

  it('no requested date: no hold; the cancel setting is the store’s', () => {
    const f = factsFromStoredOrder(
      { ...stored, deliveryRequestedDate: null },
      lines,
      { deliveryHoldDays: 10, autoCompleteCancel: false },
      NOW,
    );
    expect(f.deliveryHold).toEqual({ held: false, daysAhead: null, reason: null });
    expect(f.autoCompleteCancel).toBe(false);
  });

  it('an order just stored from the cart has the same facts as on its way in', () => {
    const order = cartOrder({
      lines: [cartLine('SET', 1), cartLine('NEW-1', 2)],
      customerRemarks: '午前中希望',
      payment: { method: 'コンビニ前払', cardType: null, fee: 0, paidAt: null },
      delivery: { requestedDate: '2026-12-01', timeSlot: null, carrier: null, method: null, fee: 0 },
    });
    const incoming = factsFromCartOrder(order, resolve, SETTINGS, PREPAID, NOW);
    const again = factsFromStoredOrder(
      {
        orderNo: incoming.orderNo,
        status: incoming.status,
        instructed: false,
        stockWaited: false,
        customerRemarks: order.customerRemarks,
        paymentMethod: order.payment.method,
        paidAt: order.payment.paidAt,
        prepaid: incoming.prepaid,
        commentChecked: false,
        productChecked: false,
        deliveryRequestedDate: order.delivery.requestedDate,
      },
      incoming.lines,
      SETTINGS,
      NOW,
    );
    expect(again).toEqual(incoming);
  });
});

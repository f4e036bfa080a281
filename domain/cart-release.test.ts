// The cart's release for shipping and the auto-cancel warning, as pure rules, and the shipping
// instruction's refusal for an order the cart has not released (planTransition).
import { describe, expect, it } from 'vitest';
import {
  autoCancelRisk,
  awaitsCartConfirmation,
  cartRelease,
  heldCartStatuses,
  orderConfirmationMode,
  RAKUTEN_AUTO_CANCEL_DAYS,
  RAKUTEN_AUTO_CANCEL_WARN_DAYS,
} from './cart-release.js';
import { DEFAULT_STATUSES, S, StatusCatalogue } from './statuses.js';
import { type OrderFacts, planTransition } from './transitions.js';

const DAY = 86_400_000;

describe('cartRelease', () => {
  it('Rakuten 100 注文確認待ち and 200 楽天処理中 hold an order back; 300 and later, and other carts, do not', () => {
    const waiting = cartRelease('rakuten', '100');
    expect(waiting).toMatchObject({ released: false, label: '楽天 注文確認待ち' });
    expect(!waiting.released && waiting.reason).toContain('注文確認を送り');
    const processing = cartRelease('rakuten', '200');
    expect(processing).toMatchObject({ released: false, label: '楽天処理中' });
    expect(!processing.released && processing.reason).toContain('発送待ち（300）');
    for (const s of ['300', '400', '500', '900'])
      expect(cartRelease('rakuten', s)).toEqual({ released: true });
    // Yahoo! and makeshop statuses that look alike mean something else there.
    expect(cartRelease('yahoo', '100')).toEqual({ released: true });
    expect(cartRelease('makeshop', '200')).toEqual({ released: true });
    expect(heldCartStatuses('rakuten')).toEqual(['100', '200']);
    expect(heldCartStatuses('shopify')).toEqual([]);
  });
});

describe('autoCancelRisk', () => {
  const orderedAt = new Date('2026-11-20T01:00:00Z');
  const daysIn = (days: number) => new Date(orderedAt.getTime() + days * DAY);
  it(`flags a Rakuten order in 100 from ${RAKUTEN_AUTO_CANCEL_WARN_DAYS} days, with the days left to the ${RAKUTEN_AUTO_CANCEL_DAYS}-day cancel`, () => {
    expect(autoCancelRisk('rakuten', '100', orderedAt, daysIn(9.9))).toBeNull();
    const ten = autoCancelRisk('rakuten', '100', orderedAt, daysIn(10));
    expect(ten).toMatchObject({ days: 10, label: '楽天の自動キャンセルまであと4日（注文確認待ち 10日）' });
    expect(ten!.deadline).toEqual(daysIn(14));
    expect(autoCancelRisk('rakuten', '100', orderedAt, daysIn(13.5))!.label).toContain('あと1日');
    expect(autoCancelRisk('rakuten', '100', orderedAt, daysIn(14))!.label).toContain('過ぎています');
    // Confirmed (200), or another cart: nothing to fear.
    expect(autoCancelRisk('rakuten', '200', orderedAt, daysIn(12))).toBeNull();
    expect(autoCancelRisk('yahoo', '100', orderedAt, daysIn(12))).toBeNull();
  });
});

describe('planTransition: the shipping instruction asks the cart', () => {
  const facts = (cartStatus?: string): OrderFacts => ({
    orderNo: '1001',
    status: S.readyToShip,
    instructed: false,
    stockWaited: false,
    lines: [
      {
        lineNo: 1,
        productCode: 'A',
        cartProductCode: 'A',
        cartOptionCode: null,
        needsCheck: false,
        needed: 1,
        held: 1,
      },
    ],
    customerRemarks: null,
    paymentMethod: 'クレジットカード',
    paidAt: null,
    prepaid: false,
    commentChecked: true,
    productChecked: true,
    deliveryHold: { held: false, daysAhead: null, reason: null },
    autoCompleteCancel: true,
    ...(cartStatus ? { cartRelease: cartRelease('rakuten', cartStatus) } : {}),
  });
  it('refuses 出荷作業中 for an order Rakuten has not released, naming the order and why', () => {
    const statuses = new StatusCatalogue([...DEFAULT_STATUSES]);
    const p = planTransition(facts('100'), S.shipping, statuses);
    expect(p.ok).toBe(false);
    expect(!p.ok && p.refusal).toContain('受注No 1001');
    expect(!p.ok && p.refusal).toContain('楽天で注文確認待ち（100）');
    expect(planTransition(facts('200'), S.shipping, statuses).ok).toBe(false);
    expect(planTransition(facts('300'), S.shipping, statuses)).toMatchObject({ ok: true, instruct: true });
    // Facts without a cart word (an order on its way in) are not held back by it.
    expect(planTransition(facts(), S.shipping, statuses).ok).toBe(true);
  });
});

describe('注文確認 (orderConfirmation)', () => {
  it('confirms at import by default for Rakuten; never for carts without 注文確認', () => {
    expect(orderConfirmationMode('rakuten', {})).toBe('import');
    expect(orderConfirmationMode('rakuten', { orderConfirmation: 'operator' })).toBe('operator');
    expect(orderConfirmationMode('rakuten', { orderConfirmation: 'never' })).toBe('never');
    expect(orderConfirmationMode('shopify', { orderConfirmation: 'import' })).toBe('never');
  });
  it('waits for the shop only in Rakuten 100, not cancelled', () => {
    expect(awaitsCartConfirmation('rakuten', { cartStatus: '100' })).toBe(true);
    expect(awaitsCartConfirmation('rakuten', { cartStatus: '100', cancelledInCart: true })).toBe(false);
    expect(awaitsCartConfirmation('rakuten', { cartStatus: '200' })).toBe(false);
    expect(awaitsCartConfirmation('yahoo', { cartStatus: '100' })).toBe(false);
  });
});

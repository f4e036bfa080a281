import { describe, expect, it } from 'vitest';
import { deliveryHold } from './delivery.js';

// 2026-11-26T14:59:59Z is 23:59:59 on the 26th in Japan; one second later it is the 27th there.
const BEFORE_MIDNIGHT = new Date('2026-11-26T14:59:59Z');
const AFTER_MIDNIGHT = new Date('2026-11-26T15:00:00Z');

describe('deliveryHold: a requested date the hold days or more ahead, counted in JST', () => {
  it('holds across a JST midnight with a fixed clock', () => {
    // 2026-12-06 is 10 days after the 26th (held) and 9 after the 27th (released).
    const before = deliveryHold('2026-12-06', BEFORE_MIDNIGHT, 10);
    expect(before).toEqual({
      held: true,
      daysAhead: 10,
      reason: 'お届け指定日 2026-12-06（10日後、10日以上先）',
    });
    expect(deliveryHold('2026-12-06', AFTER_MIDNIGHT, 10)).toEqual({
      held: false,
      daysAhead: 9,
      reason: null,
    });
  });

  it('uses the Japan date, not the UTC date', () => {
    // 2026-11-26T15:00Z is still the 26th in UTC but already the 27th in Japan.
    expect(deliveryHold('2026-12-07', AFTER_MIDNIGHT, 10).held).toBe(true);
    expect(deliveryHold('2026-12-06', AFTER_MIDNIGHT, 10).held).toBe(false);
  });

  it.each([
    ['2026-11-27', 1, false],
    ['2026-12-05', 9, false],
    ['2026-12-06', 10, true],
    ['2027-01-31', 66, true],
    ['2026-11-20', -6, false],
  ])('%s is %i days ahead on the 26th (held: %s)', (date, days, held) => {
    const h = deliveryHold(date, BEFORE_MIDNIGHT, 10);
    expect(h.daysAhead).toBe(days);
    expect(h.held).toBe(held);
  });

  it('the store sets the window', () => {
    expect(deliveryHold('2026-11-29', BEFORE_MIDNIGHT, 3).held).toBe(true);
    expect(deliveryHold('2026-11-29', BEFORE_MIDNIGHT, 4).held).toBe(false);
  });

  it('no requested date, no hold', () => {
    expect(deliveryHold(null, BEFORE_MIDNIGHT, 10)).toEqual({ held: false, daysAhead: null, reason: null });
  });
});

import { describe, expect, it } from 'vitest';
import type { StatusGroup } from './order.js';
import { DEFAULT_STATUSES, S } from './statuses.js';
import { mayHoldStock } from './stock-holding.js';

// Written out by hand (not derived from the lists in stock-holding.ts): [at import, at fulfillment].
const SYSTEM: Record<string, [boolean, boolean]> = {
  [S.unknownProduct]: [true, false],
  [S.needsCheck]: [true, false],
  [S.customerComment]: [true, false],
  [S.reviewHold]: [true, false],
  [S.awaitingPayment]: [true, false],
  [S.readyToShip]: [true, true],
  [S.readyAfterStock]: [true, true],
  [S.waiting]: [true, true],
  [S.shipping]: [false, false],
  [S.shipped]: [false, false],
  [S.cancelRequested]: [false, false],
  [S.cancelling]: [false, false],
  [S.cancelled]: [false, false],
};

const CUSTOM: Record<StatusGroup, [boolean, boolean]> = {
  review: [true, false],
  payment: [true, false],
  fulfillment: [true, true],
  cancellation: [false, false],
};

const groupOf = new Map(DEFAULT_STATUSES.map((s) => [s.code, s.group]));

describe('mayHoldStock: which orders stock may go to', () => {
  it('the table covers every system status', () => {
    expect(Object.keys(SYSTEM).sort()).toEqual(
      DEFAULT_STATUSES.filter((s) => s.system)
        .map((s) => s.code)
        .sort(),
    );
  });

  it.each(Object.entries(SYSTEM))(
    'system status %s: [import, fulfillment] = %j',
    (code, [atImport, atFulfillment]) => {
      const status = { code, group: groupOf.get(code)!, system: true };
      expect(mayHoldStock(status, 'import')).toBe(atImport);
      expect(mayHoldStock(status, 'fulfillment')).toBe(atFulfillment);
    },
  );

  it.each(Object.entries(CUSTOM))(
    'a custom status of group %s: [import, fulfillment] = %j',
    (group, [atImport, atFulfillment]) => {
      const status = { code: `custom_${group}`, group: group as StatusGroup, system: false };
      expect(mayHoldStock(status, 'import')).toBe(atImport);
      expect(mayHoldStock(status, 'fulfillment')).toBe(atFulfillment);
    },
  );

  it('the seed’s spare 出荷保留1 (a custom fulfillment status) holds under both timings', () => {
    const hold = DEFAULT_STATUSES.find((s) => s.code === 'hold_1')!;
    expect(hold.system).toBe(false);
    expect(mayHoldStock(hold, 'import')).toBe(true);
    expect(mayHoldStock(hold, 'fulfillment')).toBe(true);
  });

  it('the group decides for a custom status, the code for a system one', () => {
    // A custom status that happens to share a system code's name is still judged by its group.
    expect(mayHoldStock({ code: S.readyToShip, group: 'cancellation', system: false }, 'import')).toBe(false);
    expect(mayHoldStock({ code: S.shipped, group: 'fulfillment', system: false }, 'fulfillment')).toBe(true);
  });

  it('after the shipping instruction nothing takes stock, whatever the status and timing', () => {
    const statuses = [
      ...DEFAULT_STATUSES,
      ...Object.keys(CUSTOM).map((g) => ({ code: `custom_${g}`, group: g as StatusGroup, system: false })),
    ];
    for (const s of statuses)
      for (const timing of ['import', 'fulfillment'] as const) {
        expect(mayHoldStock(s, timing, true), `${s.code} ${timing}`).toBe(false);
        // Not instructed is the default.
        expect(mayHoldStock(s, timing, false)).toBe(mayHoldStock(s, timing));
      }
  });

  it('an order on 引当保留 takes no stock, whatever the status and timing', () => {
    for (const s of DEFAULT_STATUSES)
      for (const timing of ['import', 'fulfillment'] as const) {
        expect(mayHoldStock(s, timing, false, true), `${s.code} ${timing}`).toBe(false);
        expect(mayHoldStock(s, timing, false, false)).toBe(mayHoldStock(s, timing));
      }
  });
});

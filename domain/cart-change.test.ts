import { describe, expect, it } from 'vitest';
import {
  admitsNewOrder,
  type CartChange,
  decideCartChange,
  type IncomingVersion,
  type StoredVersion,
} from './cart-change.js';
import { DEFAULT_STATUSES, S } from './statuses.js';

const GROUP = new Map(DEFAULT_STATUSES.map((s) => [s.code, s.group]));

/** What we hold: in `status`, instructed when the status says so, unpaid, no remarks. */
function stored(status: string, over: Partial<StoredVersion> = {}): StoredVersion {
  return {
    status,
    group: GROUP.get(status) ?? 'review',
    system: true,
    instructed: [S.shipping, S.shipped, S.cancelling].includes(status as never),
    cartCancelled: false,
    paid: false,
    customerRemarks: null,
    payloadHash: 'payload-1',
    pendingPayloadHash: null,
    contentHash: 'content-1',
    ...over,
  };
}

/** The cart's new version: by default only its progress moved (new payload hash, same content). */
function incoming(over: Partial<IncomingVersion> = {}): IncomingVersion {
  return {
    cancelledInCart: false,
    paidAt: null,
    customerRemarks: null,
    payloadHash: 'payload-2',
    contentHash: 'content-1',
    ...over,
  };
}

const CONTENT_CHANGED = { contentHash: 'content-2' } as const;
const CANCELLED = { cancelledInCart: true } as const;
const PAID = { paidAt: '2026-11-26T10:00:00+09:00' } as const;

const statusOnly = (over: Partial<Extract<CartChange, { kind: 'status-only' }>> = {}): CartChange => ({
  kind: 'status-only',
  newlyPaid: false,
  moveOnPaid: false,
  cancelledAfterShipping: false,
  ...over,
});
const replace = (over: Partial<Extract<CartChange, { kind: 'replace' }>> = {}): CartChange => ({
  kind: 'replace',
  remarksChanged: false,
  keepStatus: false,
  ...over,
});

const SYSTEM_CODES = DEFAULT_STATUSES.filter((s) => s.system).map((s) => s.code);
const CANCELLATION = [S.cancelRequested, S.cancelling, S.cancelled];
/** Before the shipping instruction and not being cancelled: the cart's edits are applied. */
const OPEN = [
  S.unknownProduct,
  S.needsCheck,
  S.customerComment,
  S.reviewHold,
  S.awaitingPayment,
  S.readyToShip,
  S.readyAfterStock,
  S.waiting,
];

describe('decideCartChange: a cart version of an order we already have', () => {
  it.each<{ name: string; existing: StoredVersion; next: IncomingVersion; want: CartChange }>([
    // unchanged: the very version we hold, or the one set aside for a human
    {
      name: 'same payload: unchanged',
      existing: stored(S.readyToShip),
      next: incoming({ payloadHash: 'payload-1' }),
      want: { kind: 'unchanged' },
    },
    {
      name: 'same payload wins over everything else it says (cancelled, paid, new content)',
      existing: stored(S.awaitingPayment),
      next: incoming({ payloadHash: 'payload-1', ...CANCELLED, ...PAID, ...CONTENT_CHANGED }),
      want: { kind: 'unchanged' },
    },
    {
      name: 'the version already set aside after the instruction: unchanged (no second flag)',
      existing: stored(S.shipping, { pendingPayloadHash: 'payload-2' }),
      next: incoming(CONTENT_CHANGED),
      want: { kind: 'unchanged' },
    },

    // cancel
    {
      name: 'cancelled in the cart before the instruction: cancel',
      existing: stored(S.readyToShip),
      next: incoming(CANCELLED),
      want: { kind: 'cancel' },
    },
    {
      name: 'cancelled in the cart after the instruction: cancel (the flow goes through キャンセル対応中)',
      existing: stored(S.shipping),
      next: incoming(CANCELLED),
      want: { kind: 'cancel' },
    },
    {
      name: 'cancelled together with a content change: cancel, the content is not applied',
      existing: stored(S.waiting),
      next: incoming({ ...CANCELLED, ...CONTENT_CHANGED }),
      want: { kind: 'cancel' },
    },
    {
      name: 'cancelled in a custom status: cancel',
      existing: stored('hold_1', { group: 'fulfillment', system: false }),
      next: incoming(CANCELLED),
      want: { kind: 'cancel' },
    },
    {
      name: 'the cart cancel we already recorded: not again (status only)',
      existing: stored(S.readyToShip, { cartCancelled: true }),
      next: incoming(CANCELLED),
      want: statusOnly(),
    },
    {
      name: 'cancelled in the cart while we already cancel it: status only',
      existing: stored(S.cancelRequested),
      next: incoming(CANCELLED),
      want: statusOnly(),
    },

    // status only
    {
      name: 'only the cart status or times moved: status only',
      existing: stored(S.readyToShip),
      next: incoming(),
      want: statusOnly(),
    },
    {
      name: 'newly paid while 入金待ち: status only, moves on',
      existing: stored(S.awaitingPayment),
      next: incoming(PAID),
      want: statusOnly({ newlyPaid: true, moveOnPaid: true }),
    },
    {
      name: 'newly paid in review: recorded, stays',
      existing: stored(S.customerComment),
      next: incoming(PAID),
      want: statusOnly({ newlyPaid: true }),
    },
    {
      name: 'paid again (we have the payment): nothing new',
      existing: stored(S.awaitingPayment, { paid: true }),
      next: incoming(PAID),
      want: statusOnly(),
    },
    {
      name: 'still unpaid in 入金待ち: stays',
      existing: stored(S.awaitingPayment),
      next: incoming(),
      want: statusOnly(),
    },
    {
      name: 'cancelled in the cart after we shipped: status only, flagged for a human',
      existing: stored(S.shipped),
      next: incoming(CANCELLED),
      want: statusOnly({ cancelledAfterShipping: true }),
    },
    {
      name: 'shipped, the cart cancel already recorded: not flagged again',
      existing: stored(S.shipped, { cartCancelled: true }),
      next: incoming(CANCELLED),
      want: statusOnly(),
    },
    {
      name: 'content changed while being cancelled: status only (never rewritten)',
      existing: stored(S.cancelling),
      next: incoming(CONTENT_CHANGED),
      want: statusOnly(),
    },
    {
      name: 'content changed after キャンセル済み: status only, payment still recorded',
      existing: stored(S.cancelled),
      next: incoming({ ...CONTENT_CHANGED, ...PAID }),
      want: statusOnly({ newlyPaid: true }),
    },

    // flag
    {
      name: 'content changed after the instruction: flag',
      existing: stored(S.shipping),
      next: incoming(CONTENT_CHANGED),
      want: { kind: 'flag' },
    },
    {
      name: 'content changed after shipping: flag',
      existing: stored(S.shipped),
      next: incoming(CONTENT_CHANGED),
      want: { kind: 'flag' },
    },
    {
      name: 'shipped, and the cart now names the carrier the shipment report set: status only',
      existing: stored(S.shipped),
      next: incoming({ ...CONTENT_CHANGED, contentHashWithoutCarrier: 'content-1' }),
      want: statusOnly(),
    },
    {
      name: 'shipped, a carrier and another change: flag',
      existing: stored(S.shipped),
      next: incoming({ ...CONTENT_CHANGED, contentHashWithoutCarrier: 'content-3' }),
      want: { kind: 'flag' },
    },
    {
      name: 'instructed, not shipped, the cart names a carrier: flag (no report of ours set it)',
      existing: stored(S.shipping),
      next: incoming({ ...CONTENT_CHANGED, contentHashWithoutCarrier: 'content-1' }),
      want: { kind: 'flag' },
    },
    {
      name: 'content changed and cancelled after shipping: flag',
      existing: stored(S.shipped),
      next: incoming({ ...CONTENT_CHANGED, ...CANCELLED }),
      want: { kind: 'flag' },
    },
    {
      name: 'instructed but parked in a custom status: flag',
      existing: stored('hold_1', { group: 'fulfillment', system: false, instructed: true }),
      next: incoming(CONTENT_CHANGED),
      want: { kind: 'flag' },
    },

    // replace
    {
      name: 'content changed before the instruction: replace and check again',
      existing: stored(S.readyToShip),
      next: incoming(CONTENT_CHANGED),
      want: replace(),
    },
    {
      name: 'new remarks: replace, the comment is read again',
      existing: stored(S.readyToShip),
      next: incoming({ ...CONTENT_CHANGED, customerRemarks: '午前中希望' }),
      want: replace({ remarksChanged: true }),
    },
    {
      name: 'remarks removed: changed too',
      existing: stored(S.customerComment, { customerRemarks: '午前中希望' }),
      next: incoming(CONTENT_CHANGED),
      want: replace({ remarksChanged: true }),
    },
    {
      name: 'same remarks: not changed',
      existing: stored(S.customerComment, { customerRemarks: '午前中希望' }),
      next: incoming({ ...CONTENT_CHANGED, customerRemarks: '午前中希望' }),
      want: replace(),
    },
    {
      name: 'no remarks and empty remarks are the same',
      existing: stored(S.readyToShip, { customerRemarks: '' }),
      next: incoming({ ...CONTENT_CHANGED, customerRemarks: null }),
      want: replace(),
    },
    {
      name: 'in 確認待ち保留: replace, the operator’s hold stays',
      existing: stored(S.reviewHold),
      next: incoming(CONTENT_CHANGED),
      want: replace({ keepStatus: true }),
    },
    {
      name: 'in a custom review status: replace, the hold stays',
      existing: stored('vip_check', { group: 'review', system: false }),
      next: incoming(CONTENT_CHANGED),
      want: replace({ keepStatus: true }),
    },
    {
      name: 'in a custom fulfillment status: replace, the hold stays',
      existing: stored('hold_1', { group: 'fulfillment', system: false }),
      next: incoming(CONTENT_CHANGED),
      want: replace({ keepStatus: true }),
    },
    {
      name: 'content changed and newly paid before the instruction: replace (the payment comes with it)',
      existing: stored(S.awaitingPayment),
      next: incoming({ ...CONTENT_CHANGED, ...PAID }),
      want: replace(),
    },
  ])('$name', ({ existing, next, want }) => {
    expect(decideCartChange(existing, next)).toEqual(want);
  });

  it('every system status: what a cancel, a progress change and a content change each mean', () => {
    const seen: Record<string, string[]> = {};
    for (const status of SYSTEM_CODES) {
      const existing = stored(status);
      seen[status] = [
        decideCartChange(existing, incoming(CANCELLED)).kind,
        decideCartChange(existing, incoming()).kind,
        decideCartChange(existing, incoming(CONTENT_CHANGED)).kind,
      ];
    }
    const want: Record<string, string[]> = {};
    for (const s of OPEN) want[s] = ['cancel', 'status-only', 'replace'];
    want[S.shipping] = ['cancel', 'status-only', 'flag'];
    want[S.shipped] = ['status-only', 'status-only', 'flag'];
    for (const s of CANCELLATION) want[s] = ['status-only', 'status-only', 'status-only'];
    expect(seen).toEqual(want);
  });

  it('keeps the status only for 確認待ち保留 and custom statuses', () => {
    for (const status of OPEN) {
      const d = decideCartChange(stored(status), incoming(CONTENT_CHANGED));
      expect(d, status).toEqual(replace({ keepStatus: status === S.reviewHold }));
    }
  });
});

describe('admitsNewOrder: a cart order we do not have yet', () => {
  it.each([
    {
      name: 'any cart status when the store imports all',
      cancelled: false,
      status: '100',
      statuses: null,
      want: true,
    },
    {
      name: 'a cart status the store imports',
      cancelled: false,
      status: '300',
      statuses: ['300'],
      want: true,
    },
    {
      name: 'a cart status the store does not import',
      cancelled: false,
      status: '100',
      statuses: ['300', '400'],
      want: false,
    },
    { name: 'no import statuses at all', cancelled: false, status: '300', statuses: [], want: false },
    { name: 'cancelled in the cart', cancelled: true, status: '300', statuses: ['300'], want: false },
    {
      name: 'cancelled, even when every status is imported',
      cancelled: true,
      status: '900',
      statuses: null,
      want: false,
    },
  ])('$name', ({ cancelled, status, statuses, want }) => {
    expect(admitsNewOrder({ cancelledInCart: cancelled, cartStatus: status }, statuses)).toBe(want);
  });
});

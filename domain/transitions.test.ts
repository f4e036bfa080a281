import { describe, expect, it } from 'vitest';
import { deliveryHold } from './delivery.js';
import { AUTO_CONFIRM, DEFAULT_STATUSES, S, StatusCatalogue, type StatusDef } from './statuses.js';
import {
  autoTarget,
  fulfillmentDecision,
  type OrderFacts,
  planTransition,
  type TransitionPlan,
  type TransitionResult,
} from './transitions.js';

// The default catalogue plus a custom status in the review group (statuses are data).
const VIP: StatusDef = {
  code: 'vip_check',
  group: 'review',
  label: 'VIP確認',
  sortOrder: 150,
  system: false,
};
const catalogue = new StatusCatalogue([...DEFAULT_STATUSES, VIP]);
const ALL = catalogue.all.map((s) => s.code);

type FactLine = OrderFacts['lines'][number];
const line = (over: Partial<FactLine> = {}): FactLine => ({
  lineNo: 1,
  productCode: 'P1',
  cartProductCode: 'C1',
  cartOptionCode: null,
  needed: 2,
  held: 2,
  needsCheck: false,
  ...over,
});

const NOW = new Date('2026-11-26T03:00:00Z');
const noHold = deliveryHold(null, NOW, 10);

/** A clean order: every line held, nothing to review, not prepaid, no far date. */
function facts(status: string, over: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderNo: '00000042',
    status,
    instructed: [S.shipping, S.shipped, S.cancelling].includes(status as never),
    stockWaited: false,
    lines: [line()],
    customerRemarks: null,
    paymentMethod: 'クレジットカード',
    paidAt: null,
    prepaid: false,
    commentChecked: false,
    productChecked: false,
    deliveryHold: noHold,
    autoCompleteCancel: true,
    ...over,
  };
}

function ok(r: TransitionResult): TransitionPlan {
  if (!r.ok) throw new Error(`expected a plan, got: ${r.refusal}`);
  return r;
}
function refusal(r: TransitionResult): string {
  if (r.ok) throw new Error(`expected a refusal, got a move to ${r.to}`);
  return r.refusal;
}

// Before the shipping instruction an order may go to an operator's holding place, to cancel, and
// (being clean) anywhere in fulfillment but 出荷作業中 / 出荷完了; review places need their reason.
const BEFORE_INSTRUCTION = [
  S.reviewHold,
  VIP.code,
  'hold_1',
  S.cancelRequested,
  S.readyToShip,
  S.readyAfterStock,
  S.waiting,
];
const EXPECTED_ALLOWED: Record<string, string[]> = {
  unknown_product: BEFORE_INSTRUCTION,
  needs_check: BEFORE_INSTRUCTION,
  customer_comment: BEFORE_INSTRUCTION,
  review_hold: BEFORE_INSTRUCTION,
  vip_check: BEFORE_INSTRUCTION,
  awaiting_payment: BEFORE_INSTRUCTION,
  ready_to_ship: [...BEFORE_INSTRUCTION, S.shipping],
  ready_after_stock: [...BEFORE_INSTRUCTION, S.shipping],
  waiting: BEFORE_INSTRUCTION,
  hold_1: BEFORE_INSTRUCTION,
  shipping: [S.shipped, S.cancelRequested],
  shipped: [],
  cancel_requested: [S.cancelled],
  cancelling: [S.cancelled, S.shipped],
  cancelled: [],
};

describe('planTransition: every (from, to) pair', () => {
  it('covers every status of the catalogue', () => {
    expect(Object.keys(EXPECTED_ALLOWED).sort()).toEqual([...ALL].sort());
  });

  for (const from of ALL) {
    const allowed = new Set(EXPECTED_ALLOWED[from]!.filter((t) => t !== from));
    it(`from ${from}: allows exactly ${[...allowed].join(', ') || 'nothing'}`, () => {
      const got = ALL.filter((to) => planTransition(facts(from), to, catalogue).ok);
      expect(new Set(got)).toEqual(allowed);
      for (const to of ALL.filter((t) => !allowed.has(t))) {
        const text = refusal(planTransition(facts(from), to, catalogue));
        // The refusal names the order, both statuses and the rule (in brackets).
        expect(text).toMatch(/^受注No 00000042: .+ → .+ はできません（.+）$/);
        expect(text).toContain(`${catalogue.label(from)} → ${catalogue.label(to)}`);
      }
    });
  }

  it('a cancel requested after the shipping instruction only goes on to キャンセル対応中', () => {
    const f = facts(S.cancelRequested, { instructed: true });
    expect(ALL.filter((to) => planTransition(f, to, catalogue).ok)).toEqual([S.cancelling]);
    expect(refusal(planTransition(f, S.cancelled, catalogue))).toContain('キャンセル対応中からのみ');
  });

  it('refuses an unknown status by name', () => {
    expect(refusal(planTransition(facts(S.readyToShip), 'nope', catalogue))).toContain(
      'ステータス "nope" は存在しません',
    );
  });

  it('refuses to leave a final status whatever the target', () => {
    for (const from of [S.shipped, S.cancelled])
      for (const to of [...ALL, AUTO_CONFIRM])
        expect(refusal(planTransition(facts(from), to, catalogue))).toContain('の注文は変更できません');
  });

  it('review places need their reason; payment needs a prepaid, unpaid order', () => {
    const f = facts(S.readyToShip, {
      lines: [line({ productCode: null, held: 0 }), line({ lineNo: 2, needsCheck: true })],
      customerRemarks: '熨斗',
      paymentMethod: '銀行振込',
      prepaid: true,
    });
    for (const to of [S.unknownProduct, S.needsCheck, S.customerComment, S.awaitingPayment])
      expect(ok(planTransition(f, to, catalogue)).to).toBe(to);
    expect(refusal(planTransition(facts(S.readyToShip), S.unknownProduct, catalogue))).toContain(
      'すべての商品がマスタにあります',
    );
    expect(refusal(planTransition(facts(S.readyToShip), S.needsCheck, catalogue))).toContain(
      '要修正の商品がありません',
    );
    expect(refusal(planTransition(facts(S.readyToShip), S.customerComment, catalogue))).toContain(
      'お客様備考がありません',
    );
    expect(refusal(planTransition(facts(S.readyToShip), S.awaitingPayment, catalogue))).toContain(
      '前払いで未入金の注文ではありません',
    );
  });

  it('fulfillment is refused to an order with an unknown product or unpaid prepayment', () => {
    const unknown = facts(S.unknownProduct, { lines: [line({ productCode: null, held: 0 })] });
    expect(refusal(planTransition(unknown, S.readyToShip, catalogue))).toContain('マスタにない商品コード');
    expect(refusal(planTransition(unknown, S.waiting, catalogue))).toContain('マスタにない商品コード');
    const unpaid = facts(S.awaitingPayment, { paymentMethod: '銀行振込', prepaid: true });
    expect(refusal(planTransition(unpaid, S.readyToShip, catalogue))).toContain('入金待ち');
    const paid = facts(S.awaitingPayment, { paymentMethod: '銀行振込', prepaid: true, paidAt: NOW });
    expect(ok(planTransition(paid, S.readyToShip, catalogue)).to).toBe(S.readyToShip);
  });

  it('ready needs every line held and no far delivery date; waiting is always possible', () => {
    const short = facts(S.waiting, { lines: [line({ held: 1 })] });
    expect(refusal(planTransition(short, S.readyToShip, catalogue))).toContain('在庫不足: 行1 P1 1/2');
    const lost = facts(S.readyToShip, { lines: [line({ held: 1 })] });
    expect(ok(planTransition(lost, S.waiting, catalogue)).to).toBe(S.waiting);
    expect(ok(planTransition(facts(S.readyToShip), S.waiting, catalogue)).to).toBe(S.waiting);
    const far = facts(S.waiting, { deliveryHold: deliveryHold('2026-12-20', NOW, 10) });
    expect(refusal(planTransition(far, S.readyAfterStock, catalogue))).toContain('お届け指定日 2026-12-20');
  });

  it('the shipping instruction needs every line held, and sets the instruction', () => {
    const p = ok(planTransition(facts(S.readyToShip), S.shipping, catalogue));
    expect(p).toMatchObject({ to: S.shipping, instruct: true, stock: 'none' });
    const lost = facts(S.readyAfterStock, {
      lines: [line(), line({ lineNo: 2, productCode: 'P2', held: 0 })],
    });
    const text = refusal(planTransition(lost, S.shipping, catalogue));
    expect(text).toContain('受注No 00000042');
    expect(text).toContain('在庫不足: 行2 P2 0/2');
    expect(refusal(planTransition(facts(S.waiting), S.shipping, catalogue))).toContain(
      '出荷指示は新規受付分の出荷・在庫確認後の出荷からのみ',
    );
  });

  it('ship confirmation consumes the stock', () => {
    expect(ok(planTransition(facts(S.shipping), S.shipped, catalogue))).toMatchObject({
      to: S.shipped,
      stock: 'consume',
      attention: null,
    });
  });
});

describe('自動確認 (auto-confirm) from each review status', () => {
  const flagged = line({ needsCheck: true });

  it('マスタなし商品 stays refused while a product is unknown, moves on once it is known', () => {
    const unknown = facts(S.unknownProduct, { lines: [line({ productCode: null, held: 0 })] });
    const text = refusal(planTransition(unknown, AUTO_CONFIRM, catalogue));
    expect(text).toContain('マスタなし商品 → 自動確認 はできません');
    expect(text).toContain('C1');
    expect(ok(planTransition(facts(S.unknownProduct), AUTO_CONFIRM, catalogue)).to).toBe(S.readyToShip);
  });

  it('確認が必要な商品: acknowledges the products, then the next check applies', () => {
    const f = facts(S.needsCheck, { lines: [flagged], customerRemarks: 'ギフト包装で' });
    const p = ok(planTransition(f, AUTO_CONFIRM, catalogue));
    expect(p).toMatchObject({ to: S.customerComment, acknowledge: { productChecked: true } });
  });

  it('お客様コメント確認: acknowledges the remarks, then payment', () => {
    const f = facts(S.customerComment, {
      customerRemarks: 'ギフト包装で',
      paymentMethod: '銀行振込',
      prepaid: true,
    });
    const p = ok(planTransition(f, AUTO_CONFIRM, catalogue));
    expect(p).toMatchObject({ to: S.awaitingPayment, acknowledge: { commentChecked: true } });
  });

  it('確認待ち保留 and a custom review status re-run every check', () => {
    for (const from of [S.reviewHold, VIP.code]) {
      expect(ok(planTransition(facts(from, { lines: [flagged] }), AUTO_CONFIRM, catalogue)).to).toBe(
        S.needsCheck,
      );
      expect(ok(planTransition(facts(from), AUTO_CONFIRM, catalogue)).to).toBe(S.readyToShip);
      const short = ok(planTransition(facts(from, { lines: [line({ held: 0 })] }), AUTO_CONFIRM, catalogue));
      expect(short).toMatchObject({ to: S.waiting, reason: '在庫不足: 行1 P1 0/2' });
    }
  });

  it('入金待ち: refused until paid, then on to fulfillment', () => {
    const unpaid = facts(S.awaitingPayment, { paymentMethod: '銀行振込', prepaid: true });
    expect(refusal(planTransition(unpaid, AUTO_CONFIRM, catalogue))).toContain(
      '前払い（銀行振込）の入金待ち',
    );
    expect(ok(planTransition({ ...unpaid, paidAt: NOW }, AUTO_CONFIRM, catalogue)).to).toBe(S.readyToShip);
  });

  it('a far delivery date sends a checked order to 在庫なし / 納期指定あり with the reason', () => {
    const f = facts(S.reviewHold, { deliveryHold: deliveryHold('2026-12-31', NOW, 10) });
    const p = ok(planTransition(f, AUTO_CONFIRM, catalogue));
    expect(p.to).toBe(S.waiting);
    expect(p.reason).toContain('お届け指定日 2026-12-31（35日後');
  });

  it('is refused after the shipping instruction and during cancellation', () => {
    for (const from of [S.shipping, S.cancelRequested, S.cancelling])
      expect(refusal(planTransition(facts(from), AUTO_CONFIRM, catalogue))).toContain(
        '自動確認は出荷指示前の注文だけ',
      );
  });

  it('autoTarget is what the import uses: the first check that applies', () => {
    expect(
      autoTarget(facts(S.reviewHold, { lines: [line({ productCode: null, held: 0 }), flagged] })).to,
    ).toBe(S.unknownProduct);
    expect(autoTarget(facts(S.reviewHold, { lines: [flagged] }), { productChecked: true }).to).toBe(
      S.readyToShip,
    );
  });
});

describe('cancellation chains', () => {
  it('before the instruction: キャンセル指示待ち → キャンセル済み by itself, releasing the stock', () => {
    const first = ok(planTransition(facts(S.readyToShip), S.cancelRequested, catalogue));
    expect(first).toMatchObject({ to: S.cancelRequested, stock: 'none', followUp: S.cancelled });
    const second = ok(planTransition(facts(S.cancelRequested), S.cancelled, catalogue));
    expect(second).toMatchObject({ to: S.cancelled, stock: 'release' });
  });

  it('a store that completes cancels by hand: the chain stops at キャンセル指示待ち', () => {
    const p = ok(
      planTransition(facts(S.waiting, { autoCompleteCancel: false }), S.cancelRequested, catalogue),
    );
    expect(p.followUp).toBeNull();
  });

  it('after the instruction: → キャンセル対応中, then stopped (release) or too late (consume, flagged)', () => {
    const first = ok(planTransition(facts(S.shipping), S.cancelRequested, catalogue));
    expect(first.followUp).toBe(S.cancelling);
    const f = facts(S.cancelRequested, { instructed: true });
    expect(ok(planTransition(f, S.cancelling, catalogue)).stock).toBe('none');
    expect(ok(planTransition(facts(S.cancelling), S.cancelled, catalogue)).stock).toBe('release');
    const late = ok(planTransition(facts(S.cancelling), S.shipped, catalogue));
    expect(late).toMatchObject({ to: S.shipped, stock: 'consume' });
    expect(late.attention).toContain('キャンセルが間に合わず');
  });

  it('a shipped order cannot be cancelled; a cancel cannot be requested twice', () => {
    expect(refusal(planTransition(facts(S.shipped), S.cancelRequested, catalogue))).toContain('出荷完了');
    expect(refusal(planTransition(facts(S.cancelling), S.cancelRequested, catalogue))).toContain(
      'すでにキャンセル対応中',
    );
    expect(refusal(planTransition(facts(S.readyToShip), S.cancelled, catalogue))).toContain(
      'キャンセル指示待ち（出荷指示前）かキャンセル対応中からのみ',
    );
  });
});

describe('fulfillmentDecision', () => {
  const held = [line({ needed: 1, held: 1 })];
  it('ready when held and near; 在庫確認後 once it waited; waiting with every reason otherwise', () => {
    expect(fulfillmentDecision({ lines: held, deliveryHold: noHold, stockWaited: false }).to).toBe(
      S.readyToShip,
    );
    expect(fulfillmentDecision({ lines: held, deliveryHold: noHold, stockWaited: true }).to).toBe(
      S.readyAfterStock,
    );
    const d = fulfillmentDecision({
      lines: [{ ...held[0]!, held: 0 }],
      deliveryHold: deliveryHold('2026-12-31', NOW, 10),
      stockWaited: false,
    });
    expect(d.to).toBe(S.waiting);
    expect(d.reason).toMatch(/^在庫不足: 行1 P1 0\/1 \/ お届け指定日 2026-12-31/);
  });
});

describe('statuses are data', () => {
  it('renaming changes the labels in the refusals, never the rules', () => {
    const renamed = new StatusCatalogue(
      catalogue.all.map((s) =>
        s.code === 'hold_1' ? { ...s, label: '予約注文' } : { ...s, label: `${s.label}（改）` },
      ),
    );
    for (const from of ALL)
      for (const to of [...ALL, AUTO_CONFIRM]) {
        const a = planTransition(facts(from), to, catalogue);
        const b = planTransition(facts(from), to, renamed);
        expect(b.ok).toBe(a.ok);
        if (a.ok && b.ok) expect(b.to).toBe(a.to);
      }
    const text = refusal(planTransition(facts(S.waiting), S.shipping, renamed));
    expect(text).toContain('在庫なし / 納期指定あり（改） → 出荷作業中（改）');
    expect(ok(planTransition(facts(S.readyToShip), 'hold_1', renamed)).to).toBe('hold_1');
  });
});

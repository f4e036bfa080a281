// One place decides every status move: import (自動確認 at arrival), the detail screen, bulk changes,
// the shipping instruction, ship confirmation and cancellation all ask `planTransition`. It returns
// what to do (target status, reason, stock effect, flags) or a refusal naming the order and the rule.
import { describeShortage, type LineHold, shortLines } from './allocation.js';
import type { CartRelease } from './cart-release.js';
import { type Classification, type ClassifyLine, classifyOrder } from './classify.js';
import type { DeliveryHold } from './delivery.js';
import type { StatusGroup } from './order.js';
import { AUTO_CONFIRM, S, type StatusCatalogue } from './statuses.js';

export interface OrderFacts {
  orderNo: string;
  status: string;
  /** The shipping instruction was given (出荷指示済み). */
  instructed: boolean;
  /** It has sat in 在庫なし / 納期指定あり before (then ready means 在庫確認後の出荷). */
  stockWaited: boolean;
  lines: ReadonlyArray<LineHold & Pick<ClassifyLine, 'needsCheck' | 'cartOptionCode'>>;
  customerRemarks: string | null;
  paymentMethod: string | null;
  paidAt: string | Date | null;
  prepaid: boolean;
  commentChecked: boolean;
  productChecked: boolean;
  deliveryHold: DeliveryHold;
  autoCompleteCancel: boolean;
  /** Whether the cart has released it for shipping (Rakuten 100/200 have not); absent: no word. */
  cartRelease?: CartRelease;
}

export type StockEffect = 'none' | 'release' | 'consume';

export interface TransitionPlan {
  ok: true;
  from: string;
  to: string;
  reason: string | null;
  stock: StockEffect;
  /** Set shipping_instructed_at (the move is the shipping instruction). */
  instruct: boolean;
  acknowledge: { commentChecked?: true; productChecked?: true };
  /** Mark that the order waited in 在庫なし / 納期指定あり. */
  markWaited: boolean;
  /** Flag the order for a human (e.g. a cancel that came too late). */
  attention: string | null;
  /** A move that must follow at once, by the system (cancel → cancelled when nothing shipped). */
  followUp: string | null;
}

export interface TransitionRefusal {
  ok: false;
  from: string;
  to: string;
  refusal: string;
}

export type TransitionResult = TransitionPlan | TransitionRefusal;

const FINAL = new Set<string>([S.shipped, S.cancelled]);

function plan(from: string, to: string, extra: Partial<TransitionPlan> = {}): TransitionPlan {
  return {
    ok: true,
    from,
    to,
    reason: null,
    stock: 'none',
    instruct: false,
    acknowledge: {},
    markWaited: false,
    attention: null,
    followUp: null,
    ...extra,
  };
}

/** Where a checked order goes within fulfillment: ready when every line is held and no far date, else waiting. */
export function fulfillmentDecision(f: Pick<OrderFacts, 'lines' | 'deliveryHold' | 'stockWaited'>): {
  to: typeof S.readyToShip | typeof S.readyAfterStock | typeof S.waiting;
  reason: string | null;
} {
  const short = shortLines(f.lines);
  const reasons = [short.length ? describeShortage(short) : null, f.deliveryHold.reason].filter(Boolean);
  if (reasons.length) return { to: S.waiting, reason: reasons.join(' / ') };
  return { to: f.stockWaited ? S.readyAfterStock : S.readyToShip, reason: null };
}

function classify(f: OrderFacts, ack: TransitionPlan['acknowledge']): Classification {
  return classifyOrder({
    lines: f.lines,
    customerRemarks: f.customerRemarks,
    paymentMethod: f.paymentMethod,
    paidAt: f.paidAt,
    prepaid: f.prepaid,
    commentChecked: f.commentChecked || ack.commentChecked === true,
    productChecked: f.productChecked || ack.productChecked === true,
  });
}

/** Checking an order in a review status acknowledges what that status was about. */
function acknowledgementFor(status: string): TransitionPlan['acknowledge'] {
  if (status === S.needsCheck) return { productChecked: true };
  if (status === S.customerComment) return { commentChecked: true };
  return {};
}

/**
 * The next status a checked order goes to by itself: the first review/payment status that applies,
 * else its place in fulfillment. Used at import and by 自動確認.
 */
export function autoTarget(
  f: OrderFacts,
  ack: TransitionPlan['acknowledge'] = {},
): { to: string; reason: string | null } {
  const c = classify(f, ack);
  if (c.next !== 'fulfillment') return { to: c.next, reason: c.reason };
  return fulfillmentDecision(f);
}

export function planTransition(f: OrderFacts, target: string, statuses: StatusCatalogue): TransitionResult {
  const from = f.status;
  const refuse = (rule: string): TransitionRefusal => ({
    ok: false,
    from,
    to: target,
    refusal: `受注No ${f.orderNo}: ${statuses.label(from)} → ${target === AUTO_CONFIRM ? '自動確認' : statuses.label(target)} はできません（${rule}）`,
  });
  if (target !== AUTO_CONFIRM && !statuses.has(target))
    return refuse(`ステータス "${target}" は存在しません`);
  if (FINAL.has(from)) return refuse(`${statuses.label(from)}の注文は変更できません`);
  const fromGroup: StatusGroup = statuses.groupOf(from);
  const cancelling = fromGroup === 'cancellation';
  const active = !cancelling && !f.instructed && from !== S.shipping;

  if (target === AUTO_CONFIRM) {
    if (!active) return refuse('自動確認は出荷指示前の注文だけ');
    const acknowledge = acknowledgementFor(from);
    const next = autoTarget(f, acknowledge);
    if (next.to === from) return refuse(next.reason ?? '確認することが残っていません');
    return plan(from, next.to, { reason: next.reason, acknowledge, markWaited: false });
  }
  if (target === from) return refuse('同じステータスです');

  const toGroup = statuses.groupOf(target);
  const toSystem = statuses.get(target).system;
  const c = () => classify(f, acknowledgementFor(from));

  // Cancellation: the only way out once the shipping instruction was given.
  if (target === S.cancelRequested) {
    if (cancelling) return refuse('すでにキャンセル対応中');
    if (from === S.shipped) return refuse('出荷済みの注文はキャンセルできません');
    const followUp = f.instructed ? S.cancelling : f.autoCompleteCancel ? S.cancelled : null;
    return plan(from, target, { reason: 'キャンセル', followUp });
  }
  if (target === S.cancelling) {
    if (from !== S.cancelRequested) return refuse('キャンセル対応中へはキャンセル指示待ちからのみ');
    if (!f.instructed) return refuse('出荷指示前の注文は倉庫の対応なしにキャンセル済みにできます');
    return plan(from, target, { reason: '倉庫に出荷停止を依頼' });
  }
  if (target === S.cancelled) {
    if (from === S.cancelRequested && !f.instructed)
      return plan(from, target, { stock: 'release', reason: 'キャンセル完了' });
    if (from === S.cancelling)
      return plan(from, target, { stock: 'release', reason: '倉庫が出荷を止めました' });
    return refuse('キャンセル済みへはキャンセル指示待ち（出荷指示前）かキャンセル対応中からのみ');
  }
  if (cancelling) {
    if (from === S.cancelling && target === S.shipped)
      return plan(from, target, {
        stock: 'consume',
        reason: 'キャンセルが間に合わず出荷されました',
        attention: 'キャンセルが間に合わず出荷済み: お客様・カートへの対応が必要です',
      });
    return refuse('キャンセル対応中の注文はキャンセルを完了するか、間に合わなかった場合は出荷完了にします');
  }

  // Shipping stages.
  if (target === S.shipping) {
    if (from !== S.readyToShip && from !== S.readyAfterStock)
      return refuse('出荷指示は新規受付分の出荷・在庫確認後の出荷からのみ');
    if (f.cartRelease && !f.cartRelease.released) return refuse(f.cartRelease.reason);
    const short = shortLines(f.lines);
    if (short.length) return refuse(describeShortage(short));
    return plan(from, target, { instruct: true, reason: '出荷指示' });
  }
  if (target === S.shipped) {
    if (from !== S.shipping) return refuse('出荷完了は出荷作業中からのみ');
    return plan(from, target, { stock: 'consume', reason: '出荷完了' });
  }
  if (!active) return refuse('出荷指示後はキャンセルか出荷完了のみ');

  // Moves among the checks, payment and the waiting/ready places before the shipping instruction.
  if (!toSystem || target === S.reviewHold) return plan(from, target, { reason: '保留', acknowledge: {} });
  if (target === S.unknownProduct) {
    const unknown = f.lines.filter((l) => l.productCode === null);
    return unknown.length
      ? plan(from, target, { reason: c().reason })
      : refuse('すべての商品がマスタにあります');
  }
  if (target === S.needsCheck) {
    return f.lines.some((l) => l.needsCheck)
      ? plan(from, target, { reason: '要修正の商品' })
      : refuse('要修正の商品がありません');
  }
  if (target === S.customerComment) {
    return f.customerRemarks?.trim()
      ? plan(from, target, { reason: 'お客様備考あり' })
      : refuse('お客様備考がありません');
  }
  if (target === S.awaitingPayment) {
    // The payment itself decides, not the other checks (an unknown product does not make it paid).
    return f.prepaid && !f.paidAt
      ? plan(from, target, { reason: `前払い（${f.paymentMethod}）の入金待ち` })
      : refuse('前払いで未入金の注文ではありません');
  }
  if (toGroup === 'fulfillment') {
    const acknowledge = acknowledgementFor(from);
    const cl = classify(f, acknowledge);
    if (cl.next === S.unknownProduct || cl.next === S.awaitingPayment) return refuse(cl.reason);
    if (target === S.waiting) return plan(from, target, { reason: '在庫・納期の確認待ち', acknowledge });
    const d = fulfillmentDecision(f);
    if (d.to === S.waiting) return refuse(d.reason ?? '出荷できる状態ではありません');
    // Ready: 在庫確認後 only for orders that waited; the operator may pick either label.
    return plan(from, target, { reason: '確認済み', acknowledge });
  }
  return refuse('この移動は定義されていません');
}

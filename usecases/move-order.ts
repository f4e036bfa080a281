// The in-transaction steps every status operation shares (not an operation itself): move a locked
// order where domain/transitions.ts says (following any chained move), and put an order where its
// stock holds say it belongs. The caller owns the transaction.
import type { Db } from '../db/db.js';
import {
  type Actor,
  applyPlan,
  lockOrder,
  noteWaiting,
  readOrderFacts,
  type StoreSettingsCache,
} from '../db/order-status.js';
import { loadStatuses } from '../db/statuses.js';
import { formatOrderNo } from '../domain/order.js';
import { S, type StatusCatalogue } from '../domain/statuses.js';
import { fulfillmentDecision, planTransition, type TransitionPlan } from '../domain/transitions.js';
import { type ChangeResult, missingOrder } from './results.js';

export interface ActionContext {
  statuses: StatusCatalogue;
  now: Date;
  /** Store settings read during this operation (they do not change under it). */
  settings: StoreSettingsCache;
}

export async function actionContext(db: Db, now: Date): Promise<ActionContext> {
  return { statuses: await loadStatuses(db), now, settings: new Map() };
}

/**
 * Moves an order to `target` (a status code or 自動確認 `auto`), following any move the plan chains
 * (cancel → cancelled). Refusals change nothing and come back as the result.
 */
export async function moveOrder(
  trx: Db,
  orderId: number,
  target: string,
  actor: Actor,
  ctx: ActionContext,
  reason?: string,
): Promise<ChangeResult> {
  let row = await lockOrder(trx, orderId);
  if (!row) return missingOrder(orderId);
  const orderNo = formatOrderNo(row.order_seq);
  const first = row.status_code;
  let next: string | null = target;
  let lastPlan: TransitionPlan | null = null;
  let by = actor;
  while (next) {
    const p = planTransition(await readOrderFacts(trx, row, ctx.now, ctx.settings), next, ctx.statuses);
    if (!p.ok) {
      if (lastPlan) break; // a chained follow-up that does not apply leaves the first move done
      return { orderId, orderNo, ok: false, from: first, to: null, message: p.refusal };
    }
    await applyPlan(trx, row, p, by, ctx.now, lastPlan ? undefined : reason);
    lastPlan = p;
    next = p.followUp;
    by = 'system';
    row = (await lockOrder(trx, orderId))!;
  }
  return {
    orderId,
    orderNo,
    ok: true,
    from: first,
    to: row.status_code,
    message: `${ctx.statuses.label(first)} → ${ctx.statuses.label(row.status_code)}`,
  };
}

/**
 * Puts an order where its holds say it belongs: 在庫なし / 納期指定あり → ready once every line is
 * held and the date is near; ready → 在庫なし when a line lost its stock. Null when it stays.
 */
export async function settleOrder(
  trx: Db,
  orderId: number,
  ctx: ActionContext,
): Promise<ChangeResult | null> {
  const row = await lockOrder(trx, orderId);
  if (!row) return null;
  if (![S.waiting, S.readyToShip, S.readyAfterStock].includes(row.status_code as never)) return null;
  const facts = await readOrderFacts(trx, row, ctx.now, ctx.settings);
  const d = fulfillmentDecision(facts);
  if (d.to === row.status_code || (d.to !== S.waiting && row.status_code !== S.waiting)) {
    if (d.to === S.waiting && (!row.stock_waited || row.status_reason !== d.reason))
      await noteWaiting(trx, orderId, d.reason);
    return null;
  }
  const p = planTransition(facts, d.to, ctx.statuses);
  if (!p.ok) return null;
  // The holds decide, not a person: the reason is the decision's own (none when ready).
  await applyPlan(trx, row, { ...p, reason: d.reason, markWaited: d.to === S.waiting }, 'system', ctx.now);
  return {
    orderId,
    orderNo: formatOrderNo(row.order_seq),
    ok: true,
    from: row.status_code,
    to: d.to,
    message: `${ctx.statuses.label(row.status_code)} → ${ctx.statuses.label(d.to)}`,
  };
}

// Operation: 再送 — a human sends a failed (失敗) or refused (要対応) cart action again. The row goes
// back to pending in a new round (one UPDATE, guarded by its state), whose job id is new (the old job
// may still sit in the failed set); after it, the delivery job is enqueued. If Redis does not take
// the job, the action is pending and due, and the minute's sweep enqueues it. Who sent it (an
// operator's actor, cli) and when are kept on the row and shown on the order screen.
import { getCartAction, resendCartAction as resend } from '../db/cart-actions.js';
import { KIND_LABELS, STATE_LABELS } from '../domain/cart-action-view.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionQueue, enqueueCartActions } from './enqueue-cart-actions.js';

export type ResendResult =
  | { ok: true; round: number; queued: boolean; message: string }
  | { ok: false; notFound?: true; message: string };

export async function resendCartAction(
  deps: UseCaseDeps & { queues?: CartActionQueue },
  input: { actionId: number; actor: string },
): Promise<ResendResult> {
  const row = await resend(deps.db, input.actionId, deps.now(), input.actor);
  if (!row) {
    const now = await getCartAction(deps.db, input.actionId);
    if (!now) return { ok: false, notFound: true, message: `カート連携 ${input.actionId} はありません。` };
    return {
      ok: false,
      message: `カート連携 ${input.actionId}（${KIND_LABELS[now.kind]}）は${STATE_LABELS[now.state]}のため再送できません（失敗・要対応のものだけ再送できます）。`,
    };
  }
  const queued = await enqueueCartActions(deps.queues, [row]);
  const what = `カート連携 ${row.id}（${KIND_LABELS[row.kind]}${row.cart_order_no ? `、注文 ${row.cart_order_no}` : ''}）`;
  return {
    ok: true,
    round: row.retries,
    queued,
    message: queued
      ? `${what}を再送します（${row.retries} 回目の再送）。`
      : `${what}を送信待ちに戻しました。ジョブを登録できなかったため、1分以内に自動で送信します。`,
  };
}

// Operation: 再送 — a human sends a failed (失敗) or refused (要確認) cart action again. The row goes
// back to pending in a new round, whose job id is new (the old job may still sit in the failed set).
import { resendCartAction as resend } from '../db/cart-actions.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionQueue, enqueueCartActions } from './enqueue-cart-actions.js';

export async function resendCartAction(
  deps: UseCaseDeps & { queues?: CartActionQueue },
  input: { actionId: number },
): Promise<{ ok: true; round: number } | { ok: false; message: string }> {
  const row = await resend(deps.db, input.actionId, deps.now());
  if (!row)
    return {
      ok: false,
      message: `カート連携 ${input.actionId} は再送できません（失敗・要確認のものだけ再送できます）。`,
    };
  await enqueueCartActions(deps.queues, [row]);
  return { ok: true, round: row.retries };
}

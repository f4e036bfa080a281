// Operation: the cancellation flow of orders, step by step — ask (キャンセル指示待ち; on to キャンセル
// 済み by itself when the store completes cancels and nothing was handed to the warehouse), the
// warehouse stopped the parcel (キャンセル対応中 → 済み), or it shipped anyway (→ 出荷完了, flagged).
// A result per order; stock an order gives back goes to the oldest waiting orders after commit.
import type { Actor } from '../db/order-status.js';
import { S } from '../domain/statuses.js';
import { changeStatuses } from './change-status.js';
import type { ChangeResult } from './results.js';
import type { SettleDeps } from './settle-after-stock-change.js';

export type CancelStep = 'request' | 'complete' | 'too-late';

const TARGET: Record<CancelStep, string> = {
  request: S.cancelRequested,
  complete: S.cancelled,
  'too-late': S.shipped,
};

export function cancelOrders(
  deps: SettleDeps,
  input: { orderIds: readonly number[]; step: CancelStep; actor: Actor; reason?: string },
): Promise<ChangeResult[]> {
  return changeStatuses(deps, { ...input, target: TARGET[input.step] });
}

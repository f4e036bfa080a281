// Operation: cancel an order (キャンセル指示待ち; on to キャンセル済み by itself when the store
// completes cancels automatically and nothing was handed to the warehouse). Its stock goes back to
// the oldest waiting orders after commit.
import type { Actor } from '../db/order-status.js';
import { S } from '../domain/statuses.js';
import { changeStatus } from './change-status.js';
import type { UseCaseDeps } from './deps.js';
import type { ChangeResult } from './results.js';

export function cancelOrder(
  deps: UseCaseDeps,
  input: { orderId: number; actor: Actor; reason?: string },
): Promise<ChangeResult> {
  return changeStatus(deps, { ...input, target: S.cancelRequested });
}

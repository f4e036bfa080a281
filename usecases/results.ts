// The result of an operation on one order: done (from → to) or refused with the rule's message.
// Refusals are values here, one per order, so a bulk action reports every order.
export interface ChangeResult {
  orderId: number;
  orderNo: string;
  ok: boolean;
  from: string;
  to: string | null;
  message: string;
  /** Skipped because the cart has not released the order for shipping (it stays where it is). */
  notReleased?: true;
}

export function failedChange(orderId: number, e: unknown): ChangeResult {
  const message = e instanceof Error ? e.message : String(e);
  return { orderId, orderNo: '-', ok: false, from: '-', to: null, message };
}

export const missingOrder = (orderId: number): ChangeResult =>
  failedChange(orderId, `注文 ${orderId} はありません（削除された可能性があります）`);

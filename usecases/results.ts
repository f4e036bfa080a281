// The result of an operation on one order: done (from → to) or refused with the rule's message.
// Refusals are values here, one per order, so a bulk action reports every order.
export interface ChangeResult {
  orderId: number;
  orderNo: string;
  ok: boolean;
  from: string;
  to: string | null;
  message: string;
}

export function missingOrder(orderId: number): ChangeResult {
  return {
    orderId,
    orderNo: '-',
    ok: false,
    from: '-',
    to: null,
    message: `order ${orderId} does not exist`,
  };
}

export function failedChange(orderId: number, e: unknown): ChangeResult {
  return {
    orderId,
    orderNo: '-',
    ok: false,
    from: '-',
    to: null,
    message: e instanceof Error ? e.message : String(e),
  };
}

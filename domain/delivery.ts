// 納期指定あり: a requested delivery date far enough ahead holds the order until it comes within the
// store's window (default 10 days), counted in calendar days in Japan time.
import { jstDaysUntil } from './time.js';

export interface DeliveryHold {
  held: boolean;
  /** Days from today (JST) to the requested date. */
  daysAhead: number | null;
  reason: string | null;
}

export function deliveryHold(requestedDate: string | null, now: Date, holdDays: number): DeliveryHold {
  if (!requestedDate) return { held: false, daysAhead: null, reason: null };
  const daysAhead = jstDaysUntil(now, requestedDate);
  if (daysAhead >= holdDays)
    return {
      held: true,
      daysAhead,
      reason: `お届け指定日 ${requestedDate}（${daysAhead}日後、${holdDays}日以上先）`,
    };
  return { held: false, daysAhead, reason: null };
}

// Which orders may hold stock — ONE definition. The SQL that picks the orders stock goes to
// (db/stock.ts `holdingOrder`) is built from these lists, and a test checks it answers as
// `mayHoldStock` does for every status × group × timing.
import type { StatusGroup } from './order.js';
import { S } from './statuses.js';
import type { StoreSettings } from './store-settings.js';

/** Fulfillment statuses that wait for or keep stock, whatever the store's reservation timing. */
export const HOLDING_IN_FULFILLMENT: readonly string[] = [S.readyToShip, S.readyAfterStock, S.waiting];

/** With reservation at import, the review and payment statuses hold stock too. */
export const HOLDING_AT_IMPORT: readonly string[] = [
  S.unknownProduct,
  S.needsCheck,
  S.customerComment,
  S.reviewHold,
  S.awaitingPayment,
  ...HOLDING_IN_FULFILLMENT,
];

/** Groups whose custom (non-system) statuses hold stock like their system peers, by timing. */
export const CUSTOM_HOLDING_GROUPS: Readonly<
  Record<StoreSettings['reservationTiming'], readonly StatusGroup[]>
> = {
  import: ['review', 'payment', 'fulfillment'],
  fulfillment: ['fulfillment'],
};

export interface HoldingStatus {
  code: string;
  group: StatusGroup;
  system: boolean;
}

/**
 * May an order in this status hold stock (before its shipping instruction: after it, the stock is
 * the warehouse's)? 出荷作業中, 出荷完了 and the cancellation statuses never take new stock, nor does
 * an order on 引当保留 (`allocationHeld`: an operator released its stock and has not re-allocated it).
 */
export function mayHoldStock(
  status: HoldingStatus,
  timing: StoreSettings['reservationTiming'],
  instructed = false,
  allocationHeld = false,
): boolean {
  if (instructed || allocationHeld) return false;
  if (!status.system) return CUSTOM_HOLDING_GROUPS[timing].includes(status.group);
  return (timing === 'import' ? HOLDING_AT_IMPORT : HOLDING_IN_FULFILLMENT).includes(status.code);
}

// What a cart's new version of an order we already have means for that order — the decision table
// the import follows, pure (the repository applies it, db/cart-change.ts):
//   same payload                      → unchanged (nothing to write)
//   cancelled in the cart             → cancel (the cancellation flow; after shipping: flag instead)
//   only the cart's status/times moved, or the order is already being cancelled → status only
//   (also: a shipped order whose only change is the carrier the shipment report set at the cart)
//   content changed after the shipping instruction → flag for a human (kept aside, never applied)
//   content changed before it         → replace (lines rewritten, stock released, checked again)
import type { StatusGroup } from './order.js';
import { S } from './statuses.js';

export interface StoredVersion {
  status: string;
  group: StatusGroup;
  /** A custom (non-system) status: an operator's holding place. */
  system: boolean;
  instructed: boolean;
  cartCancelled: boolean;
  paid: boolean;
  customerRemarks: string | null;
  payloadHash: string;
  pendingPayloadHash: string | null;
  contentHash: string;
}

export interface IncomingVersion {
  cancelledInCart: boolean;
  paidAt: string | null;
  customerRemarks: string | null;
  payloadHash: string;
  contentHash: string;
  /**
   * The content hash with the cart's carrier left out (null), for a shipped order: reporting the
   * shipment sets the carrier at a cart that had none (Yahoo! ShipCompanyCode), which is the report
   * juchu made, not an edit.
   */
  contentHashWithoutCarrier?: string;
}

export type CartChange =
  | { kind: 'unchanged' }
  | { kind: 'cancel' }
  | {
      kind: 'status-only';
      /** The cart reports a payment we had not recorded. */
      newlyPaid: boolean;
      /** 入金待ち and now paid: the order moves on by 自動確認. */
      moveOnPaid: boolean;
      /** The cart cancelled an order we already shipped: a human must look. */
      cancelledAfterShipping: boolean;
    }
  | { kind: 'flag' }
  | {
      kind: 'replace';
      /** New remarks must be read again (コメント確認 is reset). */
      remarksChanged: boolean;
      /** An operator's hold (確認待ち保留 or a custom status) stays where it is. */
      keepStatus: boolean;
    };

export function decideCartChange(existing: StoredVersion, incoming: IncomingVersion): CartChange {
  if (existing.payloadHash === incoming.payloadHash || existing.pendingPayloadHash === incoming.payloadHash)
    return { kind: 'unchanged' };
  const shipped = existing.status === S.shipped;
  if (incoming.cancelledInCart && !existing.cartCancelled && existing.group !== 'cancellation' && !shipped)
    return { kind: 'cancel' };
  const sameContent =
    existing.contentHash === incoming.contentHash ||
    (shipped && incoming.contentHashWithoutCarrier === existing.contentHash);
  if (existing.group === 'cancellation' || sameContent) {
    const newlyPaid = !existing.paid && incoming.paidAt !== null;
    return {
      kind: 'status-only',
      newlyPaid,
      moveOnPaid: newlyPaid && existing.status === S.awaitingPayment,
      cancelledAfterShipping: incoming.cancelledInCart && !existing.cartCancelled && shipped,
    };
  }
  if (existing.instructed || shipped) return { kind: 'flag' };
  return {
    kind: 'replace',
    remarksChanged: (existing.customerRemarks ?? '') !== (incoming.customerRemarks ?? ''),
    keepStatus: existing.status === S.reviewHold || !existing.system,
  };
}

/** A cart order we do not have yet: imported, or skipped by the store's import statuses / a cancel. */
export function admitsNewOrder(
  incoming: { cancelledInCart: boolean; cartStatus: string },
  importStatuses: readonly string[] | null,
): boolean {
  return (
    !incoming.cancelledInCart && (importStatuses === null || importStatuses.includes(incoming.cartStatus))
  );
}

// Whether the cart has released an order for shipping, and how close an unconfirmed order is to the
// cart's own auto-cancel. Pure. Rakuten (cart-apis-2026 §0.7, carts/rakuten/README "Writing to
// Rakuten"): an order waits in 100 注文確認待ち until the shop confirms it (confirmOrder), then in 200
// 楽天処理中 while Rakuten checks payment and fraud, and only at 300 発送待ち may it be shipped; an
// order not confirmed within 14 days of being placed is cancelled by Rakuten.
import type { CartName } from './order.js';

/** Rakuten cancels an order the shop has not confirmed within this many days [T]. */
export const RAKUTEN_AUTO_CANCEL_DAYS = 14;
/** From this many days in 100 注文確認待ち the order list and /metrics flag the order. */
export const RAKUTEN_AUTO_CANCEL_WARN_DAYS = 10;
/** The cart and status that auto-cancel applies to (db/metrics.ts counts by it). */
export const AUTO_CANCEL_WATCH = { cart: 'rakuten', cartStatus: '100' } as const;

const DAY_MS = 86_400_000;

export type CartRelease =
  | { released: true }
  | {
      released: false;
      /** Short, for a badge on the order list. */
      label: string;
      /** Why, and what to do (Japanese, for the operator). */
      reason: string;
    };

/** The cart statuses that hold an order back from shipping, per cart (carts not listed never do). */
const HELD: Partial<Record<CartName, Readonly<Record<string, { label: string; reason: string }>>>> = {
  rakuten: {
    '100': {
      label: '楽天 注文確認待ち',
      reason:
        '楽天で注文確認待ち（100）のため出荷指示できません。注文確認を送り、楽天が発送待ち（300）にしてから出荷指示してください',
    },
    '200': {
      label: '楽天処理中',
      reason:
        '楽天処理中（200）のため出荷指示できません。楽天が決済を確認して発送待ち（300）にするまでお待ちください',
    },
  },
};

/** Whether the cart lets this order be shipped now (its own status, verbatim as imported). */
export function cartRelease(cart: string, cartStatus: string): CartRelease {
  const held = HELD[cart as CartName]?.[cartStatus];
  return held ? { released: false, ...held } : { released: true };
}

/** The cart statuses of a cart that hold orders back (for a query: `cart_status in …`). */
export function heldCartStatuses(cart: CartName): string[] {
  return Object.keys(HELD[cart] ?? {});
}

export interface AutoCancelRisk {
  /** Whole days the order has waited for the shop's confirmation. */
  days: number;
  /** When the cart cancels it. */
  deadline: Date;
  /** For the order list (Japanese). */
  label: string;
}

/**
 * A Rakuten order still in 100 注文確認待ち for `RAKUTEN_AUTO_CANCEL_WARN_DAYS` days or more is
 * approaching the 14-day auto-cancel (counted from the order time [I]); null otherwise.
 */
export function autoCancelRisk(
  cart: string,
  cartStatus: string,
  orderedAt: Date,
  now: Date,
): AutoCancelRisk | null {
  if (cart !== AUTO_CANCEL_WATCH.cart || cartStatus !== AUTO_CANCEL_WATCH.cartStatus) return null;
  const days = Math.floor((now.getTime() - orderedAt.getTime()) / DAY_MS);
  if (days < RAKUTEN_AUTO_CANCEL_WARN_DAYS) return null;
  const deadline = new Date(orderedAt.getTime() + RAKUTEN_AUTO_CANCEL_DAYS * DAY_MS);
  const left = Math.ceil((deadline.getTime() - now.getTime()) / DAY_MS);
  return {
    days,
    deadline,
    label:
      left > 0
        ? `楽天の自動キャンセルまであと${left}日（注文確認待ち ${days}日）`
        : `楽天の自動キャンセル期限（${RAKUTEN_AUTO_CANCEL_DAYS}日）を過ぎています`,
  };
}

// ── 注文確認 (issue 16 item 2) ─────────────────────────────────────────────────────────────────

/**
 * When juchu sends Rakuten's 注文確認 (confirmOrder) for a store (`settings.orderConfirmation`):
 * `import` — every new 100 order as it is imported; `operator` — only when an operator confirms it
 * (the order list's or detail's 注文確認); `never` — the shop confirms in RMS.
 */
export const ORDER_CONFIRMATION_MODES = ['import', 'operator', 'never'] as const;
export type OrderConfirmationMode = (typeof ORDER_CONFIRMATION_MODES)[number];
/**
 * The default: `import`. An unconfirmed order is cancelled by Rakuten after 14 days, confirming is
 * only the shop's receipt (Rakuten still checks payment in 200 and releases at 300, and juchu's own
 * review statuses still hold shipping), and an order whose amounts are not fixed is refused by
 * Rakuten (ERROR_105) and waits for a human anyway. README "Rakuten 注文確認" says more.
 */
export const DEFAULT_ORDER_CONFIRMATION: OrderConfirmationMode = 'import';

/** Whether the cart waits for the shop's confirmation of this order (Rakuten 100, not cancelled). */
export function awaitsCartConfirmation(
  cart: string,
  order: { cartStatus: string; cancelledInCart?: boolean },
): boolean {
  return (
    cart === AUTO_CANCEL_WATCH.cart &&
    order.cartStatus === AUTO_CANCEL_WATCH.cartStatus &&
    !order.cancelledInCart
  );
}

/** The store's mode: its setting (Rakuten stores), else the default; `never` for carts without 注文確認. */
export function orderConfirmationMode(
  cart: string,
  settings: Record<string, unknown>,
): OrderConfirmationMode {
  if (cart !== AUTO_CANCEL_WATCH.cart) return 'never';
  const v = settings.orderConfirmation;
  return (ORDER_CONFIRMATION_MODES as readonly unknown[]).includes(v)
    ? (v as OrderConfirmationMode)
    : DEFAULT_ORDER_CONFIRMATION;
}

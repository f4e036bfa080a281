// The facts every status decision reads (`OrderFacts`), built in ONE place whatever they come from:
// a cart order on its way in (the batch path and the single-order path alike) or an order already
// stored (its row and its lines as the database holds them). Pure.
import type { SetComponent } from './allocation.js';
import { cartRelease } from './cart-release.js';
import { isPrepaid } from './classify.js';
import { deliveryHold } from './delivery.js';
import type { CartOrder } from './order.js';
import { S } from './statuses.js';
import type { StoreSettings } from './store-settings.js';
import type { OrderFacts } from './transitions.js';

export type FactLine = OrderFacts['lines'][number];

/** How a cart line resolved to our product (see db/products.ts resolveProducts); undefined: unknown. */
export interface ResolvedLine {
  productCode: string;
  needsCheck: boolean;
  unitsPerCartUnit: number;
  /** セット商品: the components one unit holds (absent for a plain product). */
  components?: readonly SetComponent[];
}

type FactSettings = Pick<StoreSettings, 'deliveryHoldDays' | 'autoCompleteCancel'>;

/**
 * A cart order that is not stored yet: nothing held, nothing acknowledged, no 受注No. `resolve` says
 * what each line is in our master (undefined: マスタなし商品).
 */
export function factsFromCartOrder(
  order: CartOrder,
  resolve: (line: CartOrder['lines'][number]) => ResolvedLine | undefined,
  settings: FactSettings,
  prepaidMethods: readonly string[],
  now: Date,
): OrderFacts {
  return {
    orderNo: '',
    status: S.reviewHold,
    instructed: false,
    stockWaited: false,
    lines: order.lines.map((l, i) => {
      const r = resolve(l);
      return {
        lineNo: i + 1,
        productCode: r?.productCode ?? null,
        cartProductCode: l.cartProductCode,
        cartOptionCode: l.cartOptionCode,
        needsCheck: r?.needsCheck ?? false,
        needed: l.quantity * (r?.unitsPerCartUnit ?? 1),
        held: 0,
        ...(r?.components?.length ? { components: r.components } : {}),
      };
    }),
    customerRemarks: order.customerRemarks,
    paymentMethod: order.payment.method,
    paidAt: order.payment.paidAt,
    prepaid: isPrepaid(order.payment.method, prepaidMethods),
    commentChecked: false,
    productChecked: false,
    deliveryHold: deliveryHold(order.delivery.requestedDate, now, settings.deliveryHoldDays),
    autoCompleteCancel: settings.autoCompleteCancel,
  };
}

/** What a stored order contributes to its facts (the columns of `orders` that decisions read). */
export interface StoredOrder {
  orderNo: string;
  status: string;
  instructed: boolean;
  stockWaited: boolean;
  customerRemarks: string | null;
  paymentMethod: string | null;
  paidAt: Date | string | null;
  prepaid: boolean;
  commentChecked: boolean;
  productChecked: boolean;
  deliveryRequestedDate: string | null;
  /** The cart and its status as last imported: whether the cart released it for shipping. */
  cart?: string;
  cartStatus?: string;
}

export function factsFromStoredOrder(
  order: StoredOrder,
  lines: readonly FactLine[],
  settings: FactSettings,
  now: Date,
): OrderFacts {
  const { deliveryRequestedDate, cart, cartStatus, ...rest } = order;
  return {
    ...rest,
    ...(cart !== undefined && cartStatus !== undefined ? { cartRelease: cartRelease(cart, cartStatus) } : {}),
    lines,
    deliveryHold: deliveryHold(deliveryRequestedDate, now, settings.deliveryHoldDays),
    autoCompleteCancel: settings.autoCompleteCancel,
  };
}

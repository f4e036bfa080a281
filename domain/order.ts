// The order as every part of juchu sees it (spec §6). Carts normalize into `CartOrder`; the database
// adds our own numbers, product codes, reservations and status to make an `Order`.

export const CARTS = ['rakuten', 'yahoo', 'amazon', 'makeshop', 'shopify', 'csv'] as const;
export type CartName = (typeof CARTS)[number];

export const CART_LABELS: Readonly<Record<CartName, string>> = {
  rakuten: '楽天市場',
  yahoo: 'Yahoo!ショッピング',
  amazon: 'Amazon',
  makeshop: 'makeshop',
  shopify: 'Shopify',
  csv: 'CSV',
};

/** 注文者 or 送付先. A field the cart does not give is null, never invented. */
export interface Party {
  name: string | null;
  kana: string | null;
  email: string | null;
  phone: string | null;
  postalCode: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
}

/** Japan has the standard 10% and the reduced 8% (food); 0 for non-taxable lines. */
export type TaxRate = 0 | 8 | 10;

export interface CartOrderLine {
  /** 1-based package (配送先) the line ships in; Rakuten may split an order into several. */
  packageNo: number;
  cartProductCode: string;
  /** Option / variant code (Rakuten SKU or item choice, Shopify variant SKU), if any. */
  cartOptionCode: string | null;
  /**
   * The cart's other codes for the product, by the cart's own field names (Rakuten: `itemNumber`,
   * `manageNumber`, `itemId`, `variantId`, `merchantDefinedSkuId`, `skuInfo`), for people and for
   * re-mapping. Optional and informational: products resolve by `cartProductCode` and
   * `cartOptionCode` only. Absent when a cart gives no more than those two.
   */
  cartCodes?: Readonly<Record<string, string>>;
  name: string;
  quantity: number;
  /** In the currency's minor unit. */
  unitPrice: number;
  taxIncluded: boolean;
  taxRate: TaxRate | null;
  taxAmount: number | null;
}

export interface Delivery {
  /** お届け指定日, `YYYY-MM-DD` in Japan time. */
  requestedDate: string | null;
  /** Time slot as the cart gives it, e.g. `14-16` or `午前中`. */
  timeSlot: string | null;
  carrier: string | null;
  method: string | null;
  fee: number | null;
}

export interface Payment {
  /** The cart's own payment-method name, verbatim (matched against the store's prepaid list). */
  method: string | null;
  cardType: string | null;
  fee: number | null;
  /** When the cart reports the money received (ISO-8601 with offset). */
  paidAt: string | null;
}

export interface Totals {
  goods: number | null;
  shipping: number | null;
  fees: number | null;
  discount: number | null;
  points: number | null;
  tax: number | null;
  total: number | null;
}

export interface Package {
  packageNo: number;
  shipTo: Party;
}

/** What a cart adapter produces: pure data, no ids of ours yet. */
export interface CartOrder {
  store: string;
  cart: CartName;
  cartOrderNo: string;
  /** The cart's own status, verbatim. */
  cartStatus: string;
  /** True when the cart's status means the order was cancelled there. */
  cancelledInCart: boolean;
  /** ISO-8601 with offset. */
  orderedAt: string;
  cartUpdatedAt: string | null;
  /** ISO 4217 code; money fields are integers in its minor unit. */
  currency: string;
  customerRemarks: string | null;
  internalComment: string | null;
  orderer: Party;
  /** The first package's ship-to; the others are in `packages`. */
  shipTo: Party;
  packages: Package[];
  lines: CartOrderLine[];
  delivery: Delivery;
  payment: Payment;
  totals: Totals;
}

export type StatusGroup = 'review' | 'payment' | 'fulfillment' | 'cancellation';

export type ReservationState = 'held' | 'partial' | 'none' | 'shipped' | 'released';

export interface LineReservation {
  state: ReservationState;
  warehouses: Array<{ warehouse: string; quantity: number }>;
}

export interface OrderLine extends CartOrderLine {
  /** Our product code after the store mapping; null for an unknown product (マスタなし商品). */
  productCode: string | null;
  reservation: LineReservation;
}

/** The public order JSON (spec §6). */
export interface Order extends Omit<CartOrder, 'lines' | 'cancelledInCart'> {
  orderNo: string | null;
  lines: OrderLine[];
  shipDate: string | null;
  status: { group: StatusGroup; code: string; label: string; reason: string | null };
}

export function emptyParty(): Party {
  return {
    name: null,
    kana: null,
    email: null,
    phone: null,
    postalCode: null,
    prefecture: null,
    address1: null,
    address2: null,
  };
}

/** 受注No as shown: eight digits, zero-padded (`00000001`). */
export function formatOrderNo(seq: number | bigint | string): string {
  return String(seq).padStart(8, '0');
}

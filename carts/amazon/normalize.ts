// Amazon composite record → CartOrder. Pure. Mapping from carts.md §2.5 and the ordersV0 model:
// - times are UTC `Z` and leave as JST; `ItemPrice` is price × quantity, so the unit price divides it;
// - amazon.co.jp prices include consumption tax and `ItemTax` is the tax contained in them, but no
//   tax *rate* is given, so `taxRate` stays null (the product master knows it);
// - Pending orders carry no pricing (getOrderItems description) and no ShippingAddress (Order
//   description): their money fields are null, never 0;
// - Amazon has one buyer record (name and relay email) and no buyer address: the orderer's address
//   fields are null, and the ship-to comes from `ShippingAddress`.

import { toMinorUnits } from '../../domain/money.js';
import { type CartOrder, type CartOrderLine, emptyParty, type Party } from '../../domain/order.js';
import { jstDate, parseInstant, toJstIso } from '../../domain/time.js';
import type { NormalizeResult, RawOrder } from '../contract.js';
import { FieldError, field, normalizeSafely, orNull, parseRecord } from '../normalize-kit.js';
import { JP_MARKETPLACE_ID, PAID_STATUSES } from './constants.js';
import {
  type AmazonAddress,
  type AmazonOrderItem,
  type AmazonRawOrder,
  type Money,
  rawOrderSchema,
} from './schema.js';

/** Currency when an order carries no money at all (Pending); only marketplaces we can vouch for. */
const MARKETPLACE_CURRENCY: Readonly<Record<string, string>> = {
  [JP_MARKETPLACE_ID]: 'JPY',
  ATVPDKIKX0DER: 'USD',
};

type ItemMoneyKey = {
  [K in keyof AmazonOrderItem]-?: NonNullable<AmazonOrderItem[K]> extends Money ? K : never;
}[keyof AmazonOrderItem];

export function normalizeAmazonOrder(raw: RawOrder, store: string): NormalizeResult {
  const cartOrderNo = raw.cartOrderNo ?? idOf(raw.payload);
  return normalizeSafely(cartOrderNo, () => buildOrder(parseRecord(rawOrderSchema, raw.payload), store));
}

function idOf(payload: unknown): string | null {
  const order = (payload as { order?: { AmazonOrderId?: unknown } } | null)?.order;
  return typeof order?.AmazonOrderId === 'string' ? order.AmazonOrderId : null;
}

function buildOrder(r: AmazonRawOrder, store: string): CartOrder {
  const { order, items } = r;
  if (r.address && r.address.AmazonOrderId !== order.AmazonOrderId)
    throw new FieldError(
      'address.AmazonOrderId',
      `belongs to ${r.address.AmazonOrderId}, not to order.AmazonOrderId ${order.AmazonOrderId}`,
    );
  if (r.buyerInfo && r.buyerInfo.AmazonOrderId !== order.AmazonOrderId)
    throw new FieldError(
      'buyerInfo.AmazonOrderId',
      `belongs to ${r.buyerInfo.AmazonOrderId}, not to order.AmazonOrderId ${order.AmazonOrderId}`,
    );
  // A real order always has items; none means getOrderItems was not called or failed.
  if (items.length === 0)
    throw new FieldError('items', r.itemsError ?? 'no order items (getOrderItems body missing)');

  const { code: currency, from: currencyFrom } = currencyOf(r);
  /** `name` is the `….Amount` path; a currency that differs is its `….CurrencyCode` sibling's fault. */
  const amount = (m: Money, name: string): number => {
    if (m.CurrencyCode !== currency)
      throw new FieldError(
        name.replace(/\.Amount$/, '.CurrencyCode'),
        `currency ${m.CurrencyCode} differs from the order's ${currency} (${currencyFrom})`,
      );
    return field(name, () => toMinorUnits(m.Amount, currency));
  };
  /** Σ of one Money field over the items; null when no item has it (not given ≠ zero). */
  const sum = (key: ItemMoneyKey): number | null => {
    let total: number | null = null;
    items.forEach((it, i) => {
      const m = it[key];
      if (m) total = (total ?? 0) + amount(m, `items[${i}].${key}.Amount`);
    });
    return total;
  };

  const orderedAt = field('order.PurchaseDate', () => toJstIso(parseInstant(order.PurchaseDate)));
  const cartUpdatedAt = field('order.LastUpdateDate', () => toJstIso(parseInstant(order.LastUpdateDate)));
  // amazon.co.jp shows and charges tax-included prices; other marketplaces are not our business.
  const taxIncluded = order.MarketplaceId ? order.MarketplaceId === JP_MARKETPLACE_ID : currency === 'JPY';

  const cancelled = order.OrderStatus === 'Canceled';
  // Amazon reports a cancelled order's items with QuantityOrdered 0: the cancel is what matters then,
  // so those lines are dropped (the order keeps the lines it was imported with). On any other order
  // 0 is an error naming the field — the database would refuse the line without saying why.
  items.forEach((it, i) => {
    if (it.QuantityOrdered === 0 && !cancelled)
      throw new FieldError(`items[${i}].QuantityOrdered`, 'is 0 on an order that is not cancelled');
  });
  const lines: CartOrderLine[] = items.flatMap((it, i) => {
    if (it.QuantityOrdered === 0) return [];
    const lineTotal = it.ItemPrice ? amount(it.ItemPrice, `items[${i}].ItemPrice.Amount`) : null;
    return {
      packageNo: 1,
      cartProductCode: orNull(it.SellerSKU) ?? it.ASIN,
      cartOptionCode: null,
      name: orNull(it.Title) ?? orNull(it.SellerSKU) ?? it.ASIN,
      quantity: it.QuantityOrdered,
      // CartOrderLine.unitPrice cannot be null: a Pending line (no ItemPrice yet) gets 0 here, and
      // its taxAmount and the order's totals stay null so nothing downstream mistakes it for free.
      unitPrice: lineTotal === null ? 0 : unitPrice(lineTotal, it.QuantityOrdered),
      taxIncluded,
      taxRate: null,
      taxAmount: it.ItemTax ? amount(it.ItemTax, `items[${i}].ItemTax.Amount`) : null,
    } satisfies CartOrderLine;
  });

  const shippingPrice = sum('ShippingPrice');
  const shippingFee = shippingPrice === null ? null : shippingPrice - (sum('ShippingDiscount') ?? 0);
  const codFee = sum('CODFee');
  const paymentFee = codFee === null ? null : codFee - (sum('CODFeeDiscount') ?? 0);
  const itemTax = sum('ItemTax');
  const tax =
    itemTax === null
      ? null
      : itemTax +
        (sum('ShippingTax') ?? 0) -
        (sum('ShippingDiscountTax') ?? 0) -
        (sum('PromotionDiscountTax') ?? 0);

  const execution = order.PaymentExecutionDetail;
  const points = execution
    ? execution.reduce(
        (s, p, i) =>
          p.PaymentMethod === 'PointsAccount'
            ? s + amount(p.Payment, `order.PaymentExecutionDetail[${i}].Payment.Amount`)
            : s,
        0,
      )
    : null;

  const scheduled = scheduledDelivery(items);
  const shipTo = shipToOf(r.address?.ShippingAddress ?? order.ShippingAddress ?? null);
  const buyer = r.buyerInfo ?? order.BuyerInfo ?? null;
  const orderer: Party = {
    ...emptyParty(),
    name: orNull(buyer?.BuyerName),
    email: orNull(buyer?.BuyerEmail),
  };

  return {
    store,
    cart: 'amazon',
    cartOrderNo: order.AmazonOrderId,
    cartStatus: order.OrderStatus,
    cancelledInCart: cancelled,
    orderedAt,
    cartUpdatedAt,
    currency,
    customerRemarks: remarksOf(r),
    internalComment: null,
    orderer,
    shipTo,
    packages: [{ packageNo: 1, shipTo }],
    lines,
    delivery: {
      requestedDate: scheduled.date,
      timeSlot: scheduled.slot,
      // The order names a service level, not a carrier (the carrier is chosen at shipment).
      carrier: null,
      method: orNull(order.ShipServiceLevel) ?? orNull(order.ShipmentServiceLevelCategory),
      fee: shippingFee,
    },
    payment: {
      method: paymentMethodOf(order.PaymentMethod, order.PaymentMethodDetails),
      cardType: orNull(execution?.find((p) => p.PaymentMethod === 'CreditCard')?.CardBrand),
      fee: paymentFee,
      // Amazon gives no payment time. Leaving Pending means payment was authorized, at the latest
      // by LastUpdateDate; cash on delivery is only collected at the door.
      paidAt: PAID_STATUSES.has(order.OrderStatus) && order.PaymentMethod !== 'COD' ? cartUpdatedAt : null,
    },
    totals: {
      goods: sum('ItemPrice'),
      shipping: shippingFee,
      fees: paymentFee,
      discount: sum('PromotionDiscount'),
      points,
      tax,
      total: order.OrderTotal ? amount(order.OrderTotal, 'order.OrderTotal.Amount') : null,
    },
  };
}

/** The order's currency and the field it was read from (named when another amount differs). */
function currencyOf(r: AmazonRawOrder): { code: string; from: string } {
  if (r.order.OrderTotal)
    return { code: r.order.OrderTotal.CurrencyCode, from: 'order.OrderTotal.CurrencyCode' };
  for (const [i, it] of r.items.entries())
    for (const key of ['ItemPrice', 'ItemTax', 'ShippingPrice', 'PromotionDiscount', 'CODFee'] as const) {
      const m = it[key];
      if (m) return { code: m.CurrencyCode, from: `items[${i}].${key}.CurrencyCode` };
    }
  const code = MARKETPLACE_CURRENCY[r.order.MarketplaceId ?? ''];
  if (!code)
    throw new FieldError(
      'order.MarketplaceId',
      `no amount in the order and no currency known for marketplace ${JSON.stringify(r.order.MarketplaceId ?? null)}`,
    );
  return { code, from: 'order.MarketplaceId' };
}

/** ItemPrice is the line total; a quantity discount may not divide evenly (rounded to the minor unit). */
function unitPrice(lineTotal: number, quantity: number): number {
  return quantity > 0 ? Math.round(lineTotal / quantity) : lineTotal;
}

/**
 * The cart's own method name, matched against the store's prepaid list: `COD` or `CVS` as
 * `PaymentMethod` says; otherwise the `PaymentMethodDetails` (e.g. `CreditCard`, `CreditCard+GiftCertificate`).
 */
export function paymentMethodOf(
  method: string | null | undefined,
  details: readonly string[] | null | undefined,
): string | null {
  const m = orNull(method);
  if (m === 'COD' || m === 'CVS') return m;
  const named = (details ?? []).map((d) => orNull(d)).filter((d): d is string => d !== null);
  return named.length > 0 ? named.join('+') : m;
}

function shipToOf(a: AmazonAddress | null): Party {
  if (!a) return emptyParty();
  const city = orNull(a.City);
  const line1 = orNull(a.AddressLine1);
  // JP addresses arrive as prefecture / city / street / building and read city first, unspaced
  // (some put the city into line 1 already); elsewhere the street comes first.
  const jp = (orNull(a.CountryCode) ?? 'JP') === 'JP';
  const address1 =
    city && line1 && !line1.startsWith(city)
      ? jp
        ? `${city}${line1}`
        : `${line1}, ${city}`
      : (line1 ?? city ?? orNull(a.District));
  const rest = [a.AddressLine2, a.AddressLine3, a.CompanyName].map((s) => orNull(s)).filter(Boolean);
  return {
    name: orNull(a.Name),
    kana: null, // Amazon gives no reading (フリガナ)
    email: null, // nor a recipient email
    phone: orNull(a.Phone),
    postalCode: orNull(a.PostalCode),
    prefecture: orNull(a.StateOrRegion),
    address1,
    address2: rest.length > 0 ? rest.join(' ') : null,
  };
}

/** The first item's scheduled delivery window → requested date (JST) and a slot such as `14-16`. */
function scheduledDelivery(items: AmazonOrderItem[]): { date: string | null; slot: string | null } {
  const i = items.findIndex((it) => orNull(it.ScheduledDeliveryStartDate));
  if (i < 0) return { date: null, slot: null };
  const it = items[i]!;
  const start = field(`items[${i}].ScheduledDeliveryStartDate`, () =>
    parseInstant(it.ScheduledDeliveryStartDate!),
  );
  const endText = orNull(it.ScheduledDeliveryEndDate);
  const end = endText ? field(`items[${i}].ScheduledDeliveryEndDate`, () => parseInstant(endText)) : null;
  return { date: jstDate(start), slot: end ? timeSlot(start, end) : null };
}

/** `14-16` for whole hours on one JST day, `09:30-12:00` otherwise; null for a multi-day window. */
function timeSlot(start: Date, end: Date): string | null {
  const a = toJstIso(start);
  const b = toJstIso(end);
  if (a.slice(0, 10) !== b.slice(0, 10) || end.getTime() <= start.getTime()) return null;
  const hm = (iso: string) => ({ h: Number(iso.slice(11, 13)), m: iso.slice(14, 16) });
  const s = hm(a);
  const e = hm(b);
  return s.m === '00' && e.m === '00' ? `${s.h}-${e.h}` : `${a.slice(11, 16)}-${b.slice(11, 16)}`;
}

/** Amazon has no order remarks; the nearest are gift messages and the delivery instructions. */
function remarksOf(r: AmazonRawOrder): string | null {
  const texts = [
    ...r.items.map((it) => orNull(it.BuyerInfo?.GiftMessageText)),
    orNull(r.address?.DeliveryPreferences?.AddressInstructions),
  ].filter((t): t is string => t !== null);
  const unique = [...new Set(texts)];
  return unique.length > 0 ? unique.join('\n') : null;
}

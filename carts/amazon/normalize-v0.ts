// The Orders v0 composite record (getOrders `Order` + getOrderItems `OrderItem`s, and the
// getOrderAddress / getOrderBuyerInfo payloads where fetched) → the facts `order-facts.ts` builds an
// order from. Field names and meanings from `amazon-ordersV0.json`: `ItemPrice` is price × quantity,
// `ItemTax` the tax contained in it; Pending orders carry no pricing (getOrderItems description) and
// no ShippingAddress (Order description). Pure.
import { FieldError, orNull, parseRecord } from '../normalize-kit.js';
import type { AmazonOrderFacts, AmountOf, Amounts, LineFacts } from './order-facts.js';
import { type AmazonOrderItem, type AmazonRawOrder, type Money, rawOrderSchema } from './schema.js';

type ItemMoneyKey = {
  [K in keyof AmazonOrderItem]-?: NonNullable<AmazonOrderItem[K]> extends Money ? K : never;
}[keyof AmazonOrderItem];

/** The v0 composite payload → order facts, or a FieldError naming the field (`items[2].ItemPrice.Amount`). */
export function factsFromV0(payload: unknown): AmazonOrderFacts {
  const r = parseRecord(rawOrderSchema, payload);
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

  const money = (m: Money, path: string, negative = false): AmountOf => ({
    amount: m.Amount,
    currency: m.CurrencyCode,
    path: `${path}.Amount`,
    currencyPath: `${path}.CurrencyCode`,
    negative,
  });
  const lines: LineFacts[] = items.map((it, i) => {
    const at = `items[${i}]`;
    const one = (key: ItemMoneyKey, negative = false): Amounts => {
      const m = it[key];
      return m ? [money(m, `${at}.${key}`, negative)] : null;
    };
    const some = (...keys: Array<[ItemMoneyKey, boolean]>): AmountOf[] =>
      keys.flatMap(([key, negative]) => one(key, negative) ?? []);
    const start = orNull(it.ScheduledDeliveryStartDate) ? it.ScheduledDeliveryStartDate! : null;
    return {
      quantity: it.QuantityOrdered,
      quantityPath: `${at}.QuantityOrdered`,
      sku: it.SellerSKU,
      asin: it.ASIN,
      codePath: `${at}.ASIN`,
      title: it.Title,
      lineTotal: one('ItemPrice'),
      unitPrice: null,
      goods: one('ItemPrice'),
      tax: one('ItemTax'),
      taxTotal: some(
        ['ItemTax', false],
        ['ShippingTax', false],
        ['ShippingDiscountTax', true],
        ['PromotionDiscountTax', true],
      ),
      shipping: one('ShippingPrice'),
      shippingDiscount: one('ShippingDiscount'),
      codFee: one('CODFee'),
      codFeeDiscount: one('CODFeeDiscount'),
      discount: one('PromotionDiscount'),
      scheduledStart: start === null ? null : { text: start, path: `${at}.ScheduledDeliveryStartDate` },
      scheduledEnd:
        it.ScheduledDeliveryEndDate == null
          ? null
          : { text: it.ScheduledDeliveryEndDate, path: `${at}.ScheduledDeliveryEndDate` },
      giftMessage: it.BuyerInfo?.GiftMessageText,
    };
  });

  const execution = order.PaymentExecutionDetail;
  const buyer = r.buyerInfo ?? order.BuyerInfo ?? null;
  const address = r.address?.ShippingAddress ?? order.ShippingAddress ?? null;
  return {
    orderNo: order.AmazonOrderId,
    created: { text: order.PurchaseDate, path: 'order.PurchaseDate' },
    updated: { text: order.LastUpdateDate, path: 'order.LastUpdateDate' },
    status: order.OrderStatus,
    marketplaceId: order.MarketplaceId,
    marketplacePath: 'order.MarketplaceId',
    total: order.OrderTotal ? money(order.OrderTotal, 'order.OrderTotal') : null,
    currencies: currencies(r),
    lines,
    linesPath: 'items',
    noLinesReason: r.itemsError ?? 'no order items (getOrderItems body missing)',
    shipMethod: orNull(order.ShipServiceLevel) ?? orNull(order.ShipmentServiceLevelCategory),
    payment: {
      method: paymentMethodOf(order.PaymentMethod, order.PaymentMethodDetails),
      cardBrand: execution?.find((p) => p.PaymentMethod === 'CreditCard')?.CardBrand,
      points: execution
        ? execution.flatMap((p, i) =>
            p.PaymentMethod === 'PointsAccount'
              ? [money(p.Payment, `order.PaymentExecutionDetail[${i}].Payment`)]
              : [],
          )
        : null,
      cod: order.PaymentMethod === 'COD',
    },
    shipTo: address && {
      name: address.Name,
      companyName: address.CompanyName,
      line1: address.AddressLine1,
      line2: address.AddressLine2,
      line3: address.AddressLine3,
      city: address.City,
      district: address.District,
      state: address.StateOrRegion,
      postalCode: address.PostalCode,
      countryCode: address.CountryCode,
      phone: address.Phone,
    },
    buyer: buyer && { name: buyer.BuyerName, email: buyer.BuyerEmail },
    remarks: [
      ...items.map((it) => it.BuyerInfo?.GiftMessageText),
      r.address?.DeliveryPreferences?.AddressInstructions,
    ],
  };
}

/** Where the currency is read: `OrderTotal`, else the first item amount, in this order of fields. */
function currencies(r: AmazonRawOrder): Array<{ code: string; from: string }> {
  const out: Array<{ code: string; from: string }> = [];
  if (r.order.OrderTotal)
    out.push({ code: r.order.OrderTotal.CurrencyCode, from: 'order.OrderTotal.CurrencyCode' });
  for (const [i, it] of r.items.entries())
    for (const key of ['ItemPrice', 'ItemTax', 'ShippingPrice', 'PromotionDiscount', 'CODFee'] as const) {
      const m = it[key];
      if (m) out.push({ code: m.CurrencyCode, from: `items[${i}].${key}.CurrencyCode` });
    }
  return out;
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

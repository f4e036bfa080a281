// An Orders API v2026-01-01 `Order` (searchOrders / getOrder, items inline) → the facts
// `order-facts.ts` builds an order from, so that it reads exactly as the same order through v0 does.
// Field names from `amazon-orders_2026-01-01.json`. What the model leaves open is marked [I] and
// listed as unverified in README.md:
// - a line's money is its PROCEEDS breakdowns: ITEM (the line total, as v0 `ItemPrice`), SHIPPING,
//   COD_FEE, DISCOUNT (split by `detailedBreakdowns` subtype ITEM / SHIPPING / COD_FEE, all ITEM when
//   undetailed; counted as a magnitude, whatever its sign) and TAX (the line's whole tax, its ITEM
//   detail the tax contained in the goods; undetailed, all of it) [I];
// - a line with proceeds but without a category has none of it (0), except TAX, which stays unknown
//   (null) as for a Pending order, and COD_FEE, which only cash-on-delivery orders have [I];
// - payment methods are `payment.paymentExecutions[].paymentMethod`, with CashOnDelivery and
//   ConvenienceStore read as v0's COD and CVS, points as `PointsAccount` (v0's name) [I].
// Pure.
import { orNull, parseRecord } from '../normalize-kit.js';
import { PAYMENT_METHOD_FROM_2026, SERVICE_LEVEL_FROM_2026, STATUS_FROM_2026 } from './constants.js';
import type { AmazonOrderFacts, AmountOf, Amounts, LineFacts } from './order-facts.js';
import { type Breakdown2026, type Money2026, type Order2026, order2026Schema } from './schema-2026.js';

/** A 2026-01-01 `Order` → order facts, or a FieldError naming the field (`orderItems[0].quantityOrdered`). */
export function factsFrom2026(payload: unknown): AmazonOrderFacts {
  const o = parseRecord(order2026Schema, payload);

  const lines: LineFacts[] = o.orderItems.map((it, i) => {
    const at = `orderItems[${i}]`;
    const proceeds = it.proceeds ?? null;
    const breakdowns = (proceeds?.breakdowns ?? []).map((b, j) => ({
      b,
      path: `${at}.proceeds.breakdowns[${j}]`,
    }));
    const of = (type: string) => breakdowns.filter((x) => x.b.type === type);
    const subtotals = (type: string, opts: Partial<AmountOf> = {}): AmountOf[] =>
      of(type).map(({ b, path }) => ({ ...money(b.subtotal, `${path}.subtotal`), ...opts }));
    /** Given only when the line carries proceeds: a missing category is then none of it. */
    const priced = (list: AmountOf[]): Amounts => (proceeds ? list : null);
    const listed = (list: AmountOf[]): Amounts => (list.length > 0 ? list : null);

    const discounts = details(of('DISCOUNT'), 'ITEM', { magnitude: true });
    const taxes = of('TAX');
    const window = it.fulfillment?.shipping?.scheduledDeliveryWindow;
    const unit = it.product.price?.unitPrice;
    return {
      quantity: it.quantityOrdered,
      quantityPath: `${at}.quantityOrdered`,
      sku: it.product.sellerSku,
      asin: it.product.asin,
      codePath: `${at}.product.asin`,
      title: it.product.title,
      lineTotal: listed(subtotals('ITEM')),
      unitPrice: unit ? money(unit, `${at}.product.price.unitPrice`) : null,
      goods: priced(subtotals('ITEM')),
      tax: taxes.length > 0 ? (details(taxes, 'ITEM').ITEM ?? []) : null,
      taxTotal: listed(subtotals('TAX')),
      shipping: priced(subtotals('SHIPPING')),
      shippingDiscount: listed(discounts.SHIPPING ?? []),
      codFee: listed(subtotals('COD_FEE')),
      codFeeDiscount: listed(discounts.COD_FEE ?? []),
      discount: priced(
        Object.entries(discounts).flatMap(([k, v]) => (k === 'SHIPPING' || k === 'COD_FEE' ? [] : v)),
      ),
      scheduledStart:
        window?.earliestDateTime && orNull(window.earliestDateTime)
          ? {
              text: window.earliestDateTime,
              path: `${at}.fulfillment.shipping.scheduledDeliveryWindow.earliestDateTime`,
            }
          : null,
      scheduledEnd:
        window?.latestDateTime == null
          ? null
          : {
              text: window.latestDateTime,
              path: `${at}.fulfillment.shipping.scheduledDeliveryWindow.latestDateTime`,
            },
      giftMessage: it.fulfillment?.packing?.giftOption?.giftMessage,
    };
  });

  const executions = o.payment?.paymentExecutions ?? null;
  const methods = (executions ?? []).map((e) => {
    const m = orNull(e.paymentMethod);
    return m === null ? null : (PAYMENT_METHOD_FROM_2026[m] ?? m);
  });
  const named = methods.filter((m): m is string => m !== null);
  const address = o.recipient?.deliveryAddress ?? null;
  const level = orNull(o.fulfillment.fulfillmentServiceLevel);
  const status = o.fulfillment.fulfillmentStatus;
  return {
    orderNo: o.orderId,
    created: { text: o.createdTime, path: 'createdTime' },
    updated: { text: o.lastUpdatedTime, path: 'lastUpdatedTime' },
    status: STATUS_FROM_2026[status] ?? status,
    marketplaceId: o.salesChannel.marketplaceId,
    marketplacePath: 'salesChannel.marketplaceId',
    total: o.proceeds?.grandTotal ? money(o.proceeds.grandTotal, 'proceeds.grandTotal') : null,
    currencies: currencies(o),
    lines,
    linesPath: 'orderItems',
    noLinesReason: null,
    shipMethod: level === null ? null : (SERVICE_LEVEL_FROM_2026[level] ?? level),
    payment: {
      // As v0: cash on delivery or convenience store decides; otherwise every method, joined.
      method: named.includes('COD') ? 'COD' : named.includes('CVS') ? 'CVS' : named.join('+') || null,
      cardBrand: executions?.find((e) => e.paymentMethod === 'CreditCard')?.cardBrand,
      // Amounts only count once the cart gives any (v0 gives PaymentExecutionDetail the same way).
      points: executions?.some((e) => e.paymentAmount)
        ? executions.flatMap((e, i) =>
            e.paymentMethod === 'PointsAccount' && e.paymentAmount
              ? [money(e.paymentAmount, `payment.paymentExecutions[${i}].paymentAmount`)]
              : [],
          )
        : null,
      cod: executions?.some((e) => e.paymentMethod === 'CashOnDelivery') ?? false,
    },
    shipTo: address && {
      name: address.name,
      companyName: address.companyName,
      line1: address.addressLine1,
      line2: address.addressLine2,
      line3: address.addressLine3,
      city: address.city,
      district: address.districtOrCounty,
      state: address.stateOrRegion,
      postalCode: address.postalCode,
      countryCode: address.countryCode,
      phone: address.phone,
    },
    buyer: o.buyer ? { name: o.buyer.buyerName, email: o.buyer.buyerEmail } : null,
    remarks: [
      ...o.orderItems.map((it) => it.fulfillment?.packing?.giftOption?.giftMessage),
      o.recipient?.deliveryPreference?.addressInstruction,
    ],
  };
}

function money(m: Money2026, path: string): AmountOf {
  return {
    amount: m.amount,
    currency: m.currencyCode,
    path: `${path}.amount`,
    currencyPath: `${path}.currencyCode`,
  };
}

/**
 * Breakdowns of one category split by their `detailedBreakdowns` subtype; an undetailed breakdown
 * counts all under `undetailed`.
 */
function details(
  list: Array<{ b: Breakdown2026; path: string }>,
  undetailed: string,
  opts: Partial<AmountOf> = {},
): Record<string, AmountOf[]> {
  const out: Record<string, AmountOf[]> = {};
  const add = (key: string, a: AmountOf) => {
    out[key] = [...(out[key] ?? []), { ...a, ...opts }];
  };
  for (const { b, path } of list) {
    const parts = b.detailedBreakdowns ?? [];
    if (parts.length === 0) add(undetailed, money(b.subtotal, `${path}.subtotal`));
    else
      parts.forEach((d, k) => {
        add(d.subtype, money(d.value, `${path}.detailedBreakdowns[${k}].value`));
      });
  }
  return out;
}

/** Where the currency is read: the grand total, else the first line amount (price, then proceeds). */
function currencies(o: Order2026): Array<{ code: string; from: string }> {
  const out: Array<{ code: string; from: string }> = [];
  if (o.proceeds?.grandTotal)
    out.push({ code: o.proceeds.grandTotal.currencyCode, from: 'proceeds.grandTotal.currencyCode' });
  for (const [i, it] of o.orderItems.entries()) {
    const unit = it.product.price?.unitPrice;
    if (unit)
      out.push({ code: unit.currencyCode, from: `orderItems[${i}].product.price.unitPrice.currencyCode` });
    for (const [j, b] of (it.proceeds?.breakdowns ?? []).entries())
      out.push({
        code: b.subtotal.currencyCode,
        from: `orderItems[${i}].proceeds.breakdowns[${j}].subtotal.currencyCode`,
      });
  }
  return out;
}

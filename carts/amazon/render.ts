// Renders a simulated order (cart-neutral `SimOrderView`) as Amazon.co.jp would return it: the
// getOrders `Order`, its getOrderItems `OrderItem`s, and the getOrderAddress / getOrderBuyerInfo
// payloads. Shapes follow `amazon-ordersV0.json`; where the model is silent the choice is marked [I].
// The same order through Orders API v2026-01-01 (`toOrder2026`) is made from those v0 bodies, so
// that both APIs show one order (`amazon-orders_2026-01-01.json`; the mapping is README's).
import { currencyExponent, includedTax, toMinorUnits } from '../../domain/money.js';
import { editedQuantity, type SimOrderView, type SimParty, shippedQuantity } from '../sim/generate.js';
import {
  JP_MARKETPLACE_ID,
  PAYMENT_METHOD_FROM_2026,
  SERVICE_LEVEL_FROM_2026,
  STATUS_FROM_2026,
} from './constants.js';

type Json = Record<string, unknown>;

export interface AmazonRecord {
  id: string;
  /** LastUpdateDate as served (whole seconds, like Amazon's timestamps). */
  lastUpdate: Date;
  purchase: Date;
  status: string;
  paymentMethod: string;
  fulfillmentChannel: string;
  marketplaceId: string;
  /** Full data; the simulator strips what a request's token may not see. */
  order: Json;
  items: Json[];
  address: Json;
  buyerInfo: Json;
  /**
   * The packages confirmShipment reported (Orders 2026-01-01 `packages`, the PACKAGES dataset):
   * absent when none was. v0 getOrders has no tracking; it shows the status and the items shipped.
   */
  packages?: Json[];
}

const DAY = 86_400_000;

/** FNV-1a: stable small hashes for ids that must look random but never change between runs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * 3-7-7 order ids like amazon.co.jp's (`503-1234567-1234567`). The middle block is a bijection of
 * the sequence number (×7919 mod 10⁷, 7919 being coprime to 10), so ids never collide.
 */
export function amazonOrderId(seq: number): string {
  const prefix = ['249', '250', '503'][hash(`p${seq}`) % 3]!;
  const middle = String((seq * 7919 + 1_234_567) % 10_000_000).padStart(7, '0');
  const last = String(hash(`l${seq}`) % 10_000_000).padStart(7, '0');
  return `${prefix}-${middle}-${last}`;
}

function asin(cartCode: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let h = hash(cartCode);
  let out = 'B0';
  for (let i = 0; i < 8; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) ^ hash(`${cartCode}${i}`);
  }
  return out;
}

const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
const iso = (d: Date) => seconds(d).toISOString().replace('.000Z', 'Z');
const yen = (n: number) => ({ CurrencyCode: 'JPY', Amount: `${n}.00` });

function statusOf(v: SimOrderView): string {
  if (v.state === 'cancelled') return 'Canceled';
  if (v.state === 'shipped') return 'Shipped';
  // confirmShipment for some of the items: the rest are still to ship.
  if (v.shipments.length > 0) return 'PartiallyShipped';
  if (v.state === 'paid') return 'Unshipped';
  // Unpaid: COD and deferred invoice ship at once; card waits for authorization, CVS for the money.
  return v.payment === 'cod' || v.payment === 'postpay' ? 'Unshipped' : 'Pending';
}

function paymentOf(v: SimOrderView): { method: string; details: string[]; execution: string } {
  switch (v.payment) {
    case 'card':
      return { method: 'Other', details: ['CreditCard'], execution: 'CreditCard' };
    case 'cod':
      return { method: 'COD', details: ['COD'], execution: 'COD' };
    case 'postpay':
      return { method: 'Other', details: ['Invoice'], execution: 'Invoice' };
    default:
      // Convenience store, ATM, net banking and e-money are one option on amazon.co.jp, paid later.
      return { method: 'CVS', details: ['CVS'], execution: 'Other' };
  }
}

const fullName = (p: SimParty) => `${p.familyName} ${p.firstName}`;

function shippingAddress(p: SimParty): Json {
  return {
    Name: fullName(p),
    AddressLine1: p.street,
    ...(p.building ? { AddressLine2: p.building } : {}),
    City: p.city,
    StateOrRegion: p.prefecture,
    PostalCode: p.postalCode,
    CountryCode: 'JP',
    Phone: p.phone,
    AddressType: 'Residential',
  };
}

/** JST wall-clock hours of the delivery slot (`午前中` = 8–12); a date without a slot is all day [I]. */
function slotHours(slot: string | null): [number, number] {
  if (slot === '午前中') return [8, 12];
  const m = /^(\d+)-(\d+)$/.exec(slot ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [8, 21];
}

function jstInstant(date: string, hour: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return iso(new Date(Date.UTC(y, mo - 1, d, hour - 9)));
}

export function renderOrder(v: SimOrderView, id: string): AmazonRecord {
  const status = statusOf(v);
  const priced = status !== 'Pending';
  const pay = paymentOf(v);
  const shipTo = v.shipTos[0]!;
  const purchase = seconds(v.orderedAt);
  const lastUpdate = seconds(v.updatedAt);

  const quantities = v.lines.map((_, i) => editedQuantity(v, i));
  const goods = v.lines.reduce((s, l, i) => s + l.product.price * quantities[i]!, 0);
  const shippingFee = v.shippingFee;
  const codFee = v.payment === 'cod' ? v.paymentFee : 0;
  const coupon = Math.min(v.couponDiscount, goods);
  const total = goods + shippingFee + codFee - coupon;
  const points = Math.min(v.pointsUsed, total);
  const [fromHour, toHour] = slotHours(v.timeSlot);

  const items: Json[] = v.lines.map((l, i) => {
    const qty = quantities[i]!;
    const price = l.product.price * qty;
    const first = i === 0;
    const item: Json = {
      ASIN: asin(l.product.cartCode),
      OrderItemId: String(10_000_000_000_000 + hash(`${id}/${i}`) * 1000 + i),
      SellerSKU: l.product.cartCode,
      Title: l.product.name,
      QuantityOrdered: qty,
      QuantityShipped: shippedQuantity(v, i),
      ProductInfo: { NumberOfItems: '1' },
      ConditionId: 'New',
      ConditionSubtypeId: 'New',
      IsTransparency: false,
    };
    if (v.requestedDate) {
      item.ScheduledDeliveryStartDate = jstInstant(v.requestedDate, fromHour);
      item.ScheduledDeliveryEndDate = jstInstant(v.requestedDate, toHour);
    }
    // "Pending … does not return information about pricing, taxes, shipping charges, gift status or
    // promotions" (getOrderItems description).
    if (!priced) return item;
    Object.assign(item, {
      ItemPrice: yen(price),
      ItemTax: yen(includedTax(price, l.product.taxRate)),
      ShippingPrice: yen(first ? shippingFee : 0),
      ShippingTax: yen(first ? includedTax(shippingFee, 10) : 0),
      ShippingDiscount: yen(0),
      ShippingDiscountTax: yen(0),
      PromotionDiscount: yen(first ? coupon : 0),
      PromotionDiscountTax: yen(first ? includedTax(coupon, l.product.taxRate) : 0),
      PromotionIds: first && coupon > 0 ? ['JP-COUPON-300'] : [],
      IsGift: v.gift ? 'true' : 'false',
      PointsGranted: {
        PointsNumber: Math.floor(price / 100),
        PointsMonetaryValue: yen(Math.floor(price / 100)),
      },
    });
    if (v.payment === 'cod' && first) Object.assign(item, { CODFee: yen(codFee), CODFeeDiscount: yen(0) });
    // Restricted (item BuyerInfo needs an RDT): the gift message travels with the item.
    if (v.gift && first)
      item.BuyerInfo = { GiftMessageText: v.remarks ?? 'いつもありがとう。', GiftWrapLevel: 'Classic' };
    return item;
  });

  const buyerEmail = `${hash(`mail${id}`).toString(36)}${hash(`x${id}`).toString(36)}@marketplace.amazon.co.jp`;
  const hasAddress = ['Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed'].includes(status);
  const unitsTotal = quantities.reduce((s, q) => s + q, 0);
  const unitsShipped = v.lines.reduce((s, _, i) => s + shippedQuantity(v, i), 0);
  const order: Json = {
    AmazonOrderId: id,
    SellerOrderId: id,
    PurchaseDate: iso(purchase),
    LastUpdateDate: iso(lastUpdate),
    OrderStatus: status,
    FulfillmentChannel: 'MFN',
    SalesChannel: 'Amazon.co.jp',
    ShipServiceLevel: v.requestedDate ? 'Scheduled' : 'Standard',
    ShipmentServiceLevelCategory: v.requestedDate ? 'Scheduled' : 'Standard',
    ...(priced ? { OrderTotal: yen(total) } : {}),
    NumberOfItemsShipped: unitsShipped,
    NumberOfItemsUnshipped: status === 'Canceled' ? 0 : unitsTotal - unitsShipped,
    PaymentMethod: pay.method,
    PaymentMethodDetails: points > 0 ? [...pay.details, 'PointsAccount'] : pay.details,
    ...(priced && (points > 0 || v.payment === 'cod')
      ? {
          PaymentExecutionDetail: [
            ...(total - points > 0 ? [{ PaymentMethod: pay.execution, Payment: yen(total - points) }] : []),
            ...(points > 0 ? [{ PaymentMethod: 'PointsAccount', Payment: yen(points) }] : []),
          ],
        }
      : {}),
    MarketplaceId: JP_MARKETPLACE_ID,
    OrderType: 'StandardOrder',
    EarliestShipDate: iso(new Date(purchase.getTime() + DAY)),
    LatestShipDate: iso(new Date(purchase.getTime() + 3 * DAY)),
    EarliestDeliveryDate: iso(new Date(purchase.getTime() + 2 * DAY)),
    LatestDeliveryDate: iso(new Date(purchase.getTime() + 5 * DAY)),
    IsBusinessOrder: false,
    IsPrime: false,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsSoldByAB: false,
    IsIBA: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
    // "only available for … Unshipped, PartiallyShipped, Shipped and InvoiceUnconfirmed" (Order model).
    ...(hasAddress ? { ShippingAddress: shippingAddress(shipTo) } : {}),
    BuyerInfo: { BuyerEmail: buyerEmail, BuyerName: fullName(v.orderer) },
    AutomatedShippingSettings: { HasAutomatedShippingSettings: false },
  };

  return {
    id,
    lastUpdate,
    purchase,
    status,
    paymentMethod: pay.method,
    fulfillmentChannel: 'MFN',
    marketplaceId: JP_MARKETPLACE_ID,
    order,
    items,
    address: {
      AmazonOrderId: id,
      ...(hasAddress ? { ShippingAddress: shippingAddress(shipTo) } : {}),
      ...(v.remarks && !v.gift ? { DeliveryPreferences: { AddressInstructions: v.remarks } } : {}),
    },
    buyerInfo: { AmazonOrderId: id, BuyerEmail: buyerEmail, BuyerName: fullName(v.orderer) },
    ...(v.shipments.length > 0 ? { packages: packagesOf(v, items) } : {}),
  };
}

/**
 * The 2026 `packages` of the shipments confirmShipment reported: the carrier as sent (its name for
 * `Other`) [I: what Amazon shows for a code is not documented], the tracking number, the ship time,
 * and the items by orderItemId (model `OrderPackage`, `PackageItem`).
 */
function packagesOf(v: SimOrderView, items: Json[]): Json[] {
  return v.shipments.map((s) => ({
    packageReferenceId: s.key,
    packageStatus: { status: 'SHIPPED' },
    carrier: s.carrier === 'Other' && s.carrierName ? s.carrierName : s.carrier,
    shipTime: `${s.shippedOn}T03:00:00Z`, // noon in Japan
    trackingNumber: s.trackingNumber,
    packageItems: (s.lines ?? v.lines.map((_, line) => ({ line, quantity: editedQuantity(v, line) }))).map(
      (l) => ({ orderItemId: items[l.line]?.OrderItemId, quantity: l.quantity }),
    ),
  }));
}

/** The restricted fields of an Address (Order model: Name, AddressLine1-3, Phone, AddressType, ExtendedFields). */
const RESTRICTED_ADDRESS = [
  'Name',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'Phone',
  'AddressType',
  'ExtendedFields',
];
/** The restricted fields of BuyerInfo (BuyerName, BuyerTaxInfo, PurchaseOrderNumber). */
const RESTRICTED_BUYER = ['BuyerName', 'BuyerTaxInfo', 'PurchaseOrderNumber'];

const omit = (o: unknown, keys: readonly string[]): Json | undefined =>
  o && typeof o === 'object'
    ? Object.fromEntries(Object.entries(o as Json).filter(([k]) => !keys.includes(k)))
    : undefined;

/** The order as seen with the given data elements (`shippingAddress`, `buyerInfo`) of an RDT. */
export function orderAsSeen(order: Json, elements: ReadonlySet<string>): Json {
  const out: Json = { ...order };
  if (!elements.has('shippingAddress') && out.ShippingAddress)
    out.ShippingAddress = omit(out.ShippingAddress, RESTRICTED_ADDRESS);
  if (!elements.has('buyerInfo') && out.BuyerInfo) out.BuyerInfo = omit(out.BuyerInfo, RESTRICTED_BUYER);
  return out;
}

export function itemsAsSeen(items: Json[], elements: ReadonlySet<string>): Json[] {
  return elements.has('buyerInfo') ? items : items.map((it) => omit(it, ['BuyerInfo'])!);
}

export function addressAsSeen(address: Json, elements: ReadonlySet<string>): Json {
  if (elements.has('shippingAddress')) return address;
  const out = omit(address, ['DeliveryPreferences'])!;
  if (out.ShippingAddress) out.ShippingAddress = omit(out.ShippingAddress, RESTRICTED_ADDRESS);
  return out;
}

export function buyerInfoAsSeen(buyer: Json, elements: ReadonlySet<string>): Json {
  return elements.has('buyerInfo') ? buyer : omit(buyer, RESTRICTED_BUYER)!;
}

// ─── Orders API v2026-01-01 ────────────────────────────────────────────────────────────────────────

const invert = (m: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k])) as Record<string, string>;
const STATUS_TO_2026: Record<string, string> = {
  ...invert(STATUS_FROM_2026),
  // v0's "shipped, invoice not confirmed" has no 2026 status; its goods have left [I].
  InvoiceUnconfirmed: 'SHIPPED',
};
const SERVICE_LEVEL_TO_2026 = invert(SERVICE_LEVEL_FROM_2026);
const PAYMENT_METHOD_TO_2026 = invert(PAYMENT_METHOD_FROM_2026);

interface V0Money {
  CurrencyCode: string;
  Amount: string;
}
const isMoney = (v: unknown): v is V0Money =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as V0Money).CurrencyCode === 'string' &&
  typeof (v as V0Money).Amount === 'string';

/** Minor units → a `Decimal` string in the currency's digits (`5980`, `-300`, `25.99`). */
function decimal(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}
const minorOf = (m: V0Money) => toMinorUnits(m.Amount, m.CurrencyCode);
const money2026 = (minor: number, currency: string) => ({
  amount: decimal(minor, currency),
  currencyCode: currency,
});
const asIs = (m: V0Money) => money2026(minorOf(m), m.CurrencyCode);

const iso2026 = (v: unknown) => (typeof v === 'string' ? v : undefined);
const upperSnake = (v: unknown) =>
  typeof v === 'string' ? v.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() : undefined;
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * One line's PROCEEDS as 2026-01-01 breaks them down, from the v0 item's money [I]: ITEM is
 * `ItemPrice` (the line total), SHIPPING `ShippingPrice`, COD_FEE `CODFee`; DISCOUNT the discounts as
 * negative proceeds, detailed ITEM (promotion) / SHIPPING / COD_FEE; TAX the tax contained (JP prices
 * include it), detailed ITEM / SHIPPING / DISCOUNT. Zero categories are left out, except ITEM, TAX
 * and a COD fee of 0, which say "priced", "tax known" and "cash on delivery".
 */
function itemProceeds(it: Json): { proceeds: Json; sums: Record<string, number>; currency: string } | null {
  const price = it.ItemPrice;
  if (!isMoney(price)) return null;
  const currency = price.CurrencyCode;
  const m = (key: string) => (isMoney(it[key]) ? minorOf(it[key] as V0Money) : 0);
  const breakdowns: Json[] = [];
  const sums: Record<string, number> = {};
  const add = (type: string, total: number, details?: Array<[string, number]>, keepZero = false) => {
    if (total === 0 && !keepZero) return;
    sums[type] = total;
    const parts = details?.filter(([, v]) => v !== 0);
    breakdowns.push(
      defined({
        type,
        subtotal: money2026(total, currency),
        detailedBreakdowns: parts?.length
          ? parts.map(([subtype, v]) => ({ subtype, value: money2026(v, currency) }))
          : undefined,
      }),
    );
  };
  add('ITEM', minorOf(price), undefined, true);
  add('SHIPPING', m('ShippingPrice'));
  if (isMoney(it.CODFee)) add('COD_FEE', m('CODFee'), undefined, true);
  const discounts: Array<[string, number]> = [
    ['ITEM', -m('PromotionDiscount')],
    ['SHIPPING', -m('ShippingDiscount')],
    ['COD_FEE', -m('CODFeeDiscount')],
  ];
  add(
    'DISCOUNT',
    discounts.reduce((s, [, v]) => s + v, 0),
    discounts,
  );
  if (isMoney(it.ItemTax)) {
    const taxes: Array<[string, number]> = [
      ['ITEM', m('ItemTax')],
      ['SHIPPING', m('ShippingTax')],
      ['DISCOUNT', -(m('ShippingDiscountTax') + m('PromotionDiscountTax'))],
    ];
    add(
      'TAX',
      taxes.reduce((s, [, v]) => s + v, 0),
      taxes,
      true,
    );
  }
  // What the seller receives: goods, shipping and fees less discounts; JP tax is inside them [I].
  const received = Object.entries(sums).reduce((s, [k, v]) => (k === 'TAX' ? s : s + v), 0);
  return { proceeds: { proceedsTotal: money2026(received, currency), breakdowns }, sums, currency };
}

/**
 * The order as Orders API v2026-01-01 returns it with every dataset of `includedData`, made from its
 * v0 bodies (`r.order`, `r.items`, `r.address`, `r.buyerInfo`). `order2026AsSeen` then leaves out
 * what a request did not include or its app may not see.
 */
export function toOrder2026(
  r: Pick<AmazonRecord, 'order' | 'items' | 'address' | 'buyerInfo' | 'packages'>,
): Json {
  const o = r.order;
  const address = (r.address.ShippingAddress ?? o.ShippingAddress) as Json | undefined;
  const preferences = r.address.DeliveryPreferences as Json | undefined;
  const buyer = { ...(o.BuyerInfo as Json | undefined), ...r.buyerInfo };
  const status = String(o.OrderStatus ?? '');

  const lineSums: Record<string, number> = {};
  let currency: string | null = null;
  const orderItems = r.items.map((it) => {
    const qty = typeof it.QuantityOrdered === 'number' ? it.QuantityOrdered : 0;
    const shipped = typeof it.QuantityShipped === 'number' ? it.QuantityShipped : 0;
    const p = itemProceeds(it);
    if (p) {
      currency ??= p.currency;
      for (const [k, v] of Object.entries(p.sums)) lineSums[k] = (lineSums[k] ?? 0) + v;
    }
    const price = it.ItemPrice;
    const gift = (it.BuyerInfo as Json | undefined)?.GiftMessageText;
    const points = it.PointsGranted as { PointsNumber?: number; PointsMonetaryValue?: unknown } | undefined;
    const promotions = Array.isArray(it.PromotionIds) ? (it.PromotionIds as string[]) : [];
    return defined({
      orderItemId: it.OrderItemId,
      quantityOrdered: qty,
      programs: it.IsTransparency === true ? ['TRANSPARENCY'] : [],
      product: defined({
        asin: it.ASIN,
        title: it.Title,
        sellerSku: it.SellerSKU,
        condition: {
          conditionType: upperSnake(it.ConditionId),
          conditionSubtype: upperSnake(it.ConditionSubtypeId),
        },
        // The price of one unit; a line total that does not divide is rounded [I].
        price:
          isMoney(price) && qty > 0
            ? { unitPrice: money2026(Math.round(minorOf(price) / qty), price.CurrencyCode) }
            : undefined,
      }),
      proceeds: p?.proceeds,
      expense:
        points && isMoney(points.PointsMonetaryValue)
          ? {
              pointsCost: {
                pointsGranted: {
                  pointsNumber: points.PointsNumber,
                  pointsMonetaryValue: asIs(points.PointsMonetaryValue),
                },
              },
            }
          : undefined,
      promotion: promotions.length
        ? { breakdowns: promotions.map((promotionId) => ({ promotionId })) }
        : undefined,
      fulfillment: defined({
        quantityFulfilled: shipped,
        quantityUnfulfilled: Math.max(0, qty - shipped),
        packing:
          typeof gift === 'string'
            ? {
                giftOption: defined({
                  giftMessage: gift,
                  giftWrapLevel: upperSnake((it.BuyerInfo as Json).GiftWrapLevel),
                }),
              }
            : undefined,
        shipping:
          it.ScheduledDeliveryStartDate !== undefined
            ? {
                scheduledDeliveryWindow: defined({
                  earliestDateTime: iso2026(it.ScheduledDeliveryStartDate),
                  latestDateTime: iso2026(it.ScheduledDeliveryEndDate),
                }),
              }
            : undefined,
      }),
    });
  });

  const total = isMoney(o.OrderTotal) ? o.OrderTotal : null;
  currency = total?.CurrencyCode ?? currency;
  const details = Array.isArray(o.PaymentMethodDetails)
    ? (o.PaymentMethodDetails as string[])
    : typeof o.PaymentMethod === 'string' && o.PaymentMethod !== 'Other'
      ? [o.PaymentMethod]
      : [];
  const executions = Array.isArray(o.PaymentExecutionDetail) ? (o.PaymentExecutionDetail as Json[]) : [];
  const paymentExecutions = details.map((d) => {
    const paid = executions.find((e) => e.PaymentMethod === d);
    return defined({
      paymentMethod: PAYMENT_METHOD_TO_2026[d] ?? d,
      paymentAmount: paid && isMoney(paid.Payment) ? asIs(paid.Payment) : undefined,
      cardBrand: paid?.CardBrand,
    });
  });
  const programs = [
    ...(o.IsPrime === true ? ['PRIME'] : []),
    ...(o.IsBusinessOrder === true ? ['AMAZON_BUSINESS'] : []),
    ...(o.IsPremiumOrder === true ? ['PREMIUM'] : []),
    ...(o.IsISPU === true ? ['IN_STORE_PICK_UP'] : []),
    ...(o.OrderType === 'Preorder' ? ['PREORDER'] : []),
  ];

  return defined({
    orderId: o.AmazonOrderId,
    orderAliases:
      typeof o.SellerOrderId === 'string' ? [{ aliasId: o.SellerOrderId, aliasType: 'SELLER_ORDER_ID' }] : [],
    createdTime: o.PurchaseDate,
    lastUpdatedTime: o.LastUpdateDate,
    programs,
    associatedOrders:
      o.IsReplacementOrder === true && typeof o.ReplacedOrderId === 'string'
        ? [{ orderId: o.ReplacedOrderId, associationType: 'REPLACEMENT_ORIGINAL_ID' }]
        : [],
    salesChannel: defined({
      channelName: 'AMAZON',
      marketplaceId: o.MarketplaceId,
      marketplaceName: o.MarketplaceId === JP_MARKETPLACE_ID ? 'Amazon.co.jp' : undefined,
    }),
    buyer: defined({
      buyerName: buyer.BuyerName,
      buyerEmail: buyer.BuyerEmail,
      buyerCompanyName: r.address.BuyerCompanyName,
      buyerPurchaseOrderNumber: buyer.PurchaseOrderNumber,
    }),
    recipient:
      address || preferences
        ? defined({
            deliveryAddress: address
              ? defined({
                  name: address.Name,
                  companyName: address.CompanyName,
                  addressLine1: address.AddressLine1,
                  addressLine2: address.AddressLine2,
                  addressLine3: address.AddressLine3,
                  city: address.City,
                  districtOrCounty: address.District ?? address.County,
                  stateOrRegion: address.StateOrRegion,
                  municipality: address.Municipality,
                  postalCode: address.PostalCode,
                  countryCode: address.CountryCode,
                  phone: address.Phone,
                  addressType: upperSnake(address.AddressType),
                })
              : undefined,
            deliveryPreference: preferences
              ? defined({
                  addressInstruction: preferences.AddressInstructions,
                  dropOffLocation: preferences.DropOffLocation,
                })
              : undefined,
          })
        : undefined,
    proceeds:
      total || currency
        ? defined({
            grandTotal: total ? asIs(total) : undefined,
            breakdowns: currency
              ? Object.entries(lineSums).map(([type, v]) => ({ type, subtotal: money2026(v, currency!) }))
              : undefined,
          })
        : undefined,
    payment: paymentExecutions.length ? { paymentExecutions } : undefined,
    fulfillment: defined({
      fulfillmentStatus: STATUS_TO_2026[status] ?? status,
      fulfilledBy: o.FulfillmentChannel === 'AFN' ? 'AMAZON' : 'MERCHANT',
      fulfillmentServiceLevel:
        typeof o.ShipmentServiceLevelCategory === 'string'
          ? (SERVICE_LEVEL_TO_2026[o.ShipmentServiceLevelCategory] ??
            upperSnake(o.ShipmentServiceLevelCategory))
          : undefined,
      shipByWindow: o.EarliestShipDate
        ? defined({
            earliestDateTime: iso2026(o.EarliestShipDate),
            latestDateTime: iso2026(o.LatestShipDate),
          })
        : undefined,
      deliverByWindow: o.EarliestDeliveryDate
        ? defined({
            earliestDateTime: iso2026(o.EarliestDeliveryDate),
            latestDateTime: iso2026(o.LatestDeliveryDate),
          })
        : undefined,
    }),
    orderItems,
    packages: r.packages,
  });
}

/** Which `includedData` dataset carries each part of an `Order` and of its `OrderItem`s (model). */
const ORDER_DATASETS: Readonly<Record<string, string>> = {
  buyer: 'BUYER',
  recipient: 'RECIPIENT',
  proceeds: 'PROCEEDS',
  payment: 'PAYMENT',
  tax: 'TAX',
  fulfillment: 'FULFILLMENT',
  packages: 'PACKAGES',
  fulfillmentOrders: 'FULFILLMENT_ORDERS',
};
const ITEM_DATASETS: Readonly<Record<string, string>> = {
  proceeds: 'PROCEEDS',
  expense: 'EXPENSE',
  promotion: 'PROMOTION',
  cancellation: 'CANCELLATION',
  fulfillment: 'FULFILLMENT',
  tax: 'TAX',
};
/** The PII of an Order (developer-docs access-orders-pii list). */
const PII_ADDRESS = [
  'name',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'postalCode',
  'phone',
  'extendedFields',
];
/** PII is returned only for these statuses, and only for merchant-fulfilled orders (access-orders-pii). */
const PII_STATUSES = new Set(['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED']);

/**
 * The 2026 order as a request sees it: only the datasets it asked for (`includedData`), and the
 * PII only when the app has the roles (`pii`) and the order is an FBM one in UNSHIPPED,
 * PARTIALLY_SHIPPED or SHIPPED (access-orders-pii).
 */
export function order2026AsSeen(order: Json, included: ReadonlySet<string>, pii: boolean): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(order))
    if (!ORDER_DATASETS[k] || included.has(ORDER_DATASETS[k]!)) out[k] = v;
  const fulfillment = order.fulfillment as Json | undefined;
  const showPii =
    pii && PII_STATUSES.has(String(fulfillment?.fulfillmentStatus)) && fulfillment?.fulfilledBy !== 'AMAZON';
  if (out.buyer && !showPii) out.buyer = omit(out.buyer, ['buyerName', 'buyerEmail'])!;
  const recipient = out.recipient as Json | undefined;
  if (recipient?.deliveryAddress && !showPii)
    out.recipient = { ...recipient, deliveryAddress: omit(recipient.deliveryAddress, PII_ADDRESS) };
  out.orderItems = ((order.orderItems as Json[] | undefined) ?? []).map((it) => {
    const item: Json = {};
    for (const [k, v] of Object.entries(it))
      if (!ITEM_DATASETS[k] || included.has(ITEM_DATASETS[k]!)) item[k] = v;
    if (!showPii) {
      const f = item.fulfillment as Json | undefined;
      if (f?.packing) item.fulfillment = omit(f, ['packing']);
      const product = item.product as Json | undefined;
      if (product?.customization) item.product = omit(product, ['customization']);
    }
    return item;
  });
  return out;
}

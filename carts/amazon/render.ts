// Renders a simulated order (cart-neutral `SimOrderView`) as Amazon.co.jp would return it: the
// getOrders `Order`, its getOrderItems `OrderItem`s, and the getOrderAddress / getOrderBuyerInfo
// payloads. Shapes follow `amazon-ordersV0.json`; where the model is silent the choice is marked [I].
import { includedTax } from '../../domain/money.js';
import { editedQuantity, type SimOrderView, type SimParty } from '../sim/generate.js';
import { JP_MARKETPLACE_ID } from './constants.js';

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
      QuantityShipped: v.state === 'shipped' ? qty : 0,
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
  const shipped = v.state === 'shipped';
  const unitsTotal = quantities.reduce((s, q) => s + q, 0);
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
    NumberOfItemsShipped: shipped ? unitsTotal : 0,
    NumberOfItemsUnshipped: shipped || status === 'Canceled' ? 0 : unitsTotal,
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
  };
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

// One Amazon order as either Orders API tells it (`normalize-v0.ts` reads the v0 composite,
// `normalize-2026.ts` a 2026-01-01 `Order`), and the one builder that turns it into a CartOrder: an
// order reads the same whichever API brought it. Every amount and time keeps the path of the field it
// came from, so a rejection names the field in the shape the cart sent. Pure.
//
// Mapping (carts.md §2.5, README "Mapping notes"): times are UTC and leave as JST; amazon.co.jp prices
// include consumption tax and the line tax is the tax contained in them, but no rate is given, so
// `taxRate` stays null; an order not priced yet (Pending) has null money, never 0; Amazon has one
// buyer record (name and relay email) and no buyer address.

import { toMinorUnits } from '../../domain/money.js';
import { type CartOrder, type CartOrderLine, emptyParty, type Party } from '../../domain/order.js';
import { jstDate, parseInstant, toJstIso } from '../../domain/time.js';
import { FieldError, field, orNull } from '../normalize-kit.js';
import { JP_MARKETPLACE_ID, PAID_STATUSES } from './constants.js';

/** An amount as the cart gave it, with the paths of its two fields. */
export interface AmountOf {
  amount: string;
  currency: string;
  /** `items[0].ItemPrice.Amount`, `orderItems[0].proceeds.breakdowns[1].subtotal.amount`. */
  path: string;
  currencyPath: string;
  /** Counted as a magnitude: 2026 discounts may come signed as proceeds (a minus) or not [I]. */
  magnitude?: boolean;
  /** Subtracted where it is summed. */
  negative?: boolean;
}

/** Amounts of one kind on a line: null when the cart did not give that kind at all (not given ≠ 0). */
export type Amounts = AmountOf[] | null;

export interface TimeOf {
  text: string;
  path: string;
}

export interface LineFacts {
  quantity: number;
  quantityPath: string;
  sku: string | null | undefined;
  asin: string | null | undefined;
  /** Where a line with neither SKU nor ASIN is refused. */
  codePath: string;
  title: string | null | undefined;
  /** The line total (v0 `ItemPrice`, 2026 `ITEM` proceeds): the unit price is it ÷ quantity. */
  lineTotal: Amounts;
  /** The unit price as given (2026 `product.price.unitPrice`), used when there is no line total. */
  unitPrice: AmountOf | null;
  /** What the line adds to the goods total (a priced line without an ITEM category adds 0). */
  goods: Amounts;
  /** Tax contained in the line's price (v0 `ItemTax`, 2026 `TAX` › `ITEM`). */
  tax: Amounts;
  /** Everything the line adds to the order's tax: item and shipping tax less the discounts' tax. */
  taxTotal: Amounts;
  shipping: Amounts;
  shippingDiscount: Amounts;
  codFee: Amounts;
  codFeeDiscount: Amounts;
  /** Promotions (coupons) on the goods. */
  discount: Amounts;
  scheduledStart: TimeOf | null;
  scheduledEnd: TimeOf | null;
  giftMessage: string | null | undefined;
}

export interface AddressFacts {
  name: string | null | undefined;
  companyName: string | null | undefined;
  line1: string | null | undefined;
  line2: string | null | undefined;
  line3: string | null | undefined;
  city: string | null | undefined;
  district: string | null | undefined;
  state: string | null | undefined;
  postalCode: string | null | undefined;
  countryCode: string | null | undefined;
  phone: string | null | undefined;
}

export interface AmazonOrderFacts {
  orderNo: string;
  created: TimeOf;
  updated: TimeOf;
  /** In v0's spelling (`Unshipped`, `Canceled`), whichever API it came from. */
  status: string;
  marketplaceId: string | null | undefined;
  marketplacePath: string;
  /** v0 `OrderTotal`, 2026 `proceeds.grandTotal`. */
  total: AmountOf | null;
  /** Where the order's currency may be read, in order of preference. */
  currencies: Array<{ code: string; from: string }>;
  lines: LineFacts[];
  /** `items` or `orderItems`: where an order without lines is refused. */
  linesPath: string;
  /** Why there are no lines, when known (v0: getOrderItems failed). */
  noLinesReason: string | null;
  shipMethod: string | null;
  payment: {
    method: string | null;
    cardBrand: string | null | undefined;
    /** Paid with Amazon points; null when the cart gave no payment amounts. */
    points: Amounts;
    /** Cash on delivery: the money comes at the door, so there is no payment time. */
    cod: boolean;
  };
  shipTo: AddressFacts | null;
  buyer: { name: string | null | undefined; email: string | null | undefined } | null;
  /** Gift messages and delivery instructions: Amazon's nearest thing to remarks. */
  remarks: Array<string | null | undefined>;
}

/** Currency when an order carries no money at all (Pending); only marketplaces we can vouch for. */
const MARKETPLACE_CURRENCY: Readonly<Record<string, string>> = {
  [JP_MARKETPLACE_ID]: 'JPY',
  ATVPDKIKX0DER: 'USD',
};

export function buildAmazonOrder(f: AmazonOrderFacts, store: string): CartOrder {
  // A real order always has items; none means they were not fetched, or the fetch failed.
  if (f.lines.length === 0) throw new FieldError(f.linesPath, f.noLinesReason ?? 'no order items');

  const { code: currency, from: currencyFrom } = currencyOf(f);
  const amount = (a: AmountOf): number => {
    if (a.currency !== currency)
      throw new FieldError(
        a.currencyPath,
        `currency ${a.currency} differs from the order's ${currency} (${currencyFrom})`,
      );
    const v = field(a.path, () => toMinorUnits(a.amount, currency));
    const m = a.magnitude ? Math.abs(v) : v;
    return a.negative ? -m : m;
  };
  /** Σ of some amounts; null when there are none to add (not given ≠ zero). */
  const total = (list: Amounts): number | null =>
    list === null ? null : list.reduce((s, a) => s + amount(a), 0);
  /** Σ of one kind over the lines; null when no line has it. */
  const sum = (kind: (l: LineFacts) => Amounts): number | null => {
    let out: number | null = null;
    for (const l of f.lines) {
      const v = total(kind(l));
      if (v !== null) out = (out ?? 0) + v;
    }
    return out;
  };

  const orderedAt = field(f.created.path, () => toJstIso(parseInstant(f.created.text)));
  const cartUpdatedAt = field(f.updated.path, () => toJstIso(parseInstant(f.updated.text)));
  // amazon.co.jp shows and charges tax-included prices; other marketplaces are not our business.
  const taxIncluded = f.marketplaceId ? f.marketplaceId === JP_MARKETPLACE_ID : currency === 'JPY';

  const cancelled = f.status === 'Canceled';
  // Amazon reports a cancelled order's items with quantity 0: the cancel is what matters then, so
  // those lines are dropped (the order keeps the lines it was imported with). On any other order 0
  // is an error naming the field — the database would refuse the line without saying why.
  for (const l of f.lines)
    if (l.quantity === 0 && !cancelled)
      throw new FieldError(l.quantityPath, 'is 0 on an order that is not cancelled');
  const lines: CartOrderLine[] = f.lines.flatMap((l) => {
    if (l.quantity === 0) return [];
    const code = orNull(l.sku) ?? orNull(l.asin);
    if (code === null) throw new FieldError(l.codePath, 'no seller SKU and no ASIN');
    const lineTotal = total(l.lineTotal);
    return {
      packageNo: 1,
      cartProductCode: code,
      cartOptionCode: null,
      name: orNull(l.title) ?? code,
      quantity: l.quantity,
      // CartOrderLine.unitPrice cannot be null: a line not priced yet (Pending) gets 0 here, and its
      // taxAmount and the order's totals stay null so nothing downstream mistakes it for free.
      unitPrice:
        lineTotal !== null ? unitPrice(lineTotal, l.quantity) : l.unitPrice ? amount(l.unitPrice) : 0,
      taxIncluded,
      taxRate: null,
      taxAmount: total(l.tax),
    } satisfies CartOrderLine;
  });

  const shippingPrice = sum((l) => l.shipping);
  const shippingFee = shippingPrice === null ? null : shippingPrice - (sum((l) => l.shippingDiscount) ?? 0);
  const codFee = sum((l) => l.codFee);
  const paymentFee = codFee === null ? null : codFee - (sum((l) => l.codFeeDiscount) ?? 0);
  const tax = sum((l) => l.tax) === null ? null : (sum((l) => l.taxTotal) ?? 0);
  const points = total(f.payment.points);

  const scheduled = scheduledDelivery(f.lines);
  const shipTo = shipToOf(f.shipTo);
  const orderer: Party = { ...emptyParty(), name: orNull(f.buyer?.name), email: orNull(f.buyer?.email) };
  const remarks = [...new Set(f.remarks.map((t) => orNull(t)).filter((t): t is string => t !== null))];

  return {
    store,
    cart: 'amazon',
    cartOrderNo: f.orderNo,
    cartStatus: f.status,
    cancelledInCart: cancelled,
    orderedAt,
    cartUpdatedAt,
    currency,
    customerRemarks: remarks.length > 0 ? remarks.join('\n') : null,
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
      method: f.shipMethod,
      fee: shippingFee,
    },
    payment: {
      method: f.payment.method,
      cardType: orNull(f.payment.cardBrand),
      fee: paymentFee,
      // Amazon gives no payment time. Leaving Pending means payment was authorized, at the latest by
      // the last update; cash on delivery is only collected at the door.
      paidAt: PAID_STATUSES.has(f.status) && !f.payment.cod ? cartUpdatedAt : null,
    },
    totals: {
      goods: sum((l) => l.goods),
      shipping: shippingFee,
      fees: paymentFee,
      discount: sum((l) => l.discount),
      points,
      tax,
      total: f.total ? amount(f.total) : null,
    },
  };
}

/** The order's currency and the field it was read from (named when another amount differs). */
function currencyOf(f: AmazonOrderFacts): { code: string; from: string } {
  const first = f.currencies[0];
  if (first) return first;
  const code = MARKETPLACE_CURRENCY[f.marketplaceId ?? ''];
  if (!code)
    throw new FieldError(
      f.marketplacePath,
      `no amount in the order and no currency known for marketplace ${JSON.stringify(f.marketplaceId ?? null)}`,
    );
  return { code, from: f.marketplacePath };
}

/** The line total ÷ quantity; a quantity discount may not divide evenly (rounded to the minor unit). */
function unitPrice(lineTotal: number, quantity: number): number {
  return quantity > 0 ? Math.round(lineTotal / quantity) : lineTotal;
}

function shipToOf(a: AddressFacts | null): Party {
  if (!a) return emptyParty();
  const city = orNull(a.city);
  const line1 = orNull(a.line1);
  // JP addresses arrive as prefecture / city / street / building and read city first, unspaced
  // (some put the city into line 1 already); elsewhere the street comes first.
  const jp = (orNull(a.countryCode) ?? 'JP') === 'JP';
  const address1 =
    city && line1 && !line1.startsWith(city)
      ? jp
        ? `${city}${line1}`
        : `${line1}, ${city}`
      : (line1 ?? city ?? orNull(a.district));
  const rest = [a.line2, a.line3, a.companyName].map((s) => orNull(s)).filter(Boolean);
  return {
    name: orNull(a.name),
    kana: null, // Amazon gives no reading (フリガナ)
    email: null, // nor a recipient email
    phone: orNull(a.phone),
    postalCode: orNull(a.postalCode),
    prefecture: orNull(a.state),
    address1,
    address2: rest.length > 0 ? rest.join(' ') : null,
  };
}

/** The first line's scheduled delivery window → requested date (JST) and a slot such as `14-16`. */
function scheduledDelivery(lines: LineFacts[]): { date: string | null; slot: string | null } {
  const l = lines.find((x) => x.scheduledStart && orNull(x.scheduledStart.text));
  if (!l?.scheduledStart) return { date: null, slot: null };
  const { text, path } = l.scheduledStart;
  const start = field(path, () => parseInstant(text));
  const endAt = l.scheduledEnd;
  const endText = orNull(endAt?.text);
  const end = endAt && endText ? field(endAt.path, () => parseInstant(endText)) : null;
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

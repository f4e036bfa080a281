// Pure: one orderInfo `OrderInfo` element (parsed to objects, values as strings) → CartOrder.
// Mapping per carts.md §3.9. Element names: README.md says which are vendor-verified and which
// come from third-party clients.
import { z } from 'zod';
import { includedTax, toMinorUnits } from '../../domain/money.js';
import {
  type CartOrder,
  type CartOrderLine,
  emptyParty,
  type Party,
  type TaxRate,
} from '../../domain/order.js';
import { plainDate, toJstIso } from '../../domain/time.js';
import type { NormalizeResult, RawOrder } from '../contract.js';
import {
  FieldError,
  field,
  MAX_QUANTITY,
  nonBlank,
  normalizeSafely,
  orNull,
  parseRecord,
} from '../normalize-kit.js';
import { CANCELLED_STATUS, CART } from './constants.js';
import { parseYahooTime } from './time.js';
import { asList, isObject, text } from './xml.js';

const CURRENCY = 'JPY';

// Parsed XML gives "" for an empty element (`<BuyerComments/>`): "" means "not given" throughout.
const optText = z.string().optional();
const intText = z.string().regex(/^-?\d+$/, 'expected a whole number of yen');
const optInt = z.union([z.literal(''), intText]).optional();
const optBool = z.enum(['true', 'false', '']).optional();
/** A group element (`<Pay>…</Pay>`); an empty `<Pay/>` parses as "" and counts as an empty group. */
const group = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((v) => (v === '' ? {} : v), z.object(shape)).optional();
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => asList(v), z.array(item));

const itemOptionSchema = z.object({ Index: optText, Name: optText, Value: optText, Price: optInt });

const itemSchema = z.object({
  LineId: optInt,
  ItemId: nonBlank,
  Title: nonBlank,
  SubCode: optText,
  ItemOption: list(itemOptionSchema),
  IsTaxable: optBool,
  ItemTaxRatio: z.union([z.literal(''), z.string().regex(/^\d+$/, 'expected a percentage')]).optional(),
  UnitPrice: intText,
  NonTaxUnitPrice: optInt,
  Quantity: z.string().regex(/^\d+$/, 'expected a whole quantity'),
  CouponDiscount: optInt,
});

const orderInfoSchema = z.object({
  OrderId: nonBlank,
  OrderTime: z.string().min(1, 'empty order time'),
  LastUpdateTime: optText,
  OrderStatus: z.string().regex(/^\d+$/, 'expected a status code'),
  IsSeen: optBool,
  CancelReason: optText,
  BuyerComments: optText,
  Notes: optText,
  TotalCouponDiscount: optInt,
  Pay: group({
    PayStatus: optText,
    SettleStatus: optText,
    PayType: optText,
    PayKind: optText,
    PayMethod: optText,
    PayMethodName: optText,
    PayDate: optText,
    PayActionTime: optText,
    CardBrand: optText,
    BillFirstName: optText,
    BillFirstNameKana: optText,
    BillLastName: optText,
    BillLastNameKana: optText,
    BillZipCode: optText,
    BillPrefecture: optText,
    BillCity: optText,
    BillAddress1: optText,
    BillAddress2: optText,
    BillPhoneNumber: optText,
    BillMailAddress: optText,
  }),
  Ship: group({
    ShipStatus: optText,
    ShipMethod: optText,
    ShipMethodName: optText,
    ShipRequestDate: optText,
    ShipRequestTime: optText,
    ShipNotes: optText,
    ShipCompanyCode: optText,
    ShipInvoiceNumber1: optText,
    ShipDate: optText,
    ShipFirstName: optText,
    ShipFirstNameKana: optText,
    ShipLastName: optText,
    ShipLastNameKana: optText,
    ShipZipCode: optText,
    ShipPrefecture: optText,
    ShipCity: optText,
    ShipAddress1: optText,
    ShipAddress2: optText,
    ShipPhoneNumber: optText,
  }),
  Seller: group({ SellerId: optText }),
  Detail: group({
    PayCharge: optInt,
    ShipCharge: optInt,
    GiftWrapCharge: optInt,
    Discount: optInt,
    Adjustments: optInt,
    SettleAmount: optInt,
    UsePoint: optInt,
    GiftCardDiscount: optInt,
    TotalPrice: optInt,
    TotalMallCouponDiscount: optInt,
  }),
  Item: z.preprocess((v) => asList(v), z.array(itemSchema).min(1, 'an order without items')),
});

export type YahooOrderInfo = z.infer<typeof orderInfoSchema>;

/** The cart order number of a raw record, for rejections (even when the record is otherwise bad). */
export function yahooOrderNoOf(payload: unknown): string | null {
  return isObject(payload) ? orNull(text(payload.OrderId)) : null;
}

export function normalizeYahoo(raw: RawOrder, store: string): NormalizeResult {
  const cartOrderNo = raw.cartOrderNo ?? yahooOrderNoOf(raw.payload);
  return normalizeSafely(cartOrderNo, () => buildOrder(raw.payload, store));
}

function buildOrder(payload: unknown, store: string): CartOrder {
  const o = parseRecord(orderInfoSchema, payload);
  const pay = o.Pay ?? {};
  const ship = o.Ship ?? {};
  const detail = o.Detail;

  const lines = o.Item.map((item, i) => line(item, i));
  const orderer = party(
    {
      last: pay.BillLastName,
      first: pay.BillFirstName,
      lastKana: pay.BillLastNameKana,
      firstKana: pay.BillFirstNameKana,
      zip: pay.BillZipCode,
      prefecture: pay.BillPrefecture,
      city: pay.BillCity,
      address1: pay.BillAddress1,
      address2: pay.BillAddress2,
      phone: pay.BillPhoneNumber,
      email: pay.BillMailAddress,
    },
    o.Pay ? 'Pay' : null,
  );
  // Yahoo has one ship-to per order (複数配送 splits the order itself), so one package.
  const shipTo = party(
    {
      last: ship.ShipLastName,
      first: ship.ShipFirstName,
      lastKana: ship.ShipLastNameKana,
      firstKana: ship.ShipFirstNameKana,
      zip: ship.ShipZipCode,
      prefecture: ship.ShipPrefecture,
      city: ship.ShipCity,
      address1: ship.ShipAddress1,
      address2: ship.ShipAddress2,
      phone: ship.ShipPhoneNumber,
      email: undefined, // Yahoo gives no ship-to mail address
    },
    o.Ship ? 'Ship' : null,
  );

  const paid = pay.PayStatus === '1';
  const paidAt = paid
    ? orNull(pay.PayActionTime)
      ? field('Pay.PayActionTime', () => toJstIso(parseYahooTime(pay.PayActionTime!)))
      : orNull(pay.PayDate)
        ? // 入金日 is a date: the start of that day in Japan stands for it.
          field('Pay.PayDate', () => `${plainDate(pay.PayDate)}T00:00:00+09:00`)
        : null
    : null;

  const goods = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  const yen = (name: string, v: string | undefined) =>
    orNull(v) === null ? null : field(`Detail.${name}`, () => toMinorUnits(v!, CURRENCY));
  const sum = (...vs: Array<number | null>) =>
    vs.every((v) => v === null) ? null : vs.reduce<number>((s, v) => s + (v ?? 0), 0);

  return {
    store,
    cart: CART,
    cartOrderNo: o.OrderId,
    cartStatus: o.OrderStatus,
    cancelledInCart: o.OrderStatus === CANCELLED_STATUS,
    orderedAt: field('OrderTime', () => toJstIso(parseYahooTime(o.OrderTime))),
    cartUpdatedAt: orNull(o.LastUpdateTime)
      ? field('LastUpdateTime', () => toJstIso(parseYahooTime(o.LastUpdateTime!)))
      : null,
    currency: CURRENCY,
    customerRemarks: orNull(o.BuyerComments),
    // Notes is the store's own memo on the order (ストア内メモ), i.e. our 社内コメント.
    internalComment: orNull(o.Notes),
    orderer,
    shipTo,
    packages: [{ packageNo: 1, shipTo }],
    lines,
    delivery: {
      requestedDate: orNull(ship.ShipRequestDate)
        ? field('Ship.ShipRequestDate', () => plainDate(ship.ShipRequestDate))
        : null,
      timeSlot: orNull(ship.ShipRequestTime),
      carrier: orNull(ship.ShipCompanyCode),
      method: orNull(ship.ShipMethodName) ?? orNull(ship.ShipMethod),
      fee: yen('ShipCharge', detail?.ShipCharge),
    },
    payment: {
      method: orNull(pay.PayMethod),
      cardType: orNull(pay.CardBrand),
      fee: yen('PayCharge', detail?.PayCharge),
      paidAt,
    },
    totals: {
      goods,
      shipping: yen('ShipCharge', detail?.ShipCharge),
      fees: sum(yen('PayCharge', detail?.PayCharge), yen('GiftWrapCharge', detail?.GiftWrapCharge)),
      discount: sum(
        yen('Discount', detail?.Discount),
        yen('TotalMallCouponDiscount', detail?.TotalMallCouponDiscount),
      ),
      points: yen('UsePoint', detail?.UsePoint),
      tax: includedTaxByRate(lines),
      total: yen('TotalPrice', detail?.TotalPrice),
    },
  };
}

function line(item: z.infer<typeof itemSchema>, i: number): CartOrderLine {
  const name = `Item[${i}]`;
  const unitPrice = field(`${name}.UnitPrice`, () => toMinorUnits(item.UnitPrice, CURRENCY));
  const quantity = Number(item.Quantity);
  if (quantity <= 0) throw new FieldError(`${name}.Quantity`, `quantity ${quantity} is not positive`);
  if (quantity > MAX_QUANTITY)
    throw new FieldError(`${name}.Quantity`, `quantity ${item.Quantity} is too large`);
  const taxRate = field(`${name}.ItemTaxRatio`, () => rateOf(item.ItemTaxRatio, item.IsTaxable));
  const options = item.ItemOption.map((opt) => [orNull(opt.Name), orNull(opt.Value)])
    .filter(([, v]) => v !== null)
    .map(([k, v]) => (k ? `${k}:${v}` : v));
  return {
    packageNo: 1,
    cartProductCode: item.ItemId,
    cartOptionCode: orNull(item.SubCode),
    // Options without a SubCode (のし, 名入れ…) exist only as text: keep them visible on the line.
    name: options.length > 0 ? `${item.Title} [${options.join(', ')}]` : item.Title,
    quantity,
    // UnitPrice is tax-included; NonTaxUnitPrice is the tax-excluded one [T: C# 40804531423].
    unitPrice,
    taxIncluded: true,
    taxRate,
    taxAmount: taxRate === null ? null : includedTax(unitPrice * quantity, taxRate),
  };
}

function rateOf(ratio: string | undefined, taxable: string | undefined): TaxRate | null {
  if (taxable === 'false') return 0;
  const r = orNull(ratio);
  if (r === null) return null;
  if (r === '8' || r === '10' || r === '0') return Number(r) as TaxRate;
  throw new Error(`unknown tax rate ${JSON.stringify(r)} (expected 8 or 10)`);
}

/** Tax contained in the goods, once per rate (the invoice rule), when every line has a rate. */
function includedTaxByRate(lines: CartOrderLine[]): number | null {
  if (lines.some((l) => l.taxRate === null)) return null;
  const byRate = new Map<number, number>();
  for (const l of lines) byRate.set(l.taxRate!, (byRate.get(l.taxRate!) ?? 0) + l.unitPrice * l.quantity);
  let tax = 0;
  for (const [rate, amount] of byRate) tax += includedTax(amount, rate);
  return tax;
}

interface PartyFields {
  last: string | undefined;
  first: string | undefined;
  lastKana: string | undefined;
  firstKana: string | undefined;
  zip: string | undefined;
  prefecture: string | undefined;
  city: string | undefined;
  address1: string | undefined;
  address2: string | undefined;
  phone: string | undefined;
  email: string | undefined;
}

function party(f: PartyFields, groupName: string | null): Party {
  if (groupName === null) return emptyParty();
  const join = (...parts: Array<string | undefined>) => {
    const present = parts.map((p) => orNull(p)).filter((p): p is string => p !== null);
    return present.length > 0 ? present.join(' ') : null;
  };
  const cityAndStreet = [orNull(f.city), orNull(f.address1)].filter((p) => p !== null).join('');
  return {
    name: join(f.last, f.first),
    kana: join(f.lastKana, f.firstKana),
    email: orNull(f.email),
    phone: orNull(f.phone),
    postalCode: postalCode(orNull(f.zip)),
    prefecture: orNull(f.prefecture),
    address1: cityAndStreet === '' ? null : cityAndStreet,
    address2: orNull(f.address2),
  };
}

/** `1000005` → `100-0005`; anything else verbatim (Yahoo's own format is not documented). */
function postalCode(zip: string | null): string | null {
  if (zip === null) return null;
  const digits = zip.replace(/[〒\s]/g, '');
  return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : digits;
}

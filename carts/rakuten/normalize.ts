// Rakuten getOrder OrderModel → CartOrder. Pure. Field names and meanings from the getOrder page
// (file id 53585851855, carts.md §1.5); the 2018 fixture shows the old layout (no tax-rate fields,
// no settlementMethodCode, no SkuModelList) that must still normalize, with taxRate null.
import { z } from 'zod';
import { includedTax } from '../../domain/money.js';
import {
  type CartOrder,
  type CartOrderLine,
  emptyParty,
  type Package,
  type Party,
  type TaxRate,
} from '../../domain/order.js';
import { parseInstant, plainDate, toJstIso } from '../../domain/time.js';
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
import {
  CANCELLED_PROGRESS,
  DELIVERY_COMPANIES,
  NOT_YET_KNOWN,
  paidWhenFixed,
  SETTLEMENT_METHODS,
  shippingTermToSlot,
} from './codes.js';

const str = z.string();
const optStr = z.string().nullable().optional();
const optNum = z.number().nullable().optional();
/** Money as Rakuten sends it: integer yen, -9999 while not yet known. */
const money = z.number().int();
const optMoney = money.nullable().optional();

const AddressFields = {
  zipCode1: str,
  zipCode2: str,
  prefecture: str,
  city: str,
  subAddress: str,
  familyName: str,
  familyNameKana: optStr,
  firstNameKana: optStr,
  phoneNumber1: optStr,
  phoneNumber2: optStr,
  phoneNumber3: optStr,
};

const OrdererSchema = z.object({ ...AddressFields, firstName: str, emailAddress: optStr });
/** The ship-to person of one package, despite the name (送付者モデル). `firstName` may be null. */
const SenderSchema = z.object({ ...AddressFields, firstName: optStr });

const SkuSchema = z.object({ variantId: optStr, merchantDefinedSkuId: optStr, skuInfo: optStr });

const ItemSchema = z.object({
  itemName: nonBlank,
  /** 商品ID, a number; only carried along on the line (`cartCodes`), so any scalar is taken. */
  itemId: z.unknown().optional(),
  itemNumber: optStr,
  manageNumber: nonBlank,
  price: money,
  units: z.number().int().positive().max(MAX_QUANTITY),
  includeTaxFlag: z.union([z.literal(0), z.literal(1)]),
  selectedChoice: optStr,
  deleteItemFlag: optNum,
  /** 0, 0.08 or 0.1; absent before the 2019 tax-increase layout (version 3). */
  taxRate: optNum,
  priceTaxIncl: optMoney,
  SkuModelList: z.array(SkuSchema).nullable().optional(),
});

const ShippingSchema = z.object({
  shippingNumber: optStr,
  deliveryCompany: optStr,
  deliveryCompanyName: optStr,
  shippingDate: optStr,
});

const PackageSchema = z.object({
  basketId: optNum,
  postagePrice: optMoney,
  packageDeleteFlag: optNum,
  SenderModel: SenderSchema,
  ItemModelList: z.array(ItemSchema),
  ShippingModelList: z.array(ShippingSchema).nullable().optional(),
  defaultDeliveryCompanyCode: optStr,
  SocialGiftModel: z.object({ inputFlag: z.number() }).nullable().optional(),
});

const ChangeReasonSchema = z.object({
  changeType: optNum,
  changeApplyDatetime: optStr,
  changeFixDatetime: optStr,
  changeCmplDatetime: optStr,
});

export const OrderModelSchema = z.object({
  orderNumber: nonBlank,
  orderProgress: z.number().int(),
  orderDatetime: str,
  shopOrderCfmDatetime: optStr,
  orderFixDatetime: optStr,
  shippingInstDatetime: optStr,
  shippingCmplRptDatetime: optStr,
  deliveryDate: optStr,
  shippingTerm: optNum,
  remarks: optStr,
  memo: optStr,
  goodsPrice: money,
  postagePrice: money,
  deliveryPrice: money,
  paymentCharge: optMoney,
  totalPrice: money,
  requestPrice: money,
  couponAllTotalPrice: money,
  additionalFeeOccurAmountToUser: optMoney,
  OrdererModel: OrdererSchema,
  SettlementModel: z
    .object({ settlementMethodCode: optNum, settlementMethod: optStr, cardName: optStr })
    .nullable()
    .optional(),
  DeliveryModel: z.object({ deliveryName: optStr }),
  PointModel: z.object({ usedPoint: money }).nullable().optional(),
  PackageModelList: z.array(PackageSchema).min(1),
  ChangeReasonModelList: z.array(ChangeReasonSchema).nullable().optional(),
  TaxSummaryModelList: z
    .array(z.object({ taxRate: z.number(), reqPriceTax: money }))
    .nullable()
    .optional(),
});
export type OrderModel = z.infer<typeof OrderModelSchema>;

/** -9999 (未確定) → null; absent → null. */
function known(v: number | null | undefined): number | null {
  return v === null || v === undefined || v === NOT_YET_KNOWN ? null : v;
}

/** Sum of the amounts that are present; null if any present one is not yet known, or none is present. */
function sumKnown(...values: Array<number | null | undefined>): number | null {
  const present = values.filter((v): v is number => v !== null && v !== undefined);
  if (present.length === 0 || present.includes(NOT_YET_KNOWN)) return null;
  return present.reduce((a, b) => a + b, 0);
}

function taxRateOf(rate: number | null | undefined, name: string): TaxRate | null {
  if (rate === null || rate === undefined) return null;
  const pct = Math.round(rate * 100);
  if (pct === 0 || pct === 8 || pct === 10) return pct;
  throw new FieldError(name, `unsupported tax rate ${rate}`);
}

function joinName(a: string | null | undefined, b: string | null | undefined): string | null {
  const parts = [orNull(a), orNull(b)].filter((p): p is string => p !== null);
  return parts.length ? parts.join(' ') : null;
}

function party(m: z.infer<typeof SenderSchema>, email: string | null): Party {
  const phones = [m.phoneNumber1, m.phoneNumber2, m.phoneNumber3]
    .map(orNull)
    .filter((p): p is string => p !== null);
  const zip = [orNull(m.zipCode1), orNull(m.zipCode2)].filter((p): p is string => p !== null);
  return {
    name: joinName(m.familyName, m.firstName),
    kana: joinName(m.familyNameKana, m.firstNameKana),
    email,
    phone: phones.length ? phones.join('-') : null,
    postalCode: zip.length ? zip.join('-') : null,
    prefecture: orNull(m.prefecture),
    address1: orNull(m.city),
    address2: orNull(m.subAddress),
  };
}

/**
 * `remarks` is the buyer's comment box, but Rakuten also writes checkout headings into it
 * (`[配送日時指定:]`), often with nothing under them — as in the 2018 fixture. A heading followed by a
 * blank line or the end is dropped so that such orders do not look like they carry a comment.
 */
export function customerRemarks(remarks: string | null | undefined): string | null {
  if (!remarks) return null;
  const lines = remarks.replace(/\r\n?/g, '\n').split('\n');
  const kept = lines.filter((line, i) => {
    if (!/^\[[^\]\n]*:\]\s*$/.test(line)) return true;
    const next = lines[i + 1];
    return next !== undefined && next.trim() !== '';
  });
  return orNull(kept.join('\n'));
}

function instant(name: string, text: string): Date {
  return field(name, () => parseInstant(text));
}

type ChangeTimeFields = Pick<
  OrderModel,
  | 'orderDatetime'
  | 'shopOrderCfmDatetime'
  | 'orderFixDatetime'
  | 'shippingInstDatetime'
  | 'shippingCmplRptDatetime'
  | 'ChangeReasonModelList'
>;

/** Every change time the order carries; the latest is the cart's "last updated". */
export function changeTimes(o: ChangeTimeFields): Date[] {
  const out: Date[] = [instant('orderDatetime', o.orderDatetime)];
  const named = [
    ['shopOrderCfmDatetime', o.shopOrderCfmDatetime],
    ['orderFixDatetime', o.orderFixDatetime],
    ['shippingInstDatetime', o.shippingInstDatetime],
    ['shippingCmplRptDatetime', o.shippingCmplRptDatetime],
  ] as const;
  for (const [name, v] of named) if (v) out.push(instant(name, v));
  (o.ChangeReasonModelList ?? []).forEach((c, i) => {
    for (const k of ['changeApplyDatetime', 'changeFixDatetime', 'changeCmplDatetime'] as const) {
      const v = c[k];
      if (v) out.push(instant(`ChangeReasonModelList[${i}].${k}`, v));
    }
  });
  return out;
}

/**
 * The line's codes (issue 13 item 1, carts.md §1.10). `cartProductCode` is the SKU's
 * システム連携用SKU番号 (`merchantDefinedSkuId`, the shop's own code for the SKU, often its master code) when
 * the item has one, else the 商品番号 (`itemNumber`), else the 商品管理番号 (`manageNumber`, the URL
 * key). `cartOptionCode` is the SKU管理番号 (`variantId`) of a multi-SKU item (one with `skuInfo`):
 * items whose SKUs share one system number — seen in real shop data [T] — can still be mapped per
 * SKU, while a mapping or master product keyed by the code alone still matches (resolveProducts
 * falls back to the code without option). A single-SKU item's `variantId` says nothing about options.
 * Every code Rakuten gave stays on the line in `cartCodes`. Before the SKU migration (and below
 * version 7) there is no SkuModelList and the SKU fields are empty [V: getOrder skuModel].
 */
function codesOf(
  item: z.infer<typeof ItemSchema>,
): Pick<CartOrderLine, 'cartProductCode' | 'cartOptionCode' | 'cartCodes'> & { skuInfo: string | null } {
  const sku = item.SkuModelList?.[0];
  const skuCode = orNull(sku?.merchantDefinedSkuId);
  const variantId = orNull(sku?.variantId);
  const skuInfo = orNull(sku?.skuInfo);
  const itemNumber = orNull(item.itemNumber);
  // nonBlank: never null once trimmed.
  const manageNumber = orNull(item.manageNumber) ?? item.manageNumber;
  const itemId =
    typeof item.itemId === 'number' && Number.isFinite(item.itemId)
      ? String(item.itemId)
      : typeof item.itemId === 'string'
        ? orNull(item.itemId)
        : null;
  const all: Record<string, string | null> = {
    itemNumber,
    manageNumber,
    itemId,
    variantId,
    merchantDefinedSkuId: skuCode,
    skuInfo,
  };
  const cartCodes = Object.fromEntries(
    Object.entries(all).filter((e): e is [string, string] => e[1] !== null),
  );
  return {
    cartProductCode: skuCode ?? itemNumber ?? manageNumber,
    cartOptionCode: skuInfo ? variantId : null,
    cartCodes,
    skuInfo,
  };
}

function lineOf(item: z.infer<typeof ItemSchema>, packageNo: number, prefix: string): CartOrderLine {
  const taxRate = taxRateOf(item.taxRate, `${prefix}.taxRate`);
  const taxIncluded = item.includeTaxFlag === 1;
  const { skuInfo, ...codes } = codesOf(item);
  const choices = [skuInfo, orNull(item.selectedChoice)]
    .filter((s): s is string => s !== null)
    .flatMap((s) => s.split('\n'))
    .map((s) => s.trim())
    .filter(Boolean);
  const lineTotal = item.price * item.units;
  let taxAmount: number | null = null;
  if (taxRate !== null) {
    if (taxIncluded) taxAmount = includedTax(lineTotal, taxRate);
    else if (item.priceTaxIncl !== null && item.priceTaxIncl !== undefined)
      // Tax-excluded prices: priceTaxIncl is rounded by the shop's own rule, so take the difference.
      taxAmount = (item.priceTaxIncl - item.price) * item.units;
    else taxAmount = Math.floor((lineTotal * taxRate) / 100);
  }
  return {
    packageNo,
    cartProductCode: codes.cartProductCode,
    cartOptionCode: codes.cartOptionCode,
    cartCodes: codes.cartCodes,
    name: choices.length ? `${item.itemName} [${choices.join(' / ')}]` : item.itemName,
    quantity: item.units,
    unitPrice: item.price,
    taxIncluded,
    taxRate,
    taxAmount,
  };
}

function carrierOf(pkg: z.infer<typeof PackageSchema> | undefined): string | null {
  if (!pkg) return null;
  const shipped = pkg.ShippingModelList?.find(
    (s) => orNull(s.deliveryCompany) || orNull(s.deliveryCompanyName),
  );
  if (shipped) {
    const code = orNull(shipped.deliveryCompany);
    return orNull(shipped.deliveryCompanyName) ?? (code ? (DELIVERY_COMPANIES[code] ?? code) : null);
  }
  const code = orNull(pkg.defaultDeliveryCompanyCode);
  return code ? (DELIVERY_COMPANIES[code] ?? code) : null;
}

export function buildOrder(payload: unknown, store: string): CartOrder {
  const o = parseRecord(OrderModelSchema, payload);
  const ordered = instant('orderDatetime', o.orderDatetime);
  const updated = changeTimes(o).reduce((a, b) => (b.getTime() > a.getTime() ? b : a));

  // A deleted package (packageDeleteFlag 1) or item (deleteItemFlag 1) is no longer part of the order.
  const indexed = o.PackageModelList.map((p, i) => ({ p, i }));
  const live = indexed.filter(({ p }) => p.packageDeleteFlag !== 1);
  const kept = live.length ? live : indexed;
  const packages: Package[] = [];
  const lines: CartOrderLine[] = [];
  kept.forEach(({ p, i }, n) => {
    const packageNo = n + 1;
    // Social gift: until the recipient enters the address, SenderModel holds dummies (入力待ち).
    const awaitingGift = p.SocialGiftModel?.inputFlag === 0;
    packages.push({ packageNo, shipTo: awaitingGift ? emptyParty() : party(p.SenderModel, null) });
    p.ItemModelList.forEach((item, j) => {
      if (item.deleteItemFlag === 1) return;
      lines.push(lineOf(item, packageNo, `PackageModelList[${i}].ItemModelList[${j}]`));
    });
  });

  const settlement = o.SettlementModel ?? null;
  const methodCode = settlement?.settlementMethodCode ?? null;
  const method =
    orNull(settlement?.settlementMethod) ??
    (methodCode !== null ? (SETTLEMENT_METHODS[methodCode] ?? null) : null);
  const fixed = o.orderFixDatetime ? instant('orderFixDatetime', o.orderFixDatetime) : null;
  const progressed = o.orderProgress >= 300 && o.orderProgress <= 700;
  const paidAt = fixed && progressed && paidWhenFixed(methodCode, method) ? toJstIso(fixed) : null;

  const taxSummary = o.TaxSummaryModelList ?? [];
  const first = kept[0]!.p;
  return {
    store,
    cart: 'rakuten',
    cartOrderNo: o.orderNumber,
    cartStatus: String(o.orderProgress),
    cancelledInCart: o.orderProgress === CANCELLED_PROGRESS,
    orderedAt: toJstIso(ordered),
    cartUpdatedAt: toJstIso(updated),
    currency: 'JPY',
    customerRemarks: customerRemarks(o.remarks),
    internalComment: orNull(o.memo),
    orderer: party(o.OrdererModel, orNull(o.OrdererModel.emailAddress)),
    shipTo: packages[0]!.shipTo,
    packages,
    lines,
    delivery: {
      requestedDate: field('deliveryDate', () => plainDate(o.deliveryDate)),
      timeSlot: field('shippingTerm', () => shippingTermToSlot(o.shippingTerm)),
      carrier: carrierOf(first),
      method: orNull(o.DeliveryModel.deliveryName),
      fee: known(o.postagePrice),
    },
    payment: {
      method,
      cardType: orNull(settlement?.cardName),
      // 代引料 (COD fee) and 決済手数料 are both what the customer pays for the payment method.
      fee: sumKnown(o.deliveryPrice, o.paymentCharge),
      paidAt,
    },
    totals: {
      goods: known(o.goodsPrice),
      shipping: known(o.postagePrice),
      fees: sumKnown(o.deliveryPrice, o.paymentCharge, o.additionalFeeOccurAmountToUser),
      discount: known(o.couponAllTotalPrice),
      points: o.PointModel ? known(o.PointModel.usedPoint) : null,
      // TaxSummaryModel.reqPriceTax is the tax in the billed amount, per rate; goodsTax (gone in v8)
      // was only the external tax and 0 for tax-included goods, so it is not a tax total.
      tax:
        taxSummary.length && taxSummary.every((t) => t.reqPriceTax !== NOT_YET_KNOWN)
          ? taxSummary.reduce((s, t) => s + t.reqPriceTax, 0)
          : null,
      total: known(o.requestPrice),
    },
  };
}

function orderNumberOf(payload: unknown): string | null {
  if (payload && typeof payload === 'object' && 'orderNumber' in payload) {
    const n = (payload as { orderNumber: unknown }).orderNumber;
    if (typeof n === 'string' && n) return n;
  }
  return null;
}

export function normalizeRakuten(raw: RawOrder, store: string): NormalizeResult {
  return normalizeSafely(raw.cartOrderNo ?? orderNumberOf(raw.payload), () => buildOrder(raw.payload, store));
}

export function rawOrderOf(payload: unknown): RawOrder {
  return { cartOrderNo: orderNumberOf(payload), payload };
}

/**
 * The change times of a payload that may be malformed: null when they cannot be read, so that the
 * caller keeps the record and normalize rejects it with the field named.
 */
export function changeTimesOf(payload: unknown): Date[] | null {
  try {
    return changeTimes(parseRecord(ChangeTimesSchema, payload));
  } catch {
    return null;
  }
}

const ChangeTimesSchema = OrderModelSchema.pick({
  orderDatetime: true,
  shopOrderCfmDatetime: true,
  orderFixDatetime: true,
  shippingInstDatetime: true,
  shippingCmplRptDatetime: true,
  ChangeReasonModelList: true,
});

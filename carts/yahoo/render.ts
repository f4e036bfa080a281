// The simulator's view of a Yahoo order: a generated `SimOrderView` rendered into the element tree of
// an orderInfo `OrderInfo` (and the flat row of an orderList hit). Pure, so that fixtures recorded
// from the simulator and the simulator itself agree.
import { includedTax } from '../../domain/money.js';
import { jstDate, toJstIso } from '../../domain/time.js';
import { editedQuantity, type PaymentKind, type SimOrderView, type SimParty } from '../sim/generate.js';
import { PAY_METHODS } from './constants.js';
import type { XmlObject } from './xml.js';

/** Simulated order ids follow Yahoo's `<sellerId>-<8 digits>` form (`tanarkystore-10000001` in the docs). */
export function yahooOrderId(sellerId: string, seq: number): string {
  return `${sellerId}-${10_000_000 + seq}`;
}

const PAY: Record<PaymentKind, { method: string; type: '0' | '1'; kind: string }> = {
  card: { method: 'payment_a1', type: '0', kind: '0' },
  bank: { method: 'payment_b1', type: '1', kind: '3' },
  cvs: { method: 'payment_a7', type: '1', kind: '5' },
  payeasy: { method: 'payment_a15', type: '1', kind: '1' },
  cod: { method: 'payment_d1', type: '0', kind: '4' },
  postpay: { method: 'payment_a19', type: '0', kind: '7' },
};

/** Yahoo's ShipRequestTime is free text up to 13 bytes such as `12:00～14:00` [T: 33695360591]. */
const SLOT_TEXT: Record<string, string> = {
  午前中: '午前中',
  '14-16': '14:00～16:00',
  '16-18': '16:00～18:00',
  '18-20': '18:00～20:00',
  '19-21': '19:00～21:00',
};

/** Options the demo products are sold with (a colour with its own SubCode, のし without one). */
const ITEM_OPTIONS: Record<string, Array<{ Name: string; Value: string }>> = {
  'KYUSU-TKN': [{ Name: 'カラー', Value: '朱泥' }],
  '00000950001': [{ Name: 'のし', Value: '御祝' }],
};

function zip(p: SimParty): string {
  // Without the hyphen, as a 7-digit string: exercises leading zeros (北海道 060-…) [I].
  return p.postalCode.replace('-', '');
}

function yenText(n: number): string {
  return String(Math.round(n));
}

/**
 * [I] Yahoo holds some orders for its fraud checks (FraudHoldStatus) and shows them in orderList only
 * once published (PublicationTime, orderList公開日時 [V: orderList changelog 2021-06-18]); how many and
 * for how long is not public. The simulator holds every 17th order (seq ≡ 5) for 90 minutes.
 */
export const FRAUD_HOLD = { every: 17, remainder: 5, minutes: 90 } as const;

/** When orderList starts to show the order: its OrderTime, or later for a held one. */
export function publicationTimeOf(view: Pick<SimOrderView, 'seq' | 'orderedAt'>): Date {
  const held = view.seq % FRAUD_HOLD.every === FRAUD_HOLD.remainder;
  return new Date(view.orderedAt.getTime() + (held ? FRAUD_HOLD.minutes * 60_000 : 0));
}

export interface RenderedOrder {
  /** The `OrderInfo` element of orderInfo, every field the simulator knows. */
  info: XmlObject;
  /** The flat fields of an orderList row. */
  row: Record<string, string>;
}

export function renderOrder(view: SimOrderView, sellerId: string): RenderedOrder {
  const orderId = yahooOrderId(sellerId, view.seq);
  const pay = PAY[view.payment];
  const shipTo = view.shipTos[0] ?? view.orderer;
  const bill = view.orderer;
  const paid = view.paidAt !== null;
  const items = view.lines.map((l, i) => {
    const rate = l.product.taxRate;
    const price = l.product.price;
    return {
      LineId: String(i + 1),
      ItemId: l.product.cartCode,
      Title: l.product.name,
      SubCode: l.product.cartOptionCode ?? '',
      ItemOption: (ITEM_OPTIONS[l.product.cartCode] ?? []).map((o, k) => ({
        Index: String(k + 1),
        Name: o.Name,
        Value: o.Value,
        Price: '0',
      })),
      IsTaxable: 'true',
      ItemTaxRatio: String(rate),
      UnitPrice: yenText(price),
      NonTaxUnitPrice: yenText(price - includedTax(price, rate)),
      Quantity: String(editedQuantity(view, i)),
      CouponDiscount: '0',
    };
  });
  const goods = view.lines.reduce((s, l, i) => s + l.product.price * editedQuantity(view, i), 0);
  // Our reading of the totals [I]: TotalPrice = goods + charges − store discount; points and mall
  // coupons are taken off in SettleAmount (what is charged).
  const totalPrice = goods + view.shippingFee + view.paymentFee - view.couponDiscount;
  const settle = totalPrice - view.pointsUsed;
  const shipped = view.state === 'shipped';
  // A cancel through orderStatusChange of a completed order is a status write (`4`).
  const cancelled = view.state === 'cancelled' || view.cartStatus === '4';
  // What orderShipStatusChange reported: invoice 1 under key `1`, invoice 2 under key `2`.
  const reported = view.shipments.find((x) => x.key === '1') ?? null;
  const reported2 = view.shipments.find((x) => x.key === '2') ?? null;
  const prepaid = pay.type === '1';

  const published = publicationTimeOf(view);
  // [I] Releasing a held order is an update of it.
  const updatedAt = new Date(Math.max(published.getTime(), view.updatedAt.getTime()));
  const order: Record<string, string> = {
    OrderId: orderId,
    OrderTime: toJstIso(view.orderedAt),
    LastUpdateTime: toJstIso(updatedAt),
    // A shipment the store reported leaves the order 処理中 until the store completes it (5); one the
    // simulated cart made itself shows it completed, as before.
    OrderStatus: cancelled ? '4' : (view.cartStatus ?? (shipped && !reported ? '5' : '2')),
    IsSeen: view.state === 'new' && !reported && view.cartStatus === null ? 'false' : 'true',
    CancelReason: cancelled ? (view.cancelReason ?? '100') : '',
    BuyerComments: view.remarks ?? '',
    Notes: view.edits > 0 ? `お客様のご依頼により数量変更（${view.edits}回）` : '',
    TotalCouponDiscount: '0',
  };
  const payGroup: Record<string, string> = {
    PayStatus: paid ? '1' : '0',
    PayType: pay.type,
    PayKind: pay.kind,
    PayMethod: pay.method,
    PayMethodName: PAY_METHODS[pay.method] ?? '',
    PayDate: view.paidAt ? jstDate(view.paidAt) : '',
    PayActionTime: view.paidAt ? toJstIso(view.paidAt) : '',
    CardBrand: view.cardBrand ?? '',
    BillFirstName: bill.firstName,
    BillFirstNameKana: bill.firstKana,
    BillLastName: bill.familyName,
    BillLastNameKana: bill.familyKana,
    BillZipCode: zip(bill),
    BillPrefecture: bill.prefecture,
    BillCity: bill.city,
    BillAddress1: bill.street,
    BillAddress2: bill.building,
    BillPhoneNumber: bill.phone,
    BillMailAddress: bill.email,
  };
  const shipGroup: Record<string, string> = {
    // 0 出荷不可 until a prepaid order is paid, 1 出荷可, 3 出荷済み [T: kunitake Enum/ShipStatus.php].
    ShipStatus: shipped || reported ? '3' : prepaid && !paid ? '0' : '1',
    ShipMethod: 'postage1',
    ShipMethodName: '宅配便',
    ShipRequestDate: view.requestedDate ?? '',
    ShipRequestTime: view.timeSlot ? (SLOT_TEXT[view.timeSlot] ?? view.timeSlot) : '',
    ShipNotes: '',
    ShipCompanyCode: reported?.carrier ?? '',
    ShipInvoiceNumber1: reported
      ? reported.trackingNumber
      : shipped
        ? `4${String(view.seq).padStart(11, '0')}`
        : '',
    ShipInvoiceNumber2: reported2?.trackingNumber ?? '',
    ShipDate: reported ? reported.shippedOn : shipped ? jstDate(view.updatedAt) : '',
    NeedGiftWrap: view.gift ? 'true' : 'false',
    GiftWrapMessage: '',
    ShipFirstName: shipTo.firstName,
    ShipFirstNameKana: shipTo.firstKana,
    ShipLastName: shipTo.familyName,
    ShipLastNameKana: shipTo.familyKana,
    ShipZipCode: zip(shipTo),
    ShipPrefecture: shipTo.prefecture,
    ShipCity: shipTo.city,
    ShipAddress1: shipTo.street,
    ShipAddress2: shipTo.building,
    ShipPhoneNumber: shipTo.phone,
  };
  const detail: Record<string, string> = {
    PayCharge: yenText(view.paymentFee),
    ShipCharge: yenText(view.shippingFee),
    GiftWrapCharge: '0',
    Discount: yenText(view.couponDiscount),
    Adjustments: '0',
    SettleAmount: yenText(settle),
    UsePoint: yenText(view.pointsUsed),
    GiftCardDiscount: '0',
    TotalPrice: yenText(totalPrice),
    TotalMallCouponDiscount: '0',
  };
  const info: XmlObject = {
    ...order,
    Pay: payGroup,
    Ship: shipGroup,
    Seller: { SellerId: sellerId },
    Detail: detail,
    Item: items,
  };
  // PublicationTime is an orderList Field [T: JSPSystem OrderListClient FIELD]; not asked of orderInfo.
  return {
    info,
    row: {
      ...order,
      PublicationTime: toJstIso(published),
      ...payGroup,
      ...shipGroup,
      ...detail,
      SellerId: sellerId,
    },
  };
}

/**
 * Keeps only the requested fields, as Yahoo answers only what `Field` names. Unknown names are
 * ignored here; a group element appears when one of its fields is asked for.
 */
export function selectInfoFields(info: XmlObject, fields: ReadonlySet<string> | null): XmlObject {
  if (fields === null) return info;
  const out: XmlObject = {};
  for (const [key, value] of Object.entries(info)) {
    if (key === 'Item' && Array.isArray(value)) {
      const items = value.map((it) =>
        Object.fromEntries(Object.entries(it as XmlObject).filter(([k]) => fields.has(k))),
      );
      if (items.some((it) => Object.keys(it).length > 0)) out.Item = items;
    } else if (typeof value === 'object' && value !== null) {
      const kept = Object.fromEntries(Object.entries(value as XmlObject).filter(([k]) => fields.has(k)));
      if (Object.keys(kept).length > 0) out[key] = kept;
    } else if (fields.has(key)) out[key] = value;
  }
  return out;
}

export function selectRowFields(row: Record<string, string>, fields: readonly string[]): XmlObject {
  const out: XmlObject = {};
  for (const f of fields) if (f in row) out[f] = row[f];
  return out;
}

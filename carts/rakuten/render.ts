// The simulator's side: a generated order as getOrder shows it (OrderModel, version 3–10 layout).
// Status and timestamps follow the order's events so that searchOrder by dateType and the payload
// agree: paid → 300 with orderFixDatetime, shipped → 500 with shippingCmplRptDatetime, cancelled →
// 900 with a キャンセル確定 ChangeReasonModel, each edit → a 変更確定 ChangeReasonModel.
import { createHash } from 'node:crypto';
import { includedTax } from '../../domain/money.js';
import {
  editedQuantity,
  type PaymentKind,
  type SimOrder,
  type SimOrderView,
  type SimParty,
} from '../sim/generate.js';
import {
  DATE_TYPES,
  DAY_MS,
  DELIVERY_COMPANIES,
  NOT_YET_KNOWN,
  rakutenDate,
  SETTLEMENT_METHODS,
  slotToShippingTerm,
  toRakutenDatetime,
} from './codes.js';

export const DEFAULT_SHOP_ID = '376541';
/** orderProgress after the shop's confirmOrder: 200 楽天処理中. */
export const CONFIRMED_PROGRESS = 200;

/** basketId of a package of a simulated order (stable, unique per shop). */
export const basketIdOf = (order: Pick<SimOrder, 'seq'>, packageNo: number) => order.seq * 10 + packageNo;

/** A shipment a write reported, keyed `basketId/shippingDetailId` (an empty carrier: deleted). */
export const shipmentKey = (basketId: number, shippingDetailId: number) => `${basketId}/${shippingDetailId}`;

/** `<shopId>-<YYYYMMDD in Japan>-<10-digit serial>`, the newer order-number form. */
export function rakutenOrderNo(order: SimOrder, shopId = DEFAULT_SHOP_ID): string {
  return `${shopId}-${rakutenDate(order.orderedAt).replaceAll('-', '')}-${String(207_800_000 + order.seq).padStart(10, '0')}`;
}

const SETTLEMENT_CODE: Readonly<Record<PaymentKind, number>> = {
  card: 1,
  cod: 2,
  bank: 9,
  cvs: 13,
  payeasy: 14,
  postpay: 21,
};
const PREPAID: ReadonlySet<PaymentKind> = new Set(['bank', 'cvs', 'payeasy']);

/** The order's milestones as Rakuten records them (whole seconds), from the events applied so far. */
export interface Milestones {
  progress: number;
  orderedAt: Date;
  confirmedAt: Date | null;
  fixedAt: Date | null;
  shipInstructedAt: Date | null;
  shipReportedAt: Date | null;
  cancelledAt: Date | null;
  edits: Date[];
}

export function milestones(view: SimOrderView): Milestones {
  const applied = view.events.filter((e) => e.at.getTime() <= view.updatedAt.getTime());
  const shipAt = applied.find((e) => e.kind === 'ship' && view.state === 'shipped')?.at ?? null;
  const cancelledAt =
    view.state === 'cancelled' ? (applied.find((e) => e.kind === 'cancel')?.at ?? null) : null;
  const paidAt = view.paidAt;
  const selfConfirmed = view.payment !== 'cod' && view.payment !== 'postpay';
  // The shop's confirmOrder (a `status` write of 200): 100 → 200 楽天処理中 until Rakuten releases it.
  const shopConfirmedAt =
    applied.find((e) => e.kind === 'status' && e.cartStatus === String(CONFIRMED_PROGRESS))?.at ?? null;
  let progress: number;
  if (view.state === 'cancelled') progress = 900;
  else if (view.state === 'shipped') progress = 500;
  else if (view.state === 'paid') progress = 300;
  // Card and prepaid orders wait in 楽天処理中 for authorisation / the money; COD waits for the shop.
  else progress = selfConfirmed || shopConfirmedAt ? 200 : 100;
  const confirmedAt = selfConfirmed ? view.orderedAt : (shopConfirmedAt ?? shipAt);
  return {
    progress,
    orderedAt: view.orderedAt,
    confirmedAt,
    fixedAt: paidAt ?? shipAt,
    shipInstructedAt: shipAt,
    shipReportedAt: shipAt,
    cancelledAt,
    edits: applied.filter((e) => e.kind === 'edit').map((e) => e.at),
  };
}

/** The time searchOrder matches for a dateType (null: the order has no such time yet). */
export function timeForDateType(m: Milestones, dateType: number): Date | null {
  switch (dateType) {
    case DATE_TYPES.orderedAt:
      return m.orderedAt;
    case DATE_TYPES.confirmedAt:
      return m.confirmedAt;
    case DATE_TYPES.fixedAt:
      return m.fixedAt;
    case DATE_TYPES.shippingDate:
      // 発送日 is a date: the start of the shipping day in Japan.
      return m.shipReportedAt ? new Date(`${rakutenDate(m.shipReportedAt)}T00:00:00+09:00`) : null;
    case DATE_TYPES.shipReportedAt:
      return m.shipReportedAt;
    case DATE_TYPES.settledAt:
      // [I] 決済確定日 is not in the OrderModel; the simulator uses the fix time.
      return m.fixedAt;
    default:
      return null;
  }
}

function hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function addressOf(p: SimParty) {
  const [zip1 = '', zip2 = ''] = p.postalCode.split('-');
  const [phone1 = null, phone2 = null, phone3 = null] = p.phone.split('-');
  return {
    zipCode1: zip1,
    zipCode2: zip2,
    prefecture: p.prefecture,
    city: p.city,
    subAddress: p.building ? `${p.street} ${p.building}` : p.street,
    familyName: p.familyName,
    firstName: p.firstName,
    familyNameKana: p.familyKana,
    firstNameKana: p.firstKana,
    phoneNumber1: phone1,
    phoneNumber2: phone2,
    phoneNumber3: phone3,
  };
}

const dt = (d: Date | null) => (d ? toRakutenDatetime(d) : null);

export function renderOrderModel(
  view: SimOrderView,
  opts: { shopId?: string; version: number },
): Record<string, unknown> {
  const v = opts.version;
  const m = milestones(view);
  const orderNumber = rakutenOrderNo(view, opts.shopId);
  const code = SETTLEMENT_CODE[view.payment];
  const packageCount = view.shipTos.length;
  // Postage to Okinawa is quoted by the shop after the order: -9999 (未確定) until it is paid or shipped.
  const postageUnknown = view.state === 'new' && view.shipTos.some((p) => p.prefecture === '沖縄県');
  const postagePerPackage = postageUnknown ? NOT_YET_KNOWN : view.shippingFee;
  const codFee = view.payment === 'cod' ? view.paymentFee : 0;
  const paymentCharge = view.payment === 'cod' ? 0 : view.paymentFee;

  const itemsByPackage = new Map<number, Array<Record<string, unknown>>>();
  const goodsByRate = new Map<number, number>();
  const goodsByPackage = new Map<number, number>();
  view.lines.forEach((line, i) => {
    const units = editedQuantity(view, i);
    const p = line.product;
    // Orders since the SKU migration carry one skuModel per item [V: getOrder skuModel, version 7+].
    // A multi-SKU item has its variation in skuInfo and, here, the shop's system code for the SKU
    // (システム連携用SKU番号) set to its master code, as shops that feed an order system do [T: NE
    // code = merchantDefinedSkuId in public integrator code]. A single-SKU item has its SKU管理番号,
    // and a system number only where the shop sells under its master code anyway; items sold under
    // a code of their own (TSE-0013-9124) have none and resolve by 商品番号 through the store mapping.
    const sku =
      p.cartOptionCode !== null
        ? {
            variantId: `${p.cartCode.toLowerCase()}-${p.cartOptionCode.toLowerCase()}`,
            merchantDefinedSkuId: p.masterCode || `${p.cartCode}-${p.cartOptionCode}`,
            skuInfo: 'カラー:朱泥',
          }
        : {
            variantId: p.cartCode.toLowerCase(),
            merchantDefinedSkuId: p.cartCode === p.masterCode ? p.masterCode : null,
            skuInfo: null,
          };
    const item: Record<string, unknown> = {
      itemDetailId: view.seq * 100 + i,
      itemName: p.name,
      itemId: Number.parseInt(hex(p.cartCode).slice(0, 7), 16) % 100_000_000,
      itemNumber: p.cartCode,
      manageNumber: p.cartCode.toLowerCase(),
      price: p.price,
      units,
      includePostageFlag: 0,
      includeTaxFlag: 1,
      includeCashOnDeliveryPostageFlag: 0,
      selectedChoice: view.gift ? 'ギフト包装:希望する' : null,
      pointRate: 1,
      pointType: 0,
      inventoryType: 1,
      delvdateInfo: '1～3日以内に発送',
      restoreInventoryFlag: 0,
      dealFlag: 0,
      drugFlag: 0,
      deleteItemFlag: 0,
      taxRate: p.taxRate / 100,
      priceTaxIncl: p.price,
      ...(v >= 4 ? { isSingleItemShipping: 0 } : {}),
      ...(v >= 7 ? { SkuModelList: [sku] } : {}),
    };
    const list = itemsByPackage.get(line.packageNo) ?? [];
    list.push(item);
    itemsByPackage.set(line.packageNo, list);
    goodsByRate.set(p.taxRate, (goodsByRate.get(p.taxRate) ?? 0) + p.price * units);
    goodsByPackage.set(line.packageNo, (goodsByPackage.get(line.packageNo) ?? 0) + p.price * units);
  });

  const goods = [...goodsByPackage.values()].reduce((a, b) => a + b, 0);
  const postage = postageUnknown ? NOT_YET_KNOWN : postagePerPackage * packageCount;
  const coupon = view.couponDiscount;
  const known = (n: number) => (postageUnknown ? NOT_YET_KNOWN : n);
  const totalPrice = known(goods + postage);
  const requestPrice = known(goods + postage + codFee + paymentCharge - coupon - view.pointsUsed);

  // Per tax rate: goods of that rate; postage and fees are 10%; the coupon comes off the 10% part
  // when it can, else off the 8% part. Points are not subtracted (orders since 2022-04).
  const rates = new Map<number, number>(goodsByRate);
  if (postage > 0 || codFee + paymentCharge > 0)
    rates.set(10, (rates.get(10) ?? 0) + Math.max(0, postage) + codFee + paymentCharge);
  const couponRate = (rates.get(10) ?? 0) >= coupon ? 10 : 8;
  const TaxSummaryModelList = [...rates.entries()]
    .filter(([, amount]) => amount > 0)
    .sort(([a], [b]) => b - a)
    .map(([rate, amount]) => {
      const couponPrice = rate === couponRate ? coupon : 0;
      const reqPrice = amount - couponPrice;
      return {
        taxRate: rate / 100,
        reqPrice: known(reqPrice),
        reqPriceTax: known(includedTax(reqPrice, rate)),
        totalPrice: known(amount - (rate === 10 ? codFee + paymentCharge : 0)),
        paymentCharge: rate === 10 ? paymentCharge : 0,
        couponPrice,
        point: 0,
      };
    });

  const shipAt = m.shipReportedAt;
  // Shipments the shop reported through updateOrderShipping replace the generated one.
  const reported = view.shipments.length > 0;
  const PackageModelList = view.shipTos.map((shipTo, i) => {
    const packageNo = i + 1;
    const pkgGoods = goodsByPackage.get(packageNo) ?? 0;
    return {
      basketId: basketIdOf(view, packageNo),
      postagePrice: postagePerPackage,
      postageTaxRate: 0.1,
      deliveryPrice: i === 0 ? codFee : 0,
      deliveryTaxRate: 0.1,
      ...(v < 8 ? { goodsTax: 0 } : {}),
      goodsPrice: pkgGoods,
      totalPrice: postageUnknown ? NOT_YET_KNOWN : pkgGoods + postagePerPackage,
      noshi: view.gift ? '御祝' : null,
      packageDeleteFlag: 0,
      SenderModel: { ...addressOf(shipTo), isolatedIslandFlag: 0 },
      ItemModelList: itemsByPackage.get(packageNo) ?? [],
      ShippingModelList: reported
        ? view.shipments
            .filter((x) => x.key.startsWith(`${basketIdOf(view, packageNo)}/`) && x.carrier !== '')
            .map((x) => ({
              shippingDetailId: Number(x.key.split('/')[1]),
              shippingNumber: x.trackingNumber || null,
              deliveryCompany: x.carrier,
              deliveryCompanyName: DELIVERY_COMPANIES[x.carrier] ?? null,
              shippingDate: x.shippedOn || null,
            }))
        : shipAt
          ? [
              {
                shippingDetailId: view.seq * 10 + packageNo,
                shippingNumber: String(400_000_000_000 + view.seq * 10 + packageNo),
                deliveryCompany: '1001',
                deliveryCompanyName: DELIVERY_COMPANIES['1001'],
                shippingDate: rakutenDate(shipAt),
              },
            ]
          : [],
      DeliveryCvsModel: null,
      ...(v >= 4 ? { defaultDeliveryCompanyCode: '1001' } : {}),
      ...(v >= 9 ? { dropOffFlag: 0, dropOffLocation: null } : {}),
      ...(v >= 10 ? { SocialGiftModel: null } : {}),
    };
  });

  const changes: Array<Record<string, unknown>> = m.edits.map((at, i) => ({
    changeId: view.seq * 100 + i,
    changeType: 5, // 変更確定
    changeTypeDetail: 1, // 増額
    changeReason: 1, // お客様都合
    changeReasonDetail: 6,
    changeApplyDatetime: dt(at),
    changeFixDatetime: dt(at),
    changeCmplDatetime: dt(at),
  }));
  if (m.cancelledAt)
    changes.push({
      changeId: view.seq * 100 + 99,
      changeType: 1, // キャンセル確定
      changeTypeDetail: 0, // 減額
      changeReason: 1,
      changeReasonDetail: view.cancelReason ? Number(view.cancelReason) : 1, // キャンセル, or the write's reason
      changeApplyDatetime: dt(m.cancelledAt),
      changeFixDatetime: dt(m.cancelledAt),
      changeCmplDatetime: dt(m.cancelledAt),
    });

  const orderer = view.orderer;
  return {
    orderNumber,
    orderProgress: m.progress,
    subStatusId: null,
    subStatusName: null,
    orderDatetime: dt(m.orderedAt),
    shopOrderCfmDatetime: dt(m.confirmedAt),
    orderFixDatetime: dt(m.fixedAt),
    shippingInstDatetime: dt(m.shipInstructedAt),
    shippingCmplRptDatetime: dt(m.shipReportedAt),
    cancelDueDate: rakutenDate(new Date(view.orderedAt.getTime() + 365 * DAY_MS)),
    deliveryDate: view.requestedDate,
    shippingTerm: slotToShippingTerm(view.timeSlot),
    // Checkout headings come first, as Rakuten writes them; empty when the buyer wrote nothing there.
    remarks: `[配送日時指定:]\n\n${view.remarks ?? ''}`,
    giftCheckFlag: view.gift ? 1 : 0,
    ...(v >= 10 ? { socialGiftFlag: 0 } : {}),
    severalSenderFlag: packageCount > 1 ? 1 : 0,
    equalSenderFlag: !view.gift && packageCount === 1 ? 1 : 0,
    isolatedIslandFlag: 0,
    rakutenMemberFlag: 1,
    carrierCode: 11,
    emailCarrierCode: 0,
    orderType: 1,
    reserveNumber: null,
    reserveDeliveryCount: null,
    cautionDisplayType: 0,
    ...(v >= 6 ? { cautionDisplayDetailType: null } : {}),
    rakutenConfirmFlag: 0,
    goodsPrice: goods,
    ...(v < 8 ? { goodsTax: 0 } : {}),
    postagePrice: postage,
    deliveryPrice: codFee,
    paymentCharge,
    paymentChargeTaxRate: 0.1,
    totalPrice,
    requestPrice,
    couponAllTotalPrice: coupon,
    couponShopPrice: coupon,
    couponOtherPrice: 0,
    additionalFeeOccurAmountToUser: 0,
    additionalFeeOccurAmountToShop: 0,
    asurakuFlag: 0,
    drugFlag: 0,
    dealFlag: 0,
    membershipType: 0,
    memo: null,
    operator: null,
    mailPlugSentence: null,
    modifyFlag: m.edits.length ? 1 : 0,
    ...(v >= 5 ? { receiptIssueCount: 0, receiptIssueHistoryList: [] } : {}),
    ...(v < 8 ? { isTaxRecalc: 0 } : {}),
    OrdererModel: {
      ...addressOf(orderer),
      // Rakuten relays mail through a masked address.
      emailAddress: `${hex(orderer.email)}s1@pc.fw.rakuten.ne.jp`,
      sex: null,
      birthYear: null,
      birthMonth: null,
      birthDay: null,
    },
    SettlementModel: {
      settlementMethodCode: code,
      settlementMethod: SETTLEMENT_METHODS[code],
      rpaySettlementFlag: 1,
      cardName: view.cardBrand,
      cardNumber: view.cardBrand ? `XXXX-XXXX-XXXX-${String(1000 + (view.seq % 9000)).slice(-4)}` : null,
      cardOwner: view.cardBrand ? 'RAKUTEN TARO' : null,
      cardYm: view.cardBrand ? '2029-11' : null,
      cardPayType: view.cardBrand ? 0 : null,
      cardInstallmentDesc: null,
    },
    DeliveryModel: { deliveryName: '宅配便', deliveryClass: 0 },
    PointModel: { usedPoint: view.pointsUsed },
    WrappingModel1: null,
    WrappingModel2: null,
    PackageModelList,
    CouponModelList: coupon
      ? [
          {
            couponCode: `SHOP-${String(view.seq).padStart(4, '0')}-300`,
            itemId: 0,
            couponName: 'ショップ限定 300円OFFクーポン',
            couponSummary: '定額割引 300円',
            couponCapital: 'ショップ',
            couponCapitalCode: 1,
            expiryDate: rakutenDate(new Date(view.orderedAt.getTime() + 30 * DAY_MS)),
            couponPrice: coupon,
            couponUnit: 1,
            couponTotalPrice: coupon,
            itemDetailId: 0,
          },
        ]
      : [],
    ChangeReasonModelList: changes,
    TaxSummaryModelList,
    ...(v >= 5
      ? {
          DueDateModelList: PREPAID.has(view.payment)
            ? [{ dueDateType: 0, dueDate: rakutenDate(new Date(view.orderedAt.getTime() + 7 * DAY_MS)) }]
            : [],
        }
      : {}),
    ...(v >= 8 ? { deliveryCertPrgFlag: 0, oneDayOperationFlag: 0 } : {}),
  };
}

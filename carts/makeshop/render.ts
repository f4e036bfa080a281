// A simulated order in both makeshop shapes: the classic API's `<order>` XML and the next-generation
// API's searchOrder record (JSON). Both come from one set of facts (`makeshopFacts`), so one order read
// through either API normalizes to the same CartOrder. Simulator code (dev tools only).
//
// The searchOrder record has every field of graphql.ts; the names marked [I] there are our guesses, and
// so are their values' formats (see README.md).
import { toJstIso } from '../../domain/time.js';
import { CATALOG } from '../sim/catalog.js';
import { editedQuantity, type SimOrder, type SimOrderView, type SimParty } from '../sim/generate.js';
import { el, escapeXml, tx } from './xml.js';

/** makeshop order numbers look like `PB13818933178731403` [T]: a prefix, the order time, a counter. */
export function makeshopOrderNo(o: Pick<SimOrder, 'seq' | 'orderedAt'>): string {
  return `JC${o.orderedAt.getTime()}${String(o.seq % 10_000).padStart(4, '0')}`;
}

/** yyyy/mm/dd hh:mm:ss (classic [I]) or yyyy-mm-dd hh:mm:ss (searchOrder [T]) in Japan time. */
function jstStamp(d: Date, sep: '/' | '-'): string {
  const iso = toJstIso(d);
  return `${iso.slice(0, 10).replace(/-/g, sep)} ${iso.slice(11, 19)}`;
}

const PAYMETHOD: Record<SimOrderView['payment'], { type: string; content: string }> = {
  // Codes seen in the third-party integration: B bank, Z CVS, R COD, N NP後払い [T]; C and Pay-easy under Z are [I].
  card: { type: 'C', content: 'クレジットカード決済' },
  bank: { type: 'B', content: '銀行振込' },
  cvs: { type: 'Z', content: 'コンビニ決済' },
  payeasy: { type: 'Z', content: 'ペイジー決済' },
  cod: { type: 'R', content: '代金引換' },
  postpay: { type: 'N', content: 'NP後払い' },
};

const SLOT_TEXT: Record<string, string> = {
  午前中: '午前中',
  '14-16': '14時～16時',
  '16-18': '16時～18時',
  '18-20': '18時～20時',
  '19-21': '19時～21時',
};

/** The name, kana and address of a buyer or a delivery, as makeshop keeps them. */
interface Person {
  name: string;
  kana: string;
  zip: string;
  /** makeshop's shipping-zone style prefecture for Tokyo (「東京(23区内)」) [T]. */
  area: string;
  city: string;
  street: string;
  tel: string;
  email: string;
}

function person(p: SimParty, edits: number): Person {
  // An edit in the cart is usually an address fix: the room number gets added.
  const building = edits > 0 && !p.building ? `${edits}0${edits}号室` : p.building;
  return {
    name: `${p.familyName} ${p.firstName}`,
    kana: `${p.familyKana} ${p.firstKana}`,
    zip: p.postalCode,
    area:
      p.prefecture === '東京都' ? (p.city.endsWith('区') ? '東京(23区内)' : '東京(23区外)') : p.prefecture,
    city: p.city,
    street: [p.street, building].filter(Boolean).join(' '),
    tel: p.phone,
    email: p.email,
  };
}

function brandcode(product: (typeof CATALOG)[number]): string {
  return String(CATALOG.indexOf(product) + 1).padStart(12, '0');
}

/** Tax-excluded unit price as makeshop stores it (catalog prices include tax). */
function exTax(price: number, rate: number): number {
  return Math.round((price * 100) / (100 + rate));
}

/** One order's facts, before either API's shape. */
export interface MakeshopFacts {
  ordernum: string;
  orderedAt: Date;
  updatedAt: Date;
  /** The classic status: 0 cancelled, 99 仮注文 (card payment not through yet), 1 normal [T]. */
  status: '0' | '1' | '99';
  shipped: boolean;
  paid: boolean;
  pay: { type: string; content: string };
  buyer: Person;
  deliveries: Array<{
    person: Person;
    lines: MakeshopLine[];
    fee: number;
    commission: number | null;
    /** What `cmd=deliver` reported for this delivery (its deliveryid), if anything. */
    shipment: { status: string; carrier: string; number: string } | null;
  }>;
  lines: MakeshopLine[];
  shippingFee: number;
  /** The COD / settlement fee; null when the shop charges none (the classic API leaves it out [T]). */
  paymentFee: number | null;
  coupon: number;
  points: number;
  sumprice: number;
  /** The coupon discount split by tax rate (goods share), for discountPerTax [V]. */
  discountPerTax: Array<{ taxRate: number; discount: number }>;
  requestedDate: string | null;
  timeSlot: string | null;
  remarks: string | null;
}

export interface MakeshopLine {
  brandcode: string;
  orgcode: string;
  orgoptioncode: string | null;
  name: string;
  option: string | null;
  price: number;
  amount: number;
  taxRate: number;
  packageNo: number;
}

export function makeshopFacts(view: SimOrderView): MakeshopFacts {
  const status = view.state === 'cancelled' ? '0' : view.payment === 'card' && !view.paidAt ? '99' : '1';
  const lines = view.lines.map(
    (l, i): MakeshopLine => ({
      brandcode: brandcode(l.product),
      orgcode: l.product.cartCode,
      orgoptioncode: l.product.cartOptionCode,
      name: l.product.name,
      option: l.product.cartOptionCode ? 'カラー:朱泥' : null,
      price: exTax(l.product.price, l.product.taxRate),
      amount: editedQuantity(view, i),
      taxRate: l.product.taxRate,
      packageNo: l.packageNo,
    }),
  );
  const exByRate = new Map<number, number>();
  for (const x of lines) exByRate.set(x.taxRate, (exByRate.get(x.taxRate) ?? 0) + x.price * x.amount);
  const tax = [...exByRate.entries()].reduce((s, [rate, ex]) => s + Math.floor((ex * rate) / 100), 0);
  const goodsEx = [...exByRate.values()].reduce((s, v) => s + v, 0);
  const sumprice = goodsEx + tax + view.shippingFee + view.paymentFee - view.couponDiscount - view.pointsUsed;
  // The coupon split over the rates by their share of the goods; the last rate takes the remainder.
  const rates = [...exByRate.entries()].sort((a, b) => b[0] - a[0]);
  let left = view.couponDiscount;
  const discountPerTax = view.couponDiscount
    ? rates.map(([taxRate, ex], i) => {
        const discount = i === rates.length - 1 ? left : Math.floor((view.couponDiscount * ex) / goodsEx);
        left -= discount;
        return { taxRate, discount };
      })
    : [];
  return {
    ordernum: makeshopOrderNo(view),
    orderedAt: view.orderedAt,
    updatedAt: view.updatedAt,
    status,
    shipped: view.state === 'shipped',
    paid: view.paidAt !== null,
    pay: PAYMETHOD[view.payment],
    buyer: person(view.orderer, 0),
    deliveries: view.shipTos.map((p, i) => ({
      person: person(p, i === 0 ? view.edits : 0),
      lines: lines.filter((x) => x.packageNo === i + 1),
      fee: i === 0 ? view.shippingFee : 0,
      // The COD fee per shipping method; empty when the order is not COD [V: 2017 change notes].
      commission: view.payment === 'cod' ? (i === 0 ? view.paymentFee : 0) : null,
      shipment: (() => {
        const sh = view.shipments.find((x) => x.key === String(i));
        return sh ? { status: '3', carrier: sh.carrier, number: sh.trackingNumber } : null;
      })(),
    })),
    lines,
    shippingFee: view.shippingFee,
    paymentFee: view.paymentFee || null,
    coupon: view.couponDiscount,
    points: view.pointsUsed,
    sumprice,
    discountPerTax,
    requestedDate: view.requestedDate,
    timeSlot: view.timeSlot ? (SLOT_TEXT[view.timeSlot] ?? view.timeSlot) : null,
    remarks: view.remarks,
  };
}

/** One order as a served entry: its number, times, classic status and both shapes (a fixture may have one). */
export interface Entry {
  ordernum: string;
  orderedAt: number;
  updatedAt: number;
  status: string;
  /** The classic `<order>` element. */
  xml?: string;
  /** The searchOrder record. */
  next?: Record<string, unknown>;
}

function personXml(p: Person): string {
  return [
    tx('name', p.name),
    tx('kana', p.kana),
    tx('zip', p.zip),
    tx('area', p.area),
    tx('city', p.city),
    tx('street', p.street),
    tx('tel', p.tel),
    tx('email', p.email),
  ].join('');
}

/** The classic `<order>` (see README.md for which names are third-party or inferred). */
export function classicOrderXml(f: MakeshopFacts): string {
  const deliveries = f.deliveries.map((d) =>
    el(
      'delivery',
      null,
      personXml(d.person),
      el(
        'carriage',
        { name: 'ヤマト運輸', price: d.fee, commission: d.commission ?? '' },
        ...d.lines.map((x) => el('commodity', { brandcode: x.brandcode, name: x.name })),
      ),
      tx('deliverydate', f.requestedDate?.replace(/-/g, '/') ?? ''),
      tx('deliverytime', f.timeSlot ?? ''),
      tx('scheduled_shipping_date', ''),
      // The delivery's status, carrier and tracking number after cmd=deliver: element names as the
      // request parameters name them [I] (no public answer shows them); absent until then.
      d.shipment ? tx('deliverystatus', d.shipment.status) : null,
      d.shipment ? tx('carrier', d.shipment.carrier) : null,
      d.shipment ? tx('deliverynum', d.shipment.number) : null,
    ),
  );
  return el(
    'order',
    null,
    tx('ordernum', f.ordernum),
    tx('date', jstStamp(f.orderedAt, '/')),
    tx('status', f.status),
    tx('payment_status', f.paid ? '1' : '0'),
    el('paymethod', { type: f.pay.type }, f.pay.content),
    el('buyer', null, personXml(f.buyer)),
    el('deliveries', null, ...deliveries),
    el(
      'orderdetail',
      null,
      tx('sumprice', f.sumprice),
      tx('carriage', f.shippingFee),
      tx('bulk', 0),
      tx('coupon', f.coupon),
      el('usepoint', { type: 'shop' }, String(f.points)),
      el('usepoint', { type: 'gmo' }, '0'),
      el('usepoint', { type: 'yahoo' }, '0'),
      // Left out when the shop charges no fee [T].
      f.paymentFee ? el('commission', { name: '代引手数料' }, String(f.paymentFee)) : null,
      el(
        'commodities',
        null,
        ...f.lines.map((x) =>
          el('commodity', {
            brandcode: x.brandcode,
            orgcode: x.orgcode,
            orgoptioncode: x.orgoptioncode,
            name: x.name,
            price: x.price,
            amount: x.amount,
            consumption_tax_rate: x.taxRate,
            option: x.option,
          }),
        ),
      ),
    ),
    // el() takes children as markup: the buyer's text must be escaped (a remark may hold `<` or `&`).
    el('notes', null, el('note', { title: '備考' }, escapeXml(f.remarks ?? ''))),
  );
}

/**
 * The searchOrder record: every field juchu asks for (graphql.ts), confirmed names [V]/[T] and guessed
 * ones [I] alike. Values' formats of the guessed fields are guesses too.
 */
export function nextOrderRecord(f: MakeshopFacts): Record<string, unknown> {
  // The third-party client's output shows 「東京都」 for senderPrefecture [T], not the classic 「東京(23区内)」.
  const pref = (area: string) => (area.startsWith('東京(') ? '東京都' : area);
  return {
    displayOrderNumber: f.ordernum,
    orderDate: jstStamp(f.orderedAt, '-'),
    memberId: `X${String(f.orderedAt.getTime() % 1_000_000).padStart(6, '0')}`,
    sumPrice: f.sumprice,
    senderPrefecture: pref(f.buyer.area),
    discountPerTax: f.discountPerTax,
    deliveryStatus: f.status === '0' ? 'C' : f.shipped ? 'Y' : 'N',
    temporaryOrder: f.status === '99',
    paymentStatus: f.paid ? 'Y' : 'N',
    paymentMethodName: f.pay.content,
    deliveryFee: f.shippingFee,
    paymentFee: f.paymentFee,
    usePoint: f.points,
    couponDiscount: f.coupon,
    bulkDiscount: 0,
    senderName: f.buyer.name,
    senderNameKana: f.buyer.kana,
    senderZipCode: f.buyer.zip,
    senderAddress1: f.buyer.city,
    senderAddress2: f.buyer.street,
    senderTel: f.buyer.tel,
    senderEmail: f.buyer.email,
    notes: [{ title: '備考', content: f.remarks ?? '' }],
    deliveryInfos: f.deliveries.map((d) => ({
      receiverName: d.person.name,
      receiverNameKana: d.person.kana,
      receiverZipCode: d.person.zip,
      receiverPrefecture: pref(d.person.area),
      receiverAddress1: d.person.city,
      receiverAddress2: d.person.street,
      receiverTel: d.person.tel,
      receiverEmail: d.person.email,
      deliveryMethodName: 'ヤマト運輸',
      deliveryDate: f.requestedDate ?? null,
      deliveryTime: f.timeSlot,
      basketInfos: d.lines.map((x) => ({
        productCode: x.brandcode,
        productName: x.name,
        price: x.price,
        amount: x.amount,
        customProductCode: x.orgcode,
        optionCode: x.orgoptioncode,
        optionName: x.option,
        taxRate: x.taxRate,
      })),
    })),
  };
}

/** One order in both shapes, as the simulator serves it. */
export function renderMakeshopEntry(view: SimOrderView): Entry {
  const f = makeshopFacts(view);
  return {
    ordernum: f.ordernum,
    orderedAt: f.orderedAt.getTime(),
    updatedAt: f.updatedAt.getTime(),
    status: f.status,
    xml: classicOrderXml(f),
    next: nextOrderRecord(f),
  };
}

/** One order as makeshop's classic XML renders it. */
export function renderMakeshopOrder(view: SimOrderView): Entry & { xml: string } {
  const f = makeshopFacts(view);
  return {
    ordernum: f.ordernum,
    orderedAt: f.orderedAt.getTime(),
    updatedAt: f.updatedAt.getTime(),
    status: f.status,
    xml: classicOrderXml(f),
  };
}

/** One order as the next-generation API's searchOrder returns it (all fields of graphql.ts). */
export function renderMakeshopNextOrder(view: SimOrderView): Record<string, unknown> {
  return nextOrderRecord(makeshopFacts(view));
}

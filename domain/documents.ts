// What the printed documents say, as data (usecases/document-pdf.ts only lays it out): the picking
// list of a shipping batch (by warehouse, then product, with the orders each unit goes to) and a
// 納品書 per order (the store, the lines with the reduced-rate mark, per-rate totals and tax, and the
// qualified-invoice fields when the store has a 登録番号). Pure.
import {
  type DocumentTotals,
  documentTotals,
  lineAmount,
  type PricedLine,
  REDUCED_LEGEND,
  REDUCED_MARK,
  ROUNDING_NOTE,
  rateOf,
  yen,
} from './invoice.js';

export interface PickInput {
  orderNo: string;
  warehouse: string | null;
  warehouseName: string | null;
  productCode: string | null;
  name: string;
  quantity: number;
}

export interface PickingList {
  title: string;
  batchId: number;
  shipDate: string;
  orders: number;
  warehouses: Array<{
    /** null: 引当なし (no warehouse holds it yet). */
    code: string | null;
    label: string;
    items: Array<{
      productCode: string | null;
      name: string;
      quantity: number;
      orders: Array<{ orderNo: string; quantity: number }>;
    }>;
    units: number;
  }>;
}

export function pickingList(
  batch: { id: number; shipDate: string },
  orderCount: number,
  rows: readonly PickInput[],
): PickingList {
  const byWh = new Map<string, PickingList['warehouses'][number]>();
  for (const r of rows) {
    if (r.quantity <= 0) continue;
    const key = r.warehouse ?? '';
    const wh = byWh.get(key) ?? {
      code: r.warehouse,
      label: r.warehouse ? `${r.warehouseName ?? r.warehouse}（${r.warehouse}）` : '引当なし（倉庫未定）',
      items: [],
      units: 0,
    };
    byWh.set(key, wh);
    const pKey = r.productCode ?? `?${r.name}`;
    let item = wh.items.find((i) => (i.productCode ?? `?${i.name}`) === pKey);
    if (!item) {
      item = { productCode: r.productCode, name: r.name, quantity: 0, orders: [] };
      wh.items.push(item);
    }
    item.quantity += r.quantity;
    wh.units += r.quantity;
    const o = item.orders.find((x) => x.orderNo === r.orderNo);
    if (o) o.quantity += r.quantity;
    else item.orders.push({ orderNo: r.orderNo, quantity: r.quantity });
  }
  const warehouses = [...byWh.values()].sort((a, b) =>
    a.code === null ? 1 : b.code === null ? -1 : a.code.localeCompare(b.code),
  );
  for (const w of warehouses) {
    w.items.sort((a, b) => (a.productCode ?? '\uffff').localeCompare(b.productCode ?? '\uffff'));
    for (const i of w.items) i.orders.sort((a, b) => a.orderNo.localeCompare(b.orderNo));
  }
  return {
    title: 'ピッキングリスト',
    batchId: batch.id,
    shipDate: batch.shipDate,
    orders: orderCount,
    warehouses,
  };
}

export interface NoteParty {
  name: string | null;
  postalCode: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
  phone: string | null;
}

export interface NoteInput {
  orderNo: string;
  cartOrderNo: string;
  orderedOn: string;
  shipDate: string | null;
  shippedOn: string | null;
  paymentMethod: string | null;
  shipping: number | null;
  fees: number | null;
  discount: number | null;
  points: number | null;
  orderer: NoteParty | null;
  shipTo: NoteParty | null;
  lines: ReadonlyArray<PricedLine & { productCode: string | null; cartProductCode: string; name: string }>;
}

export interface NoteStore {
  name: string;
  postalCode: string | null;
  address1: string | null;
  address2: string | null;
  phone: string | null;
  registrationNumber: string | null;
}

export interface DeliveryNote {
  title: string;
  /** Recipient (宛名), with 様. */
  recipient: string;
  recipientAddress: string[];
  store: { name: string; address: string[]; registration: string | null };
  meta: Array<[string, string]>;
  lines: Array<{ code: string; name: string; quantity: string; unitPrice: string; amount: string }>;
  /** 送料, 手数料, 値引, ポイント利用 — only those with an amount. */
  extras: Array<[string, string]>;
  total: string;
  /** 10%対象 ¥X（消費税 ¥Y） per rate; for an invoice these are the qualified-invoice fields. */
  rates: Array<[string, string, string]>;
  notes: string[];
  totals: DocumentTotals;
}

const postalText = (p: string | null) => {
  const d = (p ?? '').replace(/\D/g, '');
  return d.length === 7 ? `〒${d.slice(0, 3)}-${d.slice(3)}` : p ? `〒${p}` : '';
};

function addressOf(p: NoteParty | null): string[] {
  if (!p) return [];
  return [
    postalText(p.postalCode),
    [p.prefecture, p.address1].filter(Boolean).join(''),
    p.address2 ?? '',
    p.phone ? `TEL ${p.phone}` : '',
  ].filter((s) => s !== '');
}

const RATE_LABEL: Record<number, string> = {
  10: '10%対象',
  8: '8%対象（軽減税率）',
  0: '対象外（非課税・不課税）',
};

export function deliveryNote(o: NoteInput, store: NoteStore): DeliveryNote {
  const totals = documentTotals(o.lines, o);
  const invoice = store.registrationNumber !== null;
  const to = o.orderer?.name ? o.orderer : o.shipTo;
  const extras: Array<[string, string]> = [];
  if (totals.shipping) extras.push(['送料', yen(totals.shipping)]);
  if (totals.fees) extras.push(['手数料', yen(totals.fees)]);
  if (totals.discount) extras.push(['値引（クーポン）', yen(-totals.discount)]);
  if (totals.points) extras.push(['ポイント利用', yen(-totals.points)]);
  const notes: string[] = [];
  if (totals.reduced) notes.push(REDUCED_LEGEND);
  notes.push('金額はすべて税込です。送料・手数料は10%対象です。');
  if (totals.discount || totals.points)
    notes.push('値引・ポイント利用は税率ごとの商品金額の割合で按分しています。');
  notes.push(`${ROUNDING_NOTE}。`);
  const shipAddress = o.shipTo && o.orderer?.name && o.shipTo.name !== o.orderer.name ? o.shipTo : null;
  return {
    title: invoice ? '納品書（適格請求書）' : '納品書',
    recipient: `${to?.name ?? 'お客'} 様`,
    recipientAddress: addressOf(to),
    store: {
      name: store.name,
      address: addressOf({ ...store, prefecture: null }),
      registration: store.registrationNumber ? `登録番号 ${store.registrationNumber}` : null,
    },
    meta: (
      [
        ['受注No', o.orderNo],
        ['注文番号', o.cartOrderNo],
        ['ご注文日', o.orderedOn],
        ['出荷日', o.shippedOn ?? o.shipDate ?? ''],
        ...(o.paymentMethod ? ([['お支払方法', o.paymentMethod]] as Array<[string, string]>) : []),
        ...(shipAddress
          ? ([
              ['お届け先', `${shipAddress.name} 様 ${addressOf(shipAddress).slice(0, 2).join(' ')}`],
            ] as Array<[string, string]>)
          : []),
      ] as Array<[string, string]>
    ).filter(([, v]) => v !== ''),
    lines: o.lines.map((l) => ({
      code: l.productCode ?? l.cartProductCode,
      name: `${l.name}${rateOf(l.rate) === 8 ? ` ${REDUCED_MARK}` : ''}`,
      quantity: String(l.quantity),
      unitPrice: yen(l.taxIncluded ? l.unitPrice : lineAmount({ ...l, quantity: 1 })),
      amount: yen(lineAmount(l)),
    })),
    extras,
    total: yen(totals.total),
    rates: totals.byRate.map((r) => [
      RATE_LABEL[r.rate] ?? `${r.rate}%対象`,
      yen(r.amount),
      r.rate === 0 ? '—' : `消費税 ${yen(r.tax)}`,
    ]),
    notes,
    totals,
  };
}

// 売上 records as pure decisions: what a shipped order books (a sale, and its coupon discount and
// points used as negative records), what a 返品 books, and the daily sales CSV for accounting.
//
// Tax: once per rate per record (domain/invoice.ts, 切り捨て). The discount's and the points' tax is
// what they change in the order's tax — tax(sale − discount) − tax(sale), then the same for points —
// so an order's records add up, rate by rate, to exactly the tax its 納品書 shows.
import { apportion, lineAmount, type PricedLine, type Rate, rateOf, taxIn } from './invoice.js';
import { RuleRefusal } from './refusal.js';

export const SALES_KINDS = ['sale', 'discount', 'points', 'return'] as const;
export type SalesKind = (typeof SALES_KINDS)[number];
export const SALES_KIND_LABELS: Readonly<Record<SalesKind, string>> = {
  sale: '売上',
  discount: '値引',
  points: 'ポイント',
  return: '返品',
};

export interface RecordLine {
  lineId: number;
  lineNo: number;
  quantity: number;
  amount: number;
  rate: number;
}

export interface SalesAmounts {
  amount: Record<Rate, number>;
  tax: Record<Rate, number>;
  total: number;
}

export interface PlannedRecord extends SalesAmounts {
  kind: SalesKind;
  lines: RecordLine[];
}

const zero = (): Record<Rate, number> => ({ 10: 0, 8: 0, 0: 0 });
const sum = (r: Record<Rate, number>) => r[10] + r[8] + r[0];
const taxes = (a: Record<Rate, number>) => ({ 10: taxIn(a[10], 10), 8: taxIn(a[8], 8), 0: 0 });

export interface SaleLine extends PricedLine {
  id: number;
  lineNo: number;
  name: string;
}

/** The records a shipped order books: its sale, and its discount and points (when it has them). */
export function shipmentRecords(o: {
  lines: readonly SaleLine[];
  shipping: number | null;
  fees: number | null;
  discount: number | null;
  points: number | null;
}): PlannedRecord[] {
  const goods = zero();
  const lines: RecordLine[] = o.lines.map((l) => {
    const rate = rateOf(l.rate);
    const amount = lineAmount(l);
    goods[rate] += amount;
    return { lineId: l.id, lineNo: l.lineNo, quantity: l.quantity, amount, rate };
  });
  const sale = { ...goods, 10: goods[10] + (o.shipping ?? 0) + (o.fees ?? 0) };
  const out: PlannedRecord[] = [{ kind: 'sale', amount: sale, tax: taxes(sale), total: sum(sale), lines }];
  let before = sale;
  for (const [kind, value] of [
    ['discount', o.discount],
    ['points', o.points],
  ] as const) {
    const v = Math.abs(value ?? 0);
    if (!v) continue;
    const off = apportion(v, goods);
    const amount = { 10: -off[10], 8: -off[8], 0: -off[0] };
    const after = { 10: before[10] + amount[10], 8: before[8] + amount[8], 0: before[0] + amount[0] };
    const ta = taxes(after);
    const tb = taxes(before);
    out.push({
      kind,
      amount,
      tax: { 10: ta[10] - tb[10], 8: ta[8] - tb[8], 0: 0 },
      total: sum(amount),
      lines: [],
    });
    before = after;
  }
  return out;
}

/**
 * A 返品 of some lines: quantities per line id, each at most what shipped less what earlier returns
 * took back. Negative amounts at each line's rate; tax once per rate.
 */
export function returnRecord(
  lines: readonly SaleLine[],
  returned: ReadonlyMap<number, number>,
  take: ReadonlyArray<{ lineId: number; quantity: number }>,
): PlannedRecord {
  if (!take.length) throw new RuleRefusal('返品する明細と数量を選んでください', 'empty');
  const amount = zero();
  const out: RecordLine[] = [];
  const seen = new Set<number>();
  for (const t of take) {
    const l = lines.find((x) => x.id === t.lineId);
    if (!l) throw new RuleRefusal(`明細 ${t.lineId} はこの注文にありません`, 'not_found');
    if (seen.has(l.id)) throw new RuleRefusal(`明細 ${l.lineNo} が二度指定されています`, 'duplicate');
    seen.add(l.id);
    if (!Number.isInteger(t.quantity) || t.quantity < 1)
      throw new RuleRefusal(`明細 ${l.lineNo}: 返品数量は1以上の整数です`, 'invalid_quantity');
    const left = l.quantity - (returned.get(l.id) ?? 0);
    if (t.quantity > left)
      throw new RuleRefusal(
        `明細 ${l.lineNo}（${l.name}）: 返品できるのはあと ${left} 点です（出荷 ${l.quantity}、返品済み ${returned.get(l.id) ?? 0}）`,
        'too_many',
      );
    const rate = rateOf(l.rate);
    const a = -lineAmount({ ...l, quantity: t.quantity });
    amount[rate] += a;
    out.push({ lineId: l.id, lineNo: l.lineNo, quantity: t.quantity, amount: a, rate });
  }
  return { kind: 'return', amount, tax: taxes(amount), total: sum(amount), lines: out };
}

/** Quantities already returned per line id, from an order's return records. */
export function returnedQuantities(
  records: ReadonlyArray<{ lines: readonly RecordLine[] }>,
): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of records) for (const l of r.lines) m.set(l.lineId, (m.get(l.lineId) ?? 0) + l.quantity);
  return m;
}

export interface DailySales {
  date: string;
  storeCode: string;
  storeName: string;
  /** Orders with a sale that day. */
  orders: number;
  sale: number;
  discount: number;
  points: number;
  returns: number;
  amount10: number;
  tax10: number;
  amount8: number;
  tax8: number;
  amount0: number;
  total: number;
}

export const DAILY_SALES_HEADER = [
  '売上日',
  '店舗コード',
  '店舗名',
  '売上件数',
  '売上(税込)',
  '値引',
  'ポイント',
  '返品',
  '10%対象(税込)',
  '10%消費税',
  '8%対象(税込)',
  '8%消費税',
  '対象外',
  '純売上(税込)',
] as const;

const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The daily sales CSV (CRLF, a header row, one row per store and day, per-rate columns). */
export function dailySalesCsv(days: readonly DailySales[]): string {
  const rows = days.map((d) => [
    d.date,
    d.storeCode,
    d.storeName,
    d.orders,
    d.sale,
    d.discount,
    d.points,
    d.returns,
    d.amount10,
    d.tax10,
    d.amount8,
    d.tax8,
    d.amount0,
    d.total,
  ]);
  return [[...DAILY_SALES_HEADER], ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// Money by tax rate for one document (a 納品書, a sales record): the invoice rule (適格請求書) — the
// tax is computed ONCE per rate per document from that rate's tax-included total, rounded down
// (1円未満切り捨て), never line by line. Integer yen throughout; pure.
//
// What goes where:
//  - a line's amount is unit price × quantity at its rate (0 = 対象外 / 非課税). A tax-excluded line
//    (税抜) is brought to tax-included first: amount + floor(amount × rate / 100);
//  - shipping and payment fees are standard-rate (10%) services;
//  - a coupon discount (値引) and points used (ポイント利用) are taken off the rates in proportion
//    to the goods of each rate (the smaller rates floor, the largest goods rate takes the rest), so
//    the per-rate totals still add up to what the customer paid.

/** Japan's rates: the standard 10%, the reduced 8% (飲食料品, 新聞), 0 for what carries no tax. */
export const RATES = [10, 8, 0] as const;
export type Rate = (typeof RATES)[number];

/** The reduced rate's mark on a line, and the legend a document carries when it uses it. */
export const REDUCED_MARK = '※';
export const REDUCED_LEGEND = '※は軽減税率（8%）対象商品です';
export const ROUNDING_NOTE = '消費税は税率ごとに合計額から計算し、1円未満を切り捨てています';

export interface PricedLine {
  unitPrice: number;
  quantity: number;
  taxIncluded: boolean;
  /** The line's rate; null when neither the cart nor the product master gives one. */
  rate: number | null;
}

export interface RateTotal {
  rate: Rate;
  /** Tax-included total at this rate (対象額, 税込). */
  amount: number;
  /** The tax in it: floor(amount × rate / (100 + rate)); 0 for rate 0. */
  tax: number;
}

export interface DocumentTotals {
  /** Goods (lines) by rate, tax included, before discounts. */
  goods: Record<Rate, number>;
  shipping: number;
  fees: number;
  discount: number;
  points: number;
  /** What the customer pays: goods + shipping + fees − discount − points. */
  total: number;
  /** Every rate with an amount, 10 then 8 then 0, after discounts; tax once per rate. */
  byRate: RateTotal[];
  /** True when a line is at the reduced rate (the document shows the mark and its legend). */
  reduced: boolean;
}

/** A line's rate as juchu counts it: 8 and 0 as given, anything else the standard 10. */
export function rateOf(rate: number | null | undefined): Rate {
  return rate === 8 ? 8 : rate === 0 ? 0 : 10;
}

/** Tax-included amount of a line. */
export function lineAmount(l: PricedLine): number {
  const base = l.unitPrice * l.quantity;
  const rate = rateOf(l.rate);
  return l.taxIncluded ? base : base + Math.floor((base * rate) / 100);
}

/** The tax contained in a tax-included total at a rate (切り捨て). */
export function taxIn(amount: number, rate: Rate): number {
  if (rate === 0) return 0;
  // Negative totals (a return) round toward zero, so a return takes back exactly a sale's tax.
  const t = Math.floor((Math.abs(amount) * rate) / (100 + rate));
  return amount < 0 ? -t : t;
}

/** `amount` split over the rates in proportion to `weights`; the largest weight takes the rest. */
export function apportion(amount: number, weights: Record<Rate, number>): Record<Rate, number> {
  const out: Record<Rate, number> = { 10: 0, 8: 0, 0: 0 };
  const sum = RATES.reduce<number>((s, r) => s + Math.max(0, weights[r]), 0);
  if (amount === 0) return out;
  if (sum <= 0) {
    out[10] = amount;
    return out;
  }
  const largest = ([...RATES] as Rate[]).sort((a, b) => weights[b] - weights[a] || b - a)[0]!;
  let given = 0;
  for (const r of RATES) {
    if (r === largest) continue;
    out[r] = Math.floor((amount * Math.max(0, weights[r])) / sum);
    given += out[r];
  }
  out[largest] = amount - given;
  return out;
}

export function rateTotals(amounts: Record<Rate, number>): RateTotal[] {
  return RATES.filter((r) => amounts[r] !== 0).map((rate) => ({
    rate,
    amount: amounts[rate],
    tax: taxIn(amounts[rate], rate),
  }));
}

export function documentTotals(
  lines: readonly PricedLine[],
  extra: { shipping?: number | null; fees?: number | null; discount?: number | null; points?: number | null },
): DocumentTotals {
  const goods: Record<Rate, number> = { 10: 0, 8: 0, 0: 0 };
  for (const l of lines) goods[rateOf(l.rate)] += lineAmount(l);
  const shipping = extra.shipping ?? 0;
  const fees = extra.fees ?? 0;
  const discount = Math.abs(extra.discount ?? 0);
  const points = Math.abs(extra.points ?? 0);
  // Apportioned one after the other, as the 売上 records book them (domain/sales.ts), so both agree.
  const d = apportion(discount, goods);
  const p = apportion(points, goods);
  const off = { 10: d[10] + p[10], 8: d[8] + p[8], 0: d[0] + p[0] };
  const net: Record<Rate, number> = {
    10: goods[10] + shipping + fees - off[10],
    8: goods[8] - off[8],
    0: goods[0] - off[0],
  };
  const total = goods[10] + goods[8] + goods[0] + shipping + fees - discount - points;
  return {
    goods,
    shipping,
    fees,
    discount,
    points,
    total,
    byRate: rateTotals(net),
    reduced: lines.some((l) => rateOf(l.rate) === 8),
  };
}

/** 適格請求書発行事業者登録番号: T and 13 digits. */
export const REGISTRATION_NUMBER = /^T\d{13}$/;

/** ¥1,234 (negative as -¥1,234). */
export function yen(n: number): string {
  return `${n < 0 ? '-' : ''}¥${Math.abs(n).toLocaleString('ja-JP')}`;
}

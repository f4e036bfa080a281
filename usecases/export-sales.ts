// Operation: the daily sales CSV of a store (or every store) for a period, for accounting: a header
// row, one row per store and day, the records' per-rate columns summed (each record's tax was rounded
// once per rate). UTF-8 with a BOM (Excel opens it as UTF-8) or Shift_JIS (CP932) for 会計ソフト
// that read only that.
import iconv from 'iconv-lite';
import { dailySales, type SalesFilter } from '../db/sales.js';
import { findSavedStore } from '../db/stores.js';
import { RuleRefusal } from '../domain/refusal.js';
import { type DailySales, dailySalesCsv } from '../domain/sales.js';
import { isCalendarDate } from '../domain/time.js';
import type { UseCaseDeps } from './deps.js';

export type SalesEncoding = 'utf8' | 'sjis';

export interface SalesPeriod {
  /** Store code; undefined for every store. */
  store?: string;
  from: string;
  to: string;
}

/** The filter for a period: the store found by code, the dates checked (at most 400 days). */
export async function salesFilter(deps: UseCaseDeps, p: SalesPeriod): Promise<SalesFilter> {
  for (const [label, d] of [
    ['開始日', p.from],
    ['終了日', p.to],
  ] as const)
    if (!isCalendarDate(d)) throw new RuleRefusal(`${label}は YYYY-MM-DD の日付です（${d}）`, 'invalid_date');
  if (p.from > p.to) throw new RuleRefusal('開始日が終了日より後です', 'invalid_period');
  const days = (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000;
  if (days > 400) throw new RuleRefusal('期間は400日までです', 'invalid_period');
  if (!p.store) return { from: p.from, to: p.to };
  const s = await findSavedStore(deps.db, p.store);
  if (!s) throw new RuleRefusal(`店舗 ${p.store} はありません`, 'not_found');
  return { storeIds: [s.id], from: p.from, to: p.to };
}

export async function dailySalesOf(deps: UseCaseDeps, p: SalesPeriod): Promise<DailySales[]> {
  return dailySales(deps.db, await salesFilter(deps, p));
}

export async function exportSales(
  deps: UseCaseDeps,
  input: SalesPeriod & { encoding: SalesEncoding },
): Promise<{ fileName: string; bytes: Buffer; days: number }> {
  const days = await dailySalesOf(deps, input);
  const text = dailySalesCsv(days);
  const bytes =
    input.encoding === 'sjis'
      ? iconv.encode(text, 'cp932')
      : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  const stem = `sales-${input.store ?? 'all'}-${input.from.replace(/-/g, '')}-${input.to.replace(/-/g, '')}`;
  return { fileName: `${stem}${input.encoding === 'sjis' ? '-sjis' : ''}.csv`, bytes, days: days.length };
}

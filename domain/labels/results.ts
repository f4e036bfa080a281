// The carrier software's result file back (B2クラウド 発行済みデータ, e飛伝 出荷実績, ゆうプリR 発行済み
// データ): one row per label with our お客様管理番号 and its 伝票番号. Columns are found by their
// names; a file without a title row is read by the layout's positions. A row that cannot be read is
// kept as an error naming the row (the use case lists it); nothing is dropped. Pure.
import type { LabelCarrier } from '../carrier-rules.js';
import { parseManagementKey } from './common.js';

export interface ResultRow {
  /** Row number in the file (1-based, as a spreadsheet shows it). */
  rowNo: number;
  key: string;
  /** null when the key is not one of ours (the use case lists the row as matching no order). */
  ref: { orderSeq: number; packageNo: number } | null;
  trackingNumber: string;
  /** YYYY-MM-DD from the file's 出荷(予定)日 when it has one. */
  shippedOn: string | null;
}

export interface ResultError {
  rowNo: number;
  key: string;
  trackingNumber: string;
  message: string;
}

export interface ParsedResult {
  rows: ResultRow[];
  errors: ResultError[];
  /** 'header' when columns were found by name, else 'position'. */
  read: 'header' | 'position';
}

const norm = (h: string) =>
  h
    .normalize('NFKC')
    .replace(/[\s"'（）()・]/g, '')
    .replace(/必須$/, '')
    .toLowerCase();

const KEY_NAMES = ['お客様管理番号', 'お客様管理ナンバー', 'お客様側管理番号', '管理番号'].map(norm);
const TRACKING_NAMES = [
  '伝票番号',
  '送り状番号',
  'お問い合せ送り状No.',
  'お問合せ送り状No.',
  'お問い合わせ送り状No.',
  'お問合せ送り状番号',
  'お問い合わせ番号',
  'お問合せ番号',
  '問合せ番号',
  '荷物問合せ番号',
  '送り状No.',
].map(norm);
const DATE_NAMES = ['出荷予定日', '出荷日', '発送予定日', '出荷日付', '発送日'].map(norm);

/** Positions (0-based) when the file has no title row: [key, tracking, date]. */
const POSITIONS: Readonly<Record<LabelCarrier, readonly [number, number, number | null]>> = {
  // B2: the 入出力用 layout itself, 伝票番号 filled in (No. 1, 4, 5).
  yamato: [0, 3, 4],
  // e飛伝Ⅲ 出荷実績 without a title row: 送り状No. first, お客様管理番号 19th, 出荷日 3rd.
  sagawa: [18, 0, 2],
  // ゆうプリR 発行済みデータ: お客様側管理番号, お問い合わせ番号, 代表お問い合わせ番号, 発送予定日.
  japanpost: [0, 1, 3],
};

/** "2026/12/03", "20261203", "2026-12-03" → "2026-12-03"; else null. */
function isoDate(text: string): string | null {
  const t = text.normalize('NFKC').trim();
  const m = /^(\d{4})[/-]?(\d{1,2})[/-]?(\d{1,2})$/.exec(t);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** 伝票番号: digits (hyphens and spaces dropped), 10 to 14 of them. */
export function trackingOf(text: string): string | null {
  const d = text.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{10,14}$/.test(d) ? d : null;
}

/** Where the columns are: found by name in a title row among the first records, else by position. */
export interface ResultLayout {
  /** Index of the title row among the records looked at; -1 when there is none. */
  headerAt: number;
  cols: readonly [number, number, number | null];
  read: 'header' | 'position';
}

/** How many records at the top of a file may hold the title row. */
export const HEADER_SEARCH_ROWS = 5;

function findHeader(
  records: readonly (readonly string[])[],
): { at: number; cols: [number, number, number | null] } | null {
  for (let i = 0; i < Math.min(records.length, HEADER_SEARCH_ROWS); i++) {
    const names = records[i]!.map(norm);
    const key = names.findIndex((n) => KEY_NAMES.includes(n));
    // The first tracking column: ゆうプリR also has 代表お問い合わせ番号 (the shipment's first parcel).
    const tracking = names.findIndex((n) => TRACKING_NAMES.includes(n));
    if (key >= 0 && tracking >= 0) {
      const date = names.findIndex((n) => DATE_NAMES.includes(n));
      return { at: i, cols: [key, tracking, date >= 0 ? date : null] };
    }
  }
  return null;
}

/** The layout of a file from its first records (up to HEADER_SEARCH_ROWS of them). */
export function resultLayout(carrier: LabelCarrier, first: readonly (readonly string[])[]): ResultLayout {
  const header = findHeader(first);
  return header
    ? { headerAt: header.at, cols: header.cols, read: 'header' }
    : { headerAt: -1, cols: POSITIONS[carrier], read: 'position' };
}

/** One record read by the layout: a row, or an error naming the field. */
export function resultRowOf(
  layout: ResultLayout,
  r: readonly string[],
  rowNo: number,
): { row: ResultRow } | { error: ResultError } {
  const [keyAt, trackingAt, dateAt] = layout.cols;
  const key = (r[keyAt] ?? '').trim();
  const rawTracking = (r[trackingAt] ?? '').trim();
  const trackingNumber = trackingOf(rawTracking);
  if (!trackingNumber)
    return {
      error: {
        rowNo,
        key,
        trackingNumber: rawTracking,
        message: rawTracking
          ? `伝票番号「${rawTracking}」は数字10〜14桁ではありません`
          : layout.read === 'header'
            ? '伝票番号が空です（未発行の行）'
            : '伝票番号の列が見つかりません（項目名の行がなく、この運送会社の並びでもありません）',
      },
    };
  if (!key) return { error: { rowNo, key, trackingNumber, message: 'お客様管理番号が空です' } };
  return {
    row: {
      rowNo,
      key,
      ref: parseManagementKey(key),
      trackingNumber,
      shippedOn: dateAt === null ? null : isoDate(r[dateAt] ?? ''),
    },
  };
}

export function parseResultFile(carrier: LabelCarrier, records: readonly string[][]): ParsedResult {
  const layout = resultLayout(carrier, records.slice(0, HEADER_SEARCH_ROWS));
  const rows: ResultRow[] = [];
  const errors: ResultError[] = [];
  records.forEach((r, i) => {
    if (i <= layout.headerAt) return;
    if (r.every((c) => c.trim() === '')) return;
    const got = resultRowOf(layout, r, i + 1);
    if ('row' in got) rows.push(got.row);
    else errors.push(got.error);
  });
  return { rows, errors, read: layout.read };
}

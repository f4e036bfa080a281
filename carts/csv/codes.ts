// What the values in the preset layouts mean: statuses (and which mean cancelled), Rakuten's time-slot
// codes, payment-method names, tax flags. Shared by normalize, the module and the simulator.
import { CANCELLED_STATUS as YAHOO_CANCELLED, PREPAID_METHODS as YAHOO_PREPAID } from '../yahoo/constants.js';
import type { CsvLayout } from './layouts.js';

/** Rakuten ステータス as the order CSV writes it (orderProgress names, carts.md §1.6). */
export const RAKUTEN_STATUSES = [
  '注文確認待ち',
  '楽天処理中',
  '発送待ち',
  '変更確定待ち',
  '発送済',
  '支払手続き中',
  '支払手続き済',
  'キャンセル確定待ち',
  'キャンセル確定',
] as const;

/** EC-CUBE 4 対応状況 (mtb_order_status): names and ids. */
export const EC_CUBE_STATUSES: ReadonlyArray<{ id: string; name: string }> = [
  { id: '1', name: '新規受付' },
  { id: '3', name: '注文取消' },
  { id: '4', name: '対応中' },
  { id: '5', name: '発送済み' },
  { id: '6', name: '入金済み' },
  { id: '7', name: '決済処理中' },
  { id: '8', name: '購入処理中' },
  { id: '9', name: '返品' },
];

/** cartStatus of an order from a file without any status column. */
export const NO_STATUS = 'none';

/**
 * Rakuten お届け時間帯. The CSV mirrors the API's shippingTerm (carts.md §6) [I]: 0 none, 1 午前中,
 * 2 午後, 9 その他, or `h1h2` (1416 = 14–16h). Text (`14:00～16:00`) is kept as written.
 */
export function rakutenTimeSlot(value: string): string | null {
  const v = value.normalize('NFKC').trim();
  if (!/^\d+$/.test(v)) return v;
  const term = Number(v);
  if (term === 0) return null;
  if (term === 1) return '午前中';
  if (term === 2) return '午後';
  if (term === 9) return 'その他';
  const m = /^(\d{1,2})(\d{2})$/.exec(String(term));
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 7 || from > 24 || to < 7 || to > 24 || to <= from)
    throw new Error(`not a delivery time code: ${JSON.stringify(value)}`);
  return `${from}-${to}`;
}

/** The inverse, for the simulator: `午前中` → `1`, `14-16` → `1416`, none → `0`. */
export function rakutenTimeCode(slot: string | null): string {
  if (slot === null) return '0';
  if (slot === '午前中') return '1';
  if (slot === '午後') return '2';
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(slot);
  return m ? `${Number(m[1])}${m[2]!.padStart(2, '0')}` : '9';
}

/** 税込別 (Rakuten includeTaxFlag: 1 tax-included, 0 tax-excluded) or a word for it; null when empty. */
export function taxIncludedFlag(value: string): boolean | null {
  const v = value.normalize('NFKC').trim().toLowerCase();
  if (v === '') return null;
  if (['1', '税込', '込', '内税', 'true', 'yes'].includes(v)) return true;
  if (['0', '税別', '税抜', '別', '外税', 'false', 'no'].includes(v)) return false;
  throw new Error(`not a tax-included flag: ${JSON.stringify(value)}`);
}

/** What a layout's values mean. */
export interface LayoutRules {
  /** Whether unit prices include tax when the row has no 税込別. */
  taxIncludedByDefault: boolean;
  cancelled(status: string | null, statusCode: string | null): boolean;
  timeSlot(value: string): string | null;
  /** A money value that means "not yet known" (Rakuten's −9999). */
  unknownMoney: number | null;
  /** Whether a row is an item line (EC-CUBE also exports shipping, fee and discount rows). */
  isItemRow(lineKind: string | null): boolean;
}

const asWritten = (v: string) => v.trim() || null;
const everyRow = () => true;

const GENERIC_RULES: LayoutRules = {
  taxIncludedByDefault: true,
  // Japanese consumer prices are shown tax-included (総額表示), so that is the default.
  cancelled: (status) =>
    status !== null &&
    /キャンセル|取消|取り消し|cancel/i.test(status) &&
    !/待ち|申請|pending|request/i.test(status),
  timeSlot: asWritten,
  unknownMoney: null,
  isItemRow: everyRow,
};

export const LAYOUT_RULES: Readonly<Record<CsvLayout, LayoutRules>> = {
  rakuten: {
    taxIncludedByDefault: true,
    // キャンセル確定待ち (800) is a request that may still be withdrawn; only 900 is cancelled.
    cancelled: (status) => status === 'キャンセル確定' || status === '900',
    timeSlot: rakutenTimeSlot,
    unknownMoney: -9999,
    isItemRow: everyRow,
  },
  yahoo: {
    taxIncludedByDefault: true,
    cancelled: (status, code) => code === YAHOO_CANCELLED || status === 'キャンセル',
    timeSlot: asWritten,
    unknownMoney: null,
    isItemRow: everyRow,
  },
  'ec-cube': {
    taxIncludedByDefault: false,
    // The id is stable; a shop may rename the status (名称).
    cancelled: (status, code) => code === '3' || status === '注文取消',
    timeSlot: asWritten,
    unknownMoney: null,
    isItemRow: (kind) => kind === null || kind === '1' || kind === '商品',
  },
  custom: GENERIC_RULES,
  generic: GENERIC_RULES,
};

/**
 * Payment-method names (as the presets write them) where the money comes before shipping: Rakuten's
 * 支払方法名 (settlementMethod names, carts.md §1.3), EC-CUBE 4's default 支払方法, Yahoo's PayMethod
 * codes (as the Yahoo adapter emits them) and the usual generic spellings.
 */
export const PREPAID_METHODS: readonly string[] = [
  '銀行振込',
  'セブンイレブン（前払）',
  'ローソン、郵便局ATM等（前払）',
  'ファミリーマート、ローソン等（前払）',
  '郵便振替',
  '現金書留',
  'コンビニ決済',
  'コンビニ前払い',
  'ペイジー',
  'Pay-easy',
  ...YAHOO_PREPAID,
];

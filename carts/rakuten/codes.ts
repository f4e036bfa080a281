// Rakuten RMS RakutenPayOrderAPI code tables and wire formats, shared by normalize, client and simulator.
// Source: the RMS WEB SERVICE searchOrder / getOrder pages (transcriptions, file ids 53712359280 and
// 53585851855), summarised in shared/spec/carts.md §1.

export const SEARCH_ORDER_PATH = '/es/2.0/order/searchOrder/';
export const GET_ORDER_PATH = '/es/2.0/order/getOrder/';
// The write side (README "Writing to Rakuten"): same host, headers and trailing slash.
export const CONFIRM_ORDER_PATH = '/es/2.0/order/confirmOrder/';
export const UPDATE_ORDER_SHIPPING_PATH = '/es/2.0/order/updateOrderShipping/';
export const UPDATE_ORDER_SHIPPING_ASYNC_PATH = '/es/2.0/order/updateOrderShippingAsync/';
export const GET_RESULT_UPDATE_ORDER_SHIPPING_ASYNC_PATH = '/es/2.0/order/getResultUpdateOrderShippingAsync/';
export const CANCEL_ORDER_PATH = '/es/2.0/order/cancelOrder/';
/** confirmOrder orderNumberList and updateOrderShippingAsync OrderShippingModelList: ≤ 100 orders. */
export const MAX_WRITE_ORDERS = 100;
/** updateOrderShipping: at most 20 ShippingModels per basket (送付先). */
export const MAX_SHIPPINGS_PER_BASKET = 20;
/** shippingNumber (お荷物伝票番号): at most 120 characters. */
export const MAX_SHIPPING_NUMBER = 120;
/**
 * Machine-dependent characters (機種依存文字) Rakuten refuses in a shippingNumber: circled and
 * parenthesised numbers and letters, Roman numerals, enclosed and squared CJK (㈱, ㍉) [V: the
 * updateOrderShipping page forbids them; which code points exactly is [I]].
 */
export const MACHINE_DEPENDENT = /[\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u3200-\u33ff]/;

/**
 * cancelOrder `changeReasonDetailApply` (キャンセル理由) [T: JakeJP RakutenPayOrderService.cs]:
 * お客様都合 1–6, 店舗都合 8, 10, 13–15.
 */
export const CANCEL_REASONS: Readonly<Record<string, string>> = {
  '1': 'キャンセル（お客様都合）',
  '2': '受取後の返品（お客様都合）',
  '3': '長期不在による受取拒否（お客様都合）',
  '4': '未入金（お客様都合）',
  '5': '代引決済の受取拒否（お客様都合）',
  '6': 'その他（お客様都合）',
  '8': '欠品（店舗都合）',
  '10': 'その他（店舗都合）',
  '13': '発送遅延（店舗都合）',
  '14': '顧客・配送対応注意表示（店舗都合）',
  '15': '返品（破損・品間違い）（店舗都合）',
};
/** cancelOrder `inventoryRestoreType` (在庫連動区分): 0 商品設定に合わせる, 1 在庫連動する, 2 在庫連動しない. */
export const INVENTORY_RESTORE_TYPES = [0, 1, 2] as const;
/** cancelOrder is valid for 100 注文確認待ち, 200 楽天処理中 and 300 発送待ち only [T: JakeJP]. */
export const CANCELLABLE_PROGRESS: readonly number[] = [100, 200, 300];

/** searchOrder: only the first 15,000 hits of a search can be reached (since v3.7, 2019-11). */
export const HIT_CEILING = 15_000;
/** searchOrder: endDatetime at most 63 days after startDatetime. */
export const MAX_WINDOW_DAYS = 63;
/** searchOrder startDatetime and getOrder orders: within the past 730 days. */
export const HORIZON_DAYS = 730;
/** searchOrder PaginationRequestModel.requestRecordsAmount: default 30, maximum 1000. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 30;
/** getOrder orderNumberList: at most 100 per call. */
export const MAX_GET_ORDER_NUMBERS = 100;
/**
 * Every limit of RakutenPayOrderAPI a catch-up runs into, with its source and how firm it is (issue 13
 * item 6). The simulator enforces each (`simulator.ts`), the client paces itself by
 * `requestsPerSecond` (`RAKUTEN_LIMITS`), and `ordersPerSecondCeiling` turns them into the best a
 * catch-up can do. Sources checked 2026-12-02; see README.md "Facts and how firm they are".
 */
export const RAKUTEN_API_LIMITS = {
  requestsPerSecond: {
    value: 1,
    source:
      '[T] third-party 推奨 1 請求/秒 (inventory-system RAKUTEN_PAY_ORDER_API.md); Rakuten publishes no figure',
  },
  searchPageSize: { value: MAX_PAGE_SIZE, source: '[V] searchOrder requestRecordsAmount: maximum 1000' },
  getOrderNumbers: { value: MAX_GET_ORDER_NUMBERS, source: '[V] getOrder orderNumberList: at most 100' },
  searchPeriodDays: { value: MAX_WINDOW_DAYS, source: '[V] searchOrder: endDatetime ≤ 63 days after start' },
  hitCeiling: { value: HIT_CEILING, source: '[V] searchOrder: hits past the 15,000th cannot be read' },
  horizonDays: { value: HORIZON_DAYS, source: '[V] searchOrder and getOrder: orders of the past 730 days' },
} as const;

/**
 * Orders a second a catch-up can reach at most under those limits: each getOrder brings 100 orders,
 * and each of `searchPasses` dateType searches over the same orders costs one more call per 1,000
 * order numbers (numbers already fetched are not fetched again). 1 pass: ≈ 90.9/s; the adapter's
 * default 3 (注文日, 注文確定日, 発送完了報告日) over fresh orders: ≈ 76.9/s. Calls, not bytes, are what
 * is limited.
 */
export function ordersPerSecondCeiling(
  searchPasses = 1,
  limits: { requestsPerSecond: number; searchPageSize: number; getOrderNumbers: number } = {
    requestsPerSecond: RAKUTEN_API_LIMITS.requestsPerSecond.value,
    searchPageSize: RAKUTEN_API_LIMITS.searchPageSize.value,
    getOrderNumbers: RAKUTEN_API_LIMITS.getOrderNumbers.value,
  },
): number {
  const callsPerOrder = 1 / limits.getOrderNumbers + searchPasses / limits.searchPageSize;
  return limits.requestsPerSecond / callsPerOrder;
}

/** getOrder `version`: required since v5.6; 10 (social gift) is the newest; 1 and 2 are refused. */
export const LATEST_VERSION = 10;
export const OLDEST_VERSION = 3;
/** Money fields hold -9999 while the amount is not yet determined (未確定), e.g. postage to an island. */
export const NOT_YET_KNOWN = -9999;

export const DAY_MS = 86_400_000;

/** searchOrder dateType (期間検索種別). There is no "last updated" type. */
export const DATE_TYPES = {
  orderedAt: 1, // 注文日
  confirmedAt: 2, // 注文確認日
  fixedAt: 3, // 注文確定日
  shippingDate: 4, // 発送日
  shipReportedAt: 5, // 発送完了報告日
  settledAt: 6, // 決済確定日
} as const;

/** orderProgress (ステータス). */
export const ORDER_PROGRESS: ReadonlyArray<{ code: number; ja: string; en: string }> = [
  { code: 100, ja: '注文確認待ち', en: 'awaiting shop confirmation' },
  { code: 200, ja: '楽天処理中', en: 'Rakuten processing' },
  { code: 300, ja: '発送待ち', en: 'ready to ship' },
  { code: 400, ja: '変更確定待ち', en: 'change awaiting confirmation' },
  { code: 500, ja: '発送済', en: 'shipped' },
  { code: 600, ja: '支払手続き中', en: 'payment in progress' },
  { code: 700, ja: '支払手続き済', en: 'payment completed' },
  { code: 800, ja: 'キャンセル確定待ち', en: 'cancellation pending' },
  { code: 900, ja: 'キャンセル確定', en: 'cancelled' },
];
export const CANCELLED_PROGRESS = 900;

/**
 * settlementMethodCode → the name getOrder sends in `settlementMethod`. Code 14 was renamed on
 * 2026-01-22 (ゆうちょ Pay-easy ended); orders of both names carry code 14.
 */
export const SETTLEMENT_METHODS: Readonly<Record<number, string>> = {
  1: 'クレジットカード',
  2: '代金引換',
  4: 'ショッピングクレジット／ローン',
  5: 'オートローン',
  6: 'リース',
  7: '請求書払い',
  8: 'ポイント',
  9: '銀行振込',
  12: 'Apple Pay',
  13: 'セブンイレブン（前払）',
  14: 'ローソン、郵便局ATM等（前払）',
  16: 'Alipay',
  17: 'PayPal',
  21: '後払い決済',
  27: 'Alipay（支付宝）',
};
export const SETTLEMENT_14_NEW_NAME = 'ファミリーマート、ローソン等（前払）';

/** Methods where the money comes before shipping (the store's default prepaid list). */
export const PREPAID_METHOD_NAMES: readonly string[] = [
  SETTLEMENT_METHODS[9]!,
  SETTLEMENT_METHODS[13]!,
  SETTLEMENT_METHODS[14]!,
  SETTLEMENT_14_NEW_NAME,
];
const PREPAID_CODES = new Set([9, 13, 14]);
/** Methods that are captured when Rakuten fixes the order (card, wallets, points). */
const CAPTURED_CODES = new Set([1, 8, 12, 16, 17, 27]);

/**
 * Whether the order being fixed (orderFixDatetime, status ≥ 300) means the money is in. [I] Rakuten
 * keeps prepaid orders in 200 楽天処理中 until the payment arrives and card orders until authorised;
 * COD, deferred payment and loans are paid later, outside the order's timestamps.
 */
export function paidWhenFixed(code: number | null, name: string | null): boolean {
  if (code !== null) return PREPAID_CODES.has(code) || CAPTURED_CODES.has(code);
  if (name === null) return false;
  return PREPAID_METHOD_NAMES.includes(name) || name === 'クレジットカード' || name === 'Apple Pay';
}

/** Delivery companies (deliveryCompany / defaultDeliveryCompanyCode, strings). */
export const DELIVERY_COMPANIES: Readonly<Record<string, string>> = {
  '1000': 'その他',
  '1001': 'ヤマト運輸',
  '1002': '佐川急便',
  '1003': '日本郵便',
  '1004': '西濃運輸',
  '1005': 'セイノースーパーエクスプレス',
  '1006': '福山通運',
  '1007': '名鉄運輸',
  '1008': 'トナミ運輸',
  '1009': '第一貨物',
  '1010': '新潟運輸',
  '1011': '中越運送',
  '1012': '岡山県貨物運送',
  '1013': '久留米運送',
  '1014': '山陽自動車運送',
  '1015': 'NXトランスポート',
  '1016': 'エコ配',
  '1017': 'EMS',
  '1018': 'DHL',
  '1019': 'FedEx',
  '1020': 'UPS',
  '1021': '日本通運',
  '1022': 'TNT',
  '1023': 'OCS',
  '1024': 'USPS',
  '1025': 'SFエクスプレス',
  '1026': 'Aramex',
  '1027': 'SGHグローバル・ジャパン',
  '1028': 'Rakuten EXPRESS',
  '1029': '日本郵便 楽天倉庫出荷',
  '1030': 'ヤマト運輸 クロネコゆうパケット',
  '1031': '名鉄NX運輸',
};

/**
 * shippingTerm (お届け時間帯): 0 none, 1 morning, 2 afternoon, 9 other, or `h1h2` where h1 is 7–24
 * and h2 two digits 07–24 (708 = 7–8h, 1416 = 14–16h). Returns the slot as juchu shows it.
 */
export function shippingTermToSlot(term: number | null | undefined): string | null {
  if (term === null || term === undefined || term === 0) return null;
  if (term === 1) return '午前中';
  if (term === 2) return '午後';
  if (term === 9) return 'その他';
  const m = /^(\d{1,2})(\d{2})$/.exec(String(term));
  if (!m) throw new Error(`not a shippingTerm: ${term}`);
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from < 7 || from > 24 || to < 7 || to > 24 || to <= from)
    throw new Error(`not a shippingTerm: ${term}`);
  return `${from}-${to}`;
}

/** The inverse, for the simulator: `午前中` → 1, `14-16` → 1416. */
export function slotToShippingTerm(slot: string | null): number {
  if (slot === null) return 0;
  if (slot === '午前中') return 1;
  if (slot === '午後') return 2;
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(slot);
  if (!m) return 9;
  return Number(m[1]) * 100 + Number(m[2]);
}

const JST_MS = 9 * 3600_000;

/**
 * The only datetime form searchOrder accepts: `2024-04-22T10:03:12+0900`. `+09:00`, `Z`, `+0000` and
 * no offset are refused with ORDER_EXT_API_SEARCH_ORDER_ERROR_011 (third-party reports, carts.md §1.3).
 */
export function toRakutenDatetime(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000 + JST_MS).toISOString().slice(0, 19) + '+0900';
}

export const RAKUTEN_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0900$/;

/** `YYYY-MM-DD` in Japan for an instant (deliveryDate, shippingDate, cancelDueDate). */
export function rakutenDate(date: Date): string {
  return new Date(date.getTime() + JST_MS).toISOString().slice(0, 10);
}

/** ESA authorization header value: `ESA ` + Base64(serviceSecret:licenseKey). */
export function esaAuthorization(serviceSecret: string, licenseKey: string): string {
  return `ESA ${Buffer.from(`${serviceSecret}:${licenseKey}`, 'utf8').toString('base64')}`;
}

/** Rounds an instant down to the whole second (Rakuten times carry seconds only). */
export function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
export function ceilSecond(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

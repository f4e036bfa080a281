// Yahoo! Shopping (ストアクリエイターPro) order API: paths, field lists and code tables shared by the
// adapter, the simulator and normalize. Provenance of each fact is in README.md and carts.md §3.

export const CART = 'yahoo' as const;

/** Production host; the test environment is `https://test.circus.shopping.yahooapis.jp` [V: orderList page]. */
export const YAHOO_BASE_URL = 'https://circus.shopping.yahooapis.jp';
export const ORDER_LIST_PATH = '/ShoppingWebService/V1/orderList';
export const ORDER_INFO_PATH = '/ShoppingWebService/V1/orderInfo';
/** Write endpoints [V: orderShipStatusChange.html, orderStatusChange.html; T: JSPSystem clients]. */
export const ORDER_SHIP_STATUS_CHANGE_PATH = '/ShoppingWebService/V1/orderShipStatusChange';
export const ORDER_STATUS_CHANGE_PATH = '/ShoppingWebService/V1/orderStatusChange';

/** ShipStatus [T: kunitake Enum/ShipStatus.php]: 0 出荷不可, 1 出荷可, 2 出荷処理中, 3 出荷済み, 4 着荷済み. */
export const SHIP_STATUS_SHIPPED = '3';

/**
 * CancelReason of orderStatusChange [T: kunitake Enum/CancelReason.php]: 1xx 注文者都合, 2xx ストア都合.
 */
export const CANCEL_REASONS: Readonly<Record<string, string>> = {
  '100': 'キャンセル（注文者都合）',
  '110': '返品',
  '120': '未入金',
  '130': '住所不明',
  '140': '受け取り拒否',
  '150': '連絡不通',
  '160': '重複注文',
  '170': '決済審査不可',
  '180': 'その他（注文者都合）',
  '200': '決済方法都合',
  '210': '欠品',
  '220': '販売中止',
  '230': 'その他（ストア都合）',
};

/**
 * orderStatusChange's 注文ステータス遷移表 [V: orderStatusChange.html]: from → the statuses it may
 * become. A cancelled order (4) moves nowhere; 5 完了 may go back to 2 処理中 or be cancelled.
 */
export const ORDER_STATUS_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  '1': ['4', '5'],
  '2': ['3', '4', '5'],
  '3': ['2', '4', '5'],
  '4': [],
  '5': ['2', '4'],
};

/** Yahoo! ID連携 v2 Token endpoint [V: developer.yahoo.co.jp/yconnect/v2/…/token.html]. */
export const YAHOO_TOKEN_URL = 'https://auth.login.yahoo.co.jp/yconnect/v2/token';
/** Path of the token endpoint, also served by the simulator on its own origin. */
export const TOKEN_PATH = '/yconnect/v2/token';

/** Access tokens live one hour [V: yconnect FAQ「Access Tokenの有効期限は1時間(3600秒)」]. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * Every limit of the order API a catch-up runs into, with its source and how firm it is (issue 13
 * item 6; sources checked 2026-12-02, README "Limits and errors"). The simulator enforces each, the
 * client paces itself by `requestsPerSecond` (`DEFAULT_LIMITS`), and `ordersPerSecondCeiling` turns
 * them into the best a catch-up can do.
 */
export const YAHOO_API_LIMITS = {
  requestsPerSecond: {
    value: 1,
    source:
      '[V, not re-found 2026-12-02] order API index page developer.yahoo.co.jp/webapi/shopping/order: 「短い時間で同一URLに大量にアクセスを行った場合、一定時間利用できなくなることもあります。※(1クエリ/秒)」, as quoted in shared/reference/cart-apis-2026.md §1.3 Y9',
  },
  requestsPerDay: {
    value: 50_000,
    source:
      '[V] developer.yahoo.co.jp/appendix/rate.html (per application id, reset at 0:00) and shopping help (raises are no longer accepted: add application ids); over it 403 "Your Request was Forbidden" [V: shopping FAQ]',
  },
  ordersPerOrderInfo: {
    value: 1,
    source: '[T] orderInfo takes one Target/OrderId (JSPSystem, ssApp, Python clients)',
  },
  orderListResult: { value: null, source: '[V] orderList Result: default 10, 「上限値はありません」' },
} as const;

/**
 * Default client-side rate: one request a second, shared by every order API call of the store
 * (`YAHOO_API_LIMITS.requestsPerSecond`). The daily quota is counted separately (`DAILY_QUOTA`).
 */
export const DEFAULT_LIMITS = {
  '*': { ratePerSec: YAHOO_API_LIMITS.requestsPerSecond.value, burst: 1 },
} as const;

/** Requests per application id and day before 403 "Your Request was Forbidden" [V: shopping FAQ]. */
export const DAILY_QUOTA = YAHOO_API_LIMITS.requestsPerDay.value;

/**
 * Orders a second a catch-up can reach at most: one orderInfo call per order, plus one orderList call
 * per `pageSize` rows for each of `listPasses` searches that list the same orders (the default OrderTime
 * and PublicationTime passes: 2). At 1 req/s and 100 rows a page that is 1 / (1 + 2/100) ≈ 0.98/s. The
 * daily quota caps a sustained rate at 50,000 / 86,400 ≈ 0.58 requests/s: a backlog of more than about
 * 49,000 orders cannot be read in one Japan day by one application id.
 */
export function ordersPerSecondCeiling(
  listPasses = 2,
  pageSize = 100,
  requestsPerSecond: number = YAHOO_API_LIMITS.requestsPerSecond.value,
): number {
  return requestsPerSecond / (YAHOO_API_LIMITS.ordersPerOrderInfo.value + listPasses / pageSize);
}

/**
 * The orderList row fields the adapter needs to page and to check each pass's window: `OrderTime`,
 * `PublicationTime` (orderList公開日時, added 2021-06 [V: orderList changelog]) and `LastUpdateTime`
 * are selectable Fields [T: JSPSystem OrderListClient FIELD].
 */
export const LIST_FIELDS = [
  'OrderId',
  'OrderTime',
  'PublicationTime',
  'LastUpdateTime',
  'OrderStatus',
  'IsSeen',
] as const;

/** orderInfo fields by the element they are rendered in [T: JSPSystem OrderInfoClient::FIELD, C# 40804531423]. */
export const INFO_FIELD_GROUPS = {
  order: [
    'OrderId',
    'OrderTime',
    'LastUpdateTime',
    'OrderStatus',
    'IsSeen',
    'CancelReason',
    'BuyerComments',
    'Notes',
    'TotalCouponDiscount',
  ],
  Pay: [
    'PayStatus',
    'SettleStatus',
    'PayType',
    'PayKind',
    'PayMethod',
    'PayMethodName',
    'PayDate',
    'PayActionTime',
    'CardBrand',
    'BillFirstName',
    'BillFirstNameKana',
    'BillLastName',
    'BillLastNameKana',
    'BillZipCode',
    'BillPrefecture',
    'BillCity',
    'BillAddress1',
    'BillAddress2',
    'BillPhoneNumber',
    'BillMailAddress',
  ],
  Ship: [
    'ShipStatus',
    'ShipMethod',
    'ShipMethodName',
    'ShipRequestDate',
    'ShipRequestTime',
    'ShipNotes',
    'ShipCompanyCode',
    'ShipInvoiceNumber1',
    'ShipDate',
    'NeedGiftWrap',
    'GiftWrapMessage',
    'ShipFirstName',
    'ShipFirstNameKana',
    'ShipLastName',
    'ShipLastNameKana',
    'ShipZipCode',
    'ShipPrefecture',
    'ShipCity',
    'ShipAddress1',
    'ShipAddress2',
    'ShipPhoneNumber',
  ],
  Seller: ['SellerId'],
  Detail: [
    'PayCharge',
    'ShipCharge',
    'GiftWrapCharge',
    'Discount',
    'Adjustments',
    'SettleAmount',
    'UsePoint',
    'GiftCardDiscount',
    'TotalPrice',
    'TotalMallCouponDiscount',
  ],
  Item: [
    'LineId',
    'ItemId',
    'Title',
    'SubCode',
    'ItemOption',
    'IsTaxable',
    'ItemTaxRatio',
    'UnitPrice',
    'NonTaxUnitPrice',
    'Quantity',
    'CouponDiscount',
  ],
} as const;

export const INFO_FIELDS: readonly string[] = Object.values(INFO_FIELD_GROUPS).flat();

/** OrderStatus [T: kunitake Enum/OrderStatus.php; CData docs; JSPSystem tests]. */
export const ORDER_STATUSES = [
  { code: '1', label: '予約中 (Reserved / pre-order)' },
  { code: '2', label: '処理中 (Processing)' },
  { code: '3', label: '保留 (On hold)' },
  { code: '4', label: 'キャンセル (Cancelled)' },
  { code: '5', label: '完了 (Completed)' },
] as const;
export const CANCELLED_STATUS = '4';

/** PayMethod codes and Yahoo's names for them [T: kunitake Enum/PayMethod.php; V: orderList changelog for a17/a19]. */
export const PAY_METHODS: Readonly<Record<string, string>> = {
  payment_a1: 'クレジットカード決済',
  payment_a6: 'コンビニ決済（セブン-イレブン）',
  payment_a7: 'コンビニ決済（その他）',
  payment_a8: 'モバイルSuica決済',
  payment_a9: 'ドコモ払い',
  payment_a10: 'auかんたん決済',
  payment_a11: 'ソフトバンクまとめて支払い',
  payment_a15: 'ペイジー',
  payment_a16: 'Yahoo!マネー/預金払い',
  payment_a17: 'PayPay残高等',
  payment_a19: 'PayPayクレジット',
  payment_b1: '銀行振込',
  payment_b2: '銀行振込',
  payment_b3: '銀行振込',
  payment_b4: '銀行振込',
  payment_b5: '銀行振込',
  payment_b6: '銀行振込',
  payment_c1: 'ゆうちょ銀行（前払い）',
  payment_c2: 'ゆうちょ銀行（後払い）',
  payment_c3: '現金書留',
  payment_d1: '商品代引',
  payment_z1: 'ポイント全額払い',
};

/**
 * Methods where the money arrives before shipping: bank transfer (b1–b6, store-named), convenience
 * store (a6/a7), Pay-easy (a15), ゆうちょ前払い (c1) and 現金書留 (c3). `payment.method` carries the
 * PayMethod code because b1–b6 and e1–e15 names are free text set by each store.
 */
export const PREPAID_METHODS = [
  'payment_b1',
  'payment_b2',
  'payment_b3',
  'payment_b4',
  'payment_b5',
  'payment_b6',
  'payment_a6',
  'payment_a7',
  'payment_a15',
  'payment_c1',
  'payment_c3',
] as const;

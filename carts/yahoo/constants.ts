// Yahoo! Shopping (ストアクリエイターPro) order API: paths, field lists and code tables shared by the
// adapter, the simulator and normalize. Provenance of each fact is in README.md and carts.md §3.

export const CART = 'yahoo' as const;

/** Production host; the test environment is `https://test.circus.shopping.yahooapis.jp` [V: orderList page]. */
export const YAHOO_BASE_URL = 'https://circus.shopping.yahooapis.jp';
export const ORDER_LIST_PATH = '/ShoppingWebService/V1/orderList';
export const ORDER_INFO_PATH = '/ShoppingWebService/V1/orderInfo';

/** Yahoo! ID連携 v2 Token endpoint [V: developer.yahoo.co.jp/yconnect/v2/…/token.html]. */
export const YAHOO_TOKEN_URL = 'https://auth.login.yahoo.co.jp/yconnect/v2/token';
/** Path of the token endpoint, also served by the simulator on its own origin. */
export const TOKEN_PATH = '/yconnect/v2/token';

/** Access tokens live one hour [V: yconnect FAQ「Access Tokenの有効期限は1時間(3600秒)」]. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * Default client-side rate: one request a second, shared by every order API call of the store.
 * Yahoo documents only a daily quota (50,000 requests per application id, 403 "Your Request was
 * Forbidden" beyond it [V: shopping FAQ]) and 10 req/s as the most a raised quota can allow
 * [V: shopping help]. 1 req/s is our assumption; it keeps a busy store far under both.
 */
export const DEFAULT_LIMITS = { '*': { ratePerSec: 1, burst: 1 } } as const;

/** Requests per application id and day before 403 "Your Request was Forbidden" [V: shopping FAQ]. */
export const DAILY_QUOTA = 50_000;

/** The orderList row fields the adapter needs to page and to check the window [T: JSPSystem FIELD]. */
export const LIST_FIELDS = ['OrderId', 'OrderTime', 'LastUpdateTime', 'OrderStatus', 'IsSeen'] as const;

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

// Which column holds what: the fields juchu reads from an order CSV, the presets for the Rakuten,
// Yahoo! Shopping and EC-CUBE 4 order exports, the generic header synonyms for other files
// (carts.md §6), and the resolution of a file's headers into a column map. Pure.
import { CsvFormatError } from './format-error.js';
import { headerKey } from './table.js';

/** Party parts; `orderer…` and `shipTo…` fields exist for each. */
const PARTY_PARTS = [
  'Name',
  'FamilyName',
  'GivenName',
  'Kana',
  'FamilyKana',
  'GivenKana',
  'Email',
  'Phone',
  'Phone1',
  'Phone2',
  'Phone3',
  'PostalCode',
  'PostalCode1',
  'PostalCode2',
  'Prefecture',
  'City',
  'Address1',
  'Address2',
] as const;
type PartyPart = (typeof PARTY_PARTS)[number];
export type PartyRole = 'orderer' | 'shipTo';

export const CSV_FIELDS = [
  // order (repeated on every line of the order)
  'cartOrderNo',
  'orderedAt',
  'orderDate',
  'orderTime',
  'updatedAt',
  'status',
  'statusCode',
  'remarks',
  'internalComment',
  'paymentMethod',
  'cardType',
  'paymentFee',
  'paidAt',
  'requestedDate',
  'timeSlot',
  'deliveryMethod',
  'carrier',
  'shippingFee',
  'goodsTotal',
  'taxTotal',
  'discount',
  'points',
  'total',
  ...PARTY_PARTS.map((p) => `orderer${p}` as const),
  ...PARTY_PARTS.map((p) => `shipTo${p}` as const),
  // package (配送先) a line ships in
  'packageId',
  // line
  'sku',
  'optionCode',
  'optionCode2',
  'itemName',
  'quantity',
  'unitPrice',
  'taxRate',
  'taxIncluded',
  'lineKind',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** Field → headers in order of preference; per row the first non-empty cell among them is used. */
export type ColumnMap = Partial<Record<CsvField, string[]>>;

export const CSV_PRESETS = ['rakuten', 'yahoo', 'ec-cube'] as const;
export type CsvPreset = (typeof CSV_PRESETS)[number];
/** `custom`: a `columns` mapping without a preset; `generic`: neither, read by header synonyms. */
export type CsvLayout = CsvPreset | 'custom' | 'generic';

/** Fields without which a file is not an order file. `orderedAt` is also satisfied by `orderDate`. */
export const REQUIRED_FIELDS = [
  'cartOrderNo',
  'orderedAt',
  'sku',
  'itemName',
  'quantity',
  'unitPrice',
] as const;

interface LayoutSpec {
  columns: ColumnMap;
  /** The header each required field is named by in the "列がありません" (missing columns) message. */
  required: Record<(typeof REQUIRED_FIELDS)[number], string>;
  /**
   * The required headers themselves must be there (every export of the cart has them), not just some
   * column of the field: a Rakuten file without 商品管理番号 is not a Rakuten export.
   */
  exact: boolean;
}

function party(role: PartyRole, parts: Partial<Record<PartyPart, string | string[]>>): ColumnMap {
  const out: ColumnMap = {};
  for (const [part, headers] of Object.entries(parts))
    out[`${role}${part as PartyPart}`] = Array.isArray(headers) ? headers : [headers!];
  return out;
}

/**
 * Rakuten RMS order CSV (楽天ペイ注文), one row per item line, order and recipient columns repeated
 * (carts.md §6, RakutenVO.java positions 0–106). The columns mirror the API: 商品番号 = itemNumber,
 * 商品管理番号 = manageNumber; the product code is SKU管理番号 (newer SKU exports [I]) ?? 商品番号 ??
 * 商品管理番号, as for the API (§1.10). 税率 / 消費税率 are not in the reference list [I]: read if present.
 */
const RAKUTEN: LayoutSpec = {
  columns: {
    cartOrderNo: ['注文番号'],
    orderedAt: ['注文日時'],
    orderDate: ['注文日'],
    orderTime: ['注文時間'],
    status: ['ステータス'],
    remarks: ['コメント'],
    internalComment: ['ひとことメモ'],
    paymentMethod: ['支払方法名'],
    paymentFee: ['代引料合計'],
    requestedDate: ['お届け日指定'],
    timeSlot: ['お届け時間帯'],
    deliveryMethod: ['配送方法'],
    shippingFee: ['送料合計'],
    goodsTotal: ['商品合計金額'],
    taxTotal: ['消費税合計'],
    discount: ['クーポン利用総額'],
    points: ['ポイント利用額'],
    total: ['請求金額', '合計金額'],
    ...party('orderer', {
      FamilyName: '注文者姓',
      GivenName: '注文者名',
      FamilyKana: '注文者姓カナ',
      GivenKana: '注文者名カナ',
      Email: '注文者メールアドレス',
      Phone1: '注文者電話番号1',
      Phone2: '注文者電話番号2',
      Phone3: '注文者電話番号3',
      PostalCode1: '注文者郵便番号1',
      PostalCode2: '注文者郵便番号2',
      Prefecture: '注文者住所都道府県',
      City: '注文者住所郡市区',
      Address1: '注文者住所それ以降の住所',
    }),
    ...party('shipTo', {
      FamilyName: '送付先姓',
      GivenName: '送付先名',
      FamilyKana: '送付先姓カナ',
      GivenKana: '送付先名カナ',
      Phone1: '送付先電話番号1',
      Phone2: '送付先電話番号2',
      Phone3: '送付先電話番号3',
      PostalCode1: '送付先郵便番号1',
      PostalCode2: '送付先郵便番号2',
      Prefecture: '送付先住所都道府県',
      City: '送付先住所郡市区',
      Address1: '送付先住所それ以降の住所',
    }),
    packageId: ['送付先ID'],
    sku: ['SKU管理番号', '商品番号', '商品管理番号'],
    optionCode: ['項目・選択肢'],
    itemName: ['商品名'],
    quantity: ['個数'],
    unitPrice: ['単価'],
    taxRate: ['税率', '消費税率'],
    taxIncluded: ['税込別'],
  },
  required: {
    cartOrderNo: '注文番号',
    orderedAt: '注文日時',
    sku: '商品管理番号',
    itemName: '商品名',
    quantity: '個数',
    unitPrice: '単価',
  },
  exact: true,
};

/**
 * Yahoo! ショッピング order data, one row per item line with the order fields repeated. The download
 * names its columns by the API's field names (OrderId, ShipLastName, ItemTaxRatio… carts.md §3.5,
 * mirrored by csvProject's YahooVO); csvProject's Japanese labels are accepted too. csvProject reads
 * order and item fields from two files; a single file carrying both is an assumption [I].
 */
const YAHOO: LayoutSpec = {
  columns: {
    cartOrderNo: ['OrderId', '注文番号'],
    orderedAt: ['OrderTime', '注文時間', '注文日時'],
    updatedAt: ['LastUpdateTime'],
    statusCode: ['OrderStatus', '処理ステータス'],
    remarks: ['BuyerComments'],
    // The code, as the Yahoo adapter emits it: PayMethodName of b1–b6 / e1–e15 is free text per store.
    paymentMethod: ['PayMethod', 'PayMethodName'],
    cardType: ['CardBrand'],
    paymentFee: ['PayCharge'],
    paidAt: ['PayDate'],
    requestedDate: ['ShipRequestDate', 'お届け希望日'],
    timeSlot: ['ShipRequestTime', 'お届け希望時間'],
    deliveryMethod: ['ShipMethodName', 'ShipMethod'],
    carrier: ['ShipCompanyCode', '配送会社'],
    shippingFee: ['ShipCharge'],
    discount: ['Discount'],
    points: ['UsePoint'],
    total: ['TotalPrice'],
    ...party('orderer', {
      FamilyName: 'BillLastName',
      GivenName: 'BillFirstName',
      FamilyKana: 'BillLastNameKana',
      GivenKana: 'BillFirstNameKana',
      Email: 'BillMailAddress',
      Phone: 'BillPhoneNumber',
      PostalCode: 'BillZipCode',
      Prefecture: 'BillPrefecture',
      City: 'BillCity',
      Address1: 'BillAddress1',
      Address2: 'BillAddress2',
    }),
    ...party('shipTo', {
      Name: 'お届け先氏名',
      FamilyName: ['ShipLastName', 'お届け先名氏'],
      GivenName: ['ShipFirstName', 'お届け先名前'],
      Kana: 'お届け先氏名カナ',
      FamilyKana: ['ShipLastNameKana', 'お届け先名字カナ'],
      GivenKana: ['ShipFirstNameKana', 'お届け先名前カナ'],
      Phone: ['ShipPhoneNumber', 'お届け先電話番号'],
      PostalCode: ['ShipZipCode', 'お届け先郵便番号'],
      Prefecture: ['ShipPrefecture', 'お届け先都道府県'],
      City: ['ShipCity', 'お届け市区町村'],
      Address1: ['ShipAddress1', 'お届け住所1行目'],
      Address2: ['ShipAddress2', 'お届け住所2行目'],
    }),
    sku: ['ItemId', '商品コード'],
    optionCode: ['SubCode', 'ItemOptionValue', '商品オプション'],
    itemName: ['Title', '商品名'],
    quantity: ['Quantity', '個数'],
    unitPrice: ['UnitPrice'],
    taxRate: ['ItemTaxRatio', '税金率'],
  },
  required: {
    cartOrderNo: 'OrderId',
    orderedAt: 'OrderTime',
    sku: 'ItemId',
    itemName: 'Title',
    quantity: 'Quantity',
    unitPrice: 'UnitPrice',
  },
  // csvProject's Japanese labels stand for the same fields.
  exact: false,
};

/**
 * EC-CUBE 4 受注CSV default columns (dtb_csv.csv, csv_type_id=3). One row per OrderItem, including
 * 送料 / 手数料 / 割引 / 税 rows (明細区分(ID) 2–6, mtb_order_item_type.csv): only 1 (商品) is a line.
 * The header 送料 appears twice: the order's total first (Order.delivery_fee_total), the shipping's
 * second (`送料#2`). 価格 is tax-excluded (OrderItem.price; EC-CUBE shows prices 税抜 by default).
 */
const EC_CUBE: LayoutSpec = {
  columns: {
    cartOrderNo: ['注文番号', '注文ID'],
    orderedAt: ['受注日'],
    status: ['対応状況(名称)'],
    statusCode: ['対応状況(ID)'],
    // carts.md §6 lists 配達用メモ among the remarks columns; the order's own message is not exported.
    remarks: ['配達用メモ'],
    internalComment: ['ショップ用メモ欄'],
    paymentMethod: ['支払方法(名称)'],
    paidAt: ['入金日'],
    requestedDate: ['お届け希望日'],
    timeSlot: ['お届け時間(名称)'],
    carrier: ['配送業者(名称)'],
    shippingFee: ['送料'],
    goodsTotal: ['小計'],
    taxTotal: ['税金'],
    discount: ['値引き'],
    total: ['支払合計', '合計'],
    ...party('orderer', {
      FamilyName: 'お名前(姓)',
      GivenName: 'お名前(名)',
      FamilyKana: 'お名前(セイ)',
      GivenKana: 'お名前(メイ)',
      Email: 'メールアドレス',
      Phone: 'TEL',
      PostalCode: '郵便番号',
      Prefecture: '都道府県(名称)',
      Address1: '住所1',
      Address2: '住所2',
    }),
    ...party('shipTo', {
      FamilyName: '配送先_お名前(姓)',
      GivenName: '配送先_お名前(名)',
      FamilyKana: '配送先_お名前(セイ)',
      GivenKana: '配送先_お名前(メイ)',
      Phone: '配送先_TEL',
      PostalCode: '配送先_郵便番号',
      Prefecture: '配送先_都道府県(名称)',
      Address1: '配送先_住所1',
      Address2: '配送先_住所2',
    }),
    packageId: ['出荷ID'],
    sku: ['商品コード'],
    optionCode: ['規格分類名1'],
    optionCode2: ['規格分類名2'],
    itemName: ['商品名'],
    quantity: ['個数'],
    unitPrice: ['価格'],
    taxRate: ['税率'],
    lineKind: ['明細区分(ID)'],
  },
  required: {
    cartOrderNo: '注文番号',
    orderedAt: '受注日',
    sku: '商品コード',
    itemName: '商品名',
    quantity: '個数',
    unitPrice: '価格',
  },
  exact: true,
};

/** Suffixes after a party prefix (注文者…, 送付先…, お届け先…, 配送先_…) in the generic synonyms. */
const PARTY_SUFFIXES: Record<PartyPart, string[]> = {
  Name: ['氏名', '名前', 'お名前'],
  FamilyName: ['姓', '名字', 'お名前(姓)'],
  GivenName: ['名', 'お名前(名)'],
  Kana: ['氏名カナ', 'カナ', 'フリガナ', 'お名前(フリガナ)'],
  FamilyKana: ['姓カナ', 'セイ', 'お名前(セイ)', '名字カナ'],
  GivenKana: ['名カナ', 'メイ', 'お名前(メイ)'],
  Email: ['メールアドレス', 'Eメール'],
  Phone: ['電話番号', 'TEL', '電話'],
  Phone1: ['電話番号1'],
  Phone2: ['電話番号2'],
  Phone3: ['電話番号3'],
  PostalCode: ['郵便番号', '〒'],
  PostalCode1: ['郵便番号1'],
  PostalCode2: ['郵便番号2'],
  Prefecture: ['住所都道府県', '都道府県', '都道府県(名称)'],
  City: ['住所郡市区', '郡市区', '市区町村'],
  Address1: ['住所それ以降の住所', '住所1', '住所'],
  Address2: ['住所2', '建物名'],
};
const PARTY_PREFIXES: Record<PartyRole, string[]> = {
  orderer: ['注文者', '購入者', 'ご注文者'],
  shipTo: ['送付先', 'お届け先', '配送先_', '配送先', '届け先'],
};
/** EC-CUBE-like files name the orderer without a prefix (お名前(姓), TEL, 住所1…). */
const BARE_ORDERER: Partial<Record<PartyPart, string[]>> = {
  FamilyName: ['お名前(姓)'],
  GivenName: ['お名前(名)'],
  FamilyKana: ['お名前(セイ)'],
  GivenKana: ['お名前(メイ)'],
  Email: ['メールアドレス'],
  Phone: ['TEL', '電話番号'],
  PostalCode: ['郵便番号'],
  Prefecture: ['都道府県(名称)', '都道府県'],
  Address1: ['住所1'],
  Address2: ['住所2'],
};

function genericParty(role: PartyRole): ColumnMap {
  const parts: Partial<Record<PartyPart, string[]>> = {};
  for (const part of PARTY_PARTS) {
    const names = PARTY_PREFIXES[role].flatMap((p) => PARTY_SUFFIXES[part].map((s) => p + s));
    parts[part] = role === 'orderer' ? [...names, ...(BARE_ORDERER[part] ?? [])] : names;
  }
  return party(role, parts);
}

/** carts.md §6 "Generic header synonyms", plus the common spellings of the same ideas. [I] */
const GENERIC: LayoutSpec = {
  columns: {
    cartOrderNo: ['注文番号', '受注番号', '注文ID', '注文No', '受注No', 'OrderId'],
    orderedAt: ['注文日時', '受注日時', '受注日', '購入日時', 'OrderTime'],
    orderDate: ['注文日', '購入日'],
    orderTime: ['注文時間', '注文時刻'],
    updatedAt: ['更新日時', '最終更新日時'],
    status: [
      'ステータス',
      '注文ステータス',
      '受注ステータス',
      '対応状況(名称)',
      '対応状況',
      '処理ステータス',
    ],
    remarks: ['コメント', '備考', '備考欄', 'お客様備考', '配達用メモ'],
    internalComment: ['ひとことメモ', '社内コメント', '社内メモ', 'ショップ用メモ欄'],
    paymentMethod: ['支払方法名', '支払方法(名称)', '支払方法', '決済方法', 'お支払い方法'],
    cardType: ['カード種別', 'カードブランド', 'カード会社'],
    paymentFee: ['決済手数料', '代引料', '代引料合計', '代引手数料', '手数料'],
    paidAt: ['入金日', '入金日時'],
    requestedDate: ['お届け日指定', 'お届け希望日', 'お届け指定日', '配送希望日', '配達希望日'],
    timeSlot: ['お届け時間帯', 'お届け希望時間', 'お届け時間(名称)', '配送希望時間', '配達希望時間帯'],
    deliveryMethod: ['配送方法', '発送方法'],
    carrier: ['配送業者', '配送業者(名称)', '配送会社', '運送会社'],
    shippingFee: ['送料', '送料合計'],
    goodsTotal: ['商品合計金額', '商品合計', '小計'],
    taxTotal: ['消費税合計', '消費税', '税金', '消費税額'],
    discount: ['クーポン利用総額', '値引き', '値引額', '割引額', 'クーポン値引き'],
    points: ['ポイント利用額', '利用ポイント', 'ポイント利用'],
    total: ['請求金額', '支払合計', '合計金額', '総合計', '合計'],
    ...genericParty('orderer'),
    ...genericParty('shipTo'),
    packageId: ['送付先ID', '出荷ID', '配送先ID'],
    sku: ['商品コード', '商品番号', '商品管理番号', 'SKU管理番号', '独自商品コード', '品番'],
    optionCode: ['項目・選択肢', '商品オプション', 'オプション', '規格', '規格分類名1'],
    optionCode2: ['規格分類名2'],
    itemName: ['商品名', '品名'],
    quantity: ['個数', '数量'],
    unitPrice: ['単価', '価格', '販売価格', '商品単価'],
    taxRate: ['税率', '消費税率'],
    taxIncluded: ['税込別', '税区分'],
  },
  required: {
    cartOrderNo: '注文番号 / 受注番号 / 注文ID',
    orderedAt: '注文日時 / 受注日 / 注文日',
    sku: '商品コード / 商品番号 / 商品管理番号 / SKU管理番号 / 独自商品コード',
    itemName: '商品名',
    quantity: '個数 / 数量',
    unitPrice: '単価 / 価格 / 販売価格',
  },
  exact: false,
};

const SPECS: Record<CsvPreset | 'generic', LayoutSpec> = {
  rakuten: RAKUTEN,
  yahoo: YAHOO,
  'ec-cube': EC_CUBE,
  generic: GENERIC,
};

/** The headers of a preset (the simulator writes files with them; tests name them). */
export function presetColumns(preset: CsvPreset): ColumnMap {
  return SPECS[preset].columns;
}

export interface ResolvedLayout {
  layout: CsvLayout;
  columns: ColumnMap;
}

/**
 * Maps the file's headers to fields. With a preset, its columns (overridden per field by `columns`);
 * with `columns` only, the mapping over the generic synonyms; with neither, the first preset whose
 * required columns are all there, else the generic synonyms. Throws CsvFormatError naming every
 * required column the file lacks, and every header an explicit mapping names that is not there.
 */
export function resolveLayout(
  headers: readonly string[],
  settings: { preset?: CsvPreset; columns?: Partial<Record<CsvField, string | string[]>> },
  file: string,
): ResolvedLayout {
  const byKey = new Map<string, string>();
  for (const h of headers) if (!byKey.has(headerKey(h))) byKey.set(headerKey(h), h);
  const present = (names: readonly string[]) => [
    ...new Set(names.map((n) => byKey.get(headerKey(n))).filter((h): h is string => h !== undefined)),
  ];
  const resolve = (spec: LayoutSpec): ColumnMap => {
    const out: ColumnMap = {};
    for (const [f, names] of Object.entries(spec.columns)) {
      const found = present(names);
      if (found.length) out[f as CsvField] = found;
    }
    return out;
  };
  const missingRequired = (spec: LayoutSpec, cols: ColumnMap, explicit: ReadonlySet<string>) =>
    REQUIRED_FIELDS.filter((f) => {
      if (explicit.has(f)) return false;
      if (spec.exact) return !byKey.has(headerKey(spec.required[f]));
      return !cols[f]?.length && !(f === 'orderedAt' && cols.orderDate?.length);
    }).map((f) => spec.required[f]);

  let layout: CsvLayout;
  let spec: LayoutSpec;
  if (settings.preset) [layout, spec] = [settings.preset, SPECS[settings.preset]];
  else if (settings.columns) [layout, spec] = ['custom', GENERIC];
  else {
    const detected = CSV_PRESETS.find(
      (p) => missingRequired(SPECS[p], resolve(SPECS[p]), new Set()).length === 0,
    );
    [layout, spec] = detected ? [detected, SPECS[detected]] : ['generic', GENERIC];
  }

  const columns = resolve(spec);
  const missing: string[] = [];
  const explicit = new Set<string>();
  for (const [f, given] of Object.entries(settings.columns ?? {})) {
    if (given === undefined) continue;
    const names = Array.isArray(given) ? given : [given];
    explicit.add(f);
    const found = present(names);
    missing.push(...names.filter((n) => !byKey.has(headerKey(n))));
    if (found.length) columns[f as CsvField] = found;
    else delete columns[f as CsvField];
  }
  missing.push(...missingRequired(spec, columns, explicit));

  if (missing.length) {
    // Operators read it on the screens: Japanese, worded as the upload refusals (uploads/columns.ts),
    // with the settings' own words (preset, columns) so the store setting to fix can be found.
    const how =
      layout === 'generic'
        ? 'どの形式の見出しとも合わないため、一般的な列名で探しました'
        : layout === 'custom'
          ? '列の指定 columns'
          : `形式 ${layout}`;
    throw new CsvFormatError(`列がありません: ${missing.join(', ')} (${how})`, file, missing);
  }

  // A given name without a family name is a whole name: 注文者名 alone means 注文者氏名.
  for (const role of ['orderer', 'shipTo'] as const) {
    for (const [given, family, whole] of [
      ['GivenName', 'FamilyName', 'Name'],
      ['GivenKana', 'FamilyKana', 'Kana'],
    ] as const) {
      const g = columns[`${role}${given}`];
      if (g && !columns[`${role}${family}`]) {
        columns[`${role}${whole}`] ??= g;
        delete columns[`${role}${given}`];
      }
    }
  }
  return { layout, columns };
}

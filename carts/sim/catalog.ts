// The demo business: a small Japanese shop selling tea, food and kitchenware on several carts.
// Shared by the simulators (what customers buy) and `juchu seed-demo` (what the master knows), so
// that demo orders exercise every review rule: a mapped cart code, an unknown code, a needs-check
// product and 8% food lines.

export interface CatalogProduct {
  /** Our product master code (商品コード). */
  masterCode: string;
  /** The code the carts sell it under; differs from the master where a store mapping converts it. */
  cartCode: string;
  /** Option / variant code the cart sends with it, if any. */
  cartOptionCode: string | null;
  name: string;
  /** Tax-included price in yen. */
  price: number;
  taxRate: 8 | 10;
  /** EC受注修正区分: 要修正 — orders with it wait for a human (e.g. engraving to check). */
  needsCheck: boolean;
  /** False for products only the cart knows: orders with them go to マスタなし商品. */
  inMaster: boolean;
  /** Units of the master product per cart unit (a set of 3 = 3). */
  unitsPerCartUnit: number;
  /** Relative popularity. */
  weight: number;
}

export const CATALOG: readonly CatalogProduct[] = [
  p('00000911245', 'TSE-0013-9124', null, '静岡深蒸し煎茶 100g', 1296, 8, { weight: 8 }),
  p('00000911246', '00000911246', null, '宇治抹茶 30g缶', 2160, 8, { weight: 5 }),
  p('00000911247', '00000911247', null, '有機ほうじ茶 ティーバッグ 20包', 864, 8, { weight: 6 }),
  p('00000911248', 'TSE-0013-9248', null, '玄米茶 200g', 702, 8, { weight: 4 }),
  p('00000920001', '00000920001', null, '新潟県産コシヒカリ 5kg', 3980, 8, { weight: 6 }),
  p('00000920002', '00000920002', null, '北海道産ゆめぴりか 2kg', 1980, 8, { weight: 3 }),
  p('00000930010', '00000930010', null, '手焼きせんべい 詰め合わせ 24枚', 1620, 8, { weight: 5 }),
  p('00000930011', '00000930011', null, '京都 抹茶バウムクーヘン', 1944, 8, { weight: 4 }),
  // A set sold as one cart item; the store mapping turns it into 3 units of the single bag.
  p('00000930013', 'SET-SENBEI-3', null, '手焼きせんべい 3袋セット', 3240, 8, {
    weight: 2,
    unitsPerCartUnit: 3,
  }),
  p('00000930013', '00000930013', null, '手焼きせんべい 1袋', 1080, 8, { weight: 2 }),
  p('00000940100', '00000940100', null, '南部鉄器 急須 0.65L', 8800, 10, { weight: 2 }),
  p('00000940101', 'KYUSU-TKN', 'COLOR-RED', '常滑焼 急須 朱泥', 5500, 10, { weight: 2 }),
  p('00000940102', '00000940102', null, '有田焼 湯呑み ペア', 4400, 10, { weight: 3 }),
  p('00000940103', '00000940103', null, '名入れ 桐箱入り 夫婦箸', 3300, 10, { weight: 2, needsCheck: true }),
  p('00000940104', '00000940104', null, '竹製 茶さじ', 550, 10, { weight: 3 }),
  p('00000950001', '00000950001', null, 'ギフトボックス（のし対応）', 330, 10, { weight: 2 }),
  // Sold on the carts but not (yet) in the master: orders with it wait in マスタなし商品.
  p('', 'NEW-2026-AKI', null, '【新商品】秋限定 和紅茶 50g', 1480, 8, { weight: 1, inMaster: false }),
];

function p(
  masterCode: string,
  cartCode: string,
  cartOptionCode: string | null,
  name: string,
  price: number,
  taxRate: 8 | 10,
  extra: Partial<CatalogProduct> = {},
): CatalogProduct {
  return {
    masterCode,
    cartCode,
    cartOptionCode,
    name,
    price,
    taxRate,
    needsCheck: false,
    inMaster: true,
    unitsPerCartUnit: 1,
    weight: 1,
    ...extra,
  };
}

export const DEMO_WAREHOUSES = [
  { code: 'tokyo', name: '東京倉庫（江東区）', priority: 1 },
  { code: 'osaka', name: '大阪倉庫（東大阪市）', priority: 2 },
] as const;

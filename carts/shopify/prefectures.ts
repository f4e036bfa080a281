// Shopify stores a Japanese address's prefecture as an English `province` ("Tokyo") with an ISO 3166-2
// `province_code` ("JP-13") [I: Shopify's country/province data; not confirmed from an order payload].
// juchu shows prefectures in Japanese, so normalize maps the code back; the simulator renders the pair.

/** Index = JIS prefecture code − 1: [Japanese name, Shopify's English province name]. */
const PREFECTURES: ReadonlyArray<readonly [string, string]> = [
  ['北海道', 'Hokkaidō'],
  ['青森県', 'Aomori'],
  ['岩手県', 'Iwate'],
  ['宮城県', 'Miyagi'],
  ['秋田県', 'Akita'],
  ['山形県', 'Yamagata'],
  ['福島県', 'Fukushima'],
  ['茨城県', 'Ibaraki'],
  ['栃木県', 'Tochigi'],
  ['群馬県', 'Gunma'],
  ['埼玉県', 'Saitama'],
  ['千葉県', 'Chiba'],
  ['東京都', 'Tokyo'],
  ['神奈川県', 'Kanagawa'],
  ['新潟県', 'Niigata'],
  ['富山県', 'Toyama'],
  ['石川県', 'Ishikawa'],
  ['福井県', 'Fukui'],
  ['山梨県', 'Yamanashi'],
  ['長野県', 'Nagano'],
  ['岐阜県', 'Gifu'],
  ['静岡県', 'Shizuoka'],
  ['愛知県', 'Aichi'],
  ['三重県', 'Mie'],
  ['滋賀県', 'Shiga'],
  ['京都府', 'Kyōto'],
  ['大阪府', 'Ōsaka'],
  ['兵庫県', 'Hyōgo'],
  ['奈良県', 'Nara'],
  ['和歌山県', 'Wakayama'],
  ['鳥取県', 'Tottori'],
  ['島根県', 'Shimane'],
  ['岡山県', 'Okayama'],
  ['広島県', 'Hiroshima'],
  ['山口県', 'Yamaguchi'],
  ['徳島県', 'Tokushima'],
  ['香川県', 'Kagawa'],
  ['愛媛県', 'Ehime'],
  ['高知県', 'Kōchi'],
  ['福岡県', 'Fukuoka'],
  ['佐賀県', 'Saga'],
  ['長崎県', 'Nagasaki'],
  ['熊本県', 'Kumamoto'],
  ['大分県', 'Ōita'],
  ['宮崎県', 'Miyazaki'],
  ['鹿児島県', 'Kagoshima'],
  ['沖縄県', 'Okinawa'],
];

/** `JP-13` → `東京都`; null for anything else. */
export function prefectureFromCode(provinceCode: string | null | undefined): string | null {
  const m = /^JP-(\d{2})$/.exec(provinceCode?.trim() ?? '');
  if (!m) return null;
  return PREFECTURES[Number(m[1]) - 1]?.[0] ?? null;
}

/** `東京都` → `{ province: 'Tokyo', code: 'JP-13' }` (simulator). */
export function shopifyProvince(prefecture: string): { province: string; code: string } {
  const i = PREFECTURES.findIndex(([ja]) => ja === prefecture);
  if (i < 0) throw new Error(`unknown prefecture: ${prefecture}`);
  return { province: PREFECTURES[i]![1], code: `JP-${String(i + 1).padStart(2, '0')}` };
}

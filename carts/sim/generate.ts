// Realistic Japanese orders from a seed, in a cart-neutral shape. Each simulator renders these into
// its own cart's payload; the same seed gives the same orders on every run and machine.
import { CATALOG, type CatalogProduct } from './catalog.js';

/** mulberry32: tiny, fast, good enough for test data; deterministic across platforms. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    weighted: <T extends { weight: number }>(items: readonly T[]): T => {
      const total = items.reduce((s, i) => s + i.weight, 0);
      let r = next() * total;
      for (const i of items) {
        r -= i.weight;
        if (r < 0) return i;
      }
      return items[items.length - 1]!;
    },
  };
}
export type Rng = ReturnType<typeof createRng>;

const FAMILY: ReadonlyArray<[string, string, string]> = [
  ['佐藤', 'サトウ', 'sato'],
  ['鈴木', 'スズキ', 'suzuki'],
  ['高橋', 'タカハシ', 'takahashi'],
  ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'],
  ['渡辺', 'ワタナベ', 'watanabe'],
  ['山本', 'ヤマモト', 'yamamoto'],
  ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'],
  ['加藤', 'カトウ', 'kato'],
  ['吉田', 'ヨシダ', 'yoshida'],
  ['山田', 'ヤマダ', 'yamada'],
  ['松本', 'マツモト', 'matsumoto'],
  ['井上', 'イノウエ', 'inoue'],
  ['木村', 'キムラ', 'kimura'],
  ['斎藤', 'サイトウ', 'saito'],
  ['清水', 'シミズ', 'shimizu'],
  ['長谷川', 'ハセガワ', 'hasegawa'],
];
const GIVEN: ReadonlyArray<[string, string, string]> = [
  ['翔太', 'ショウタ', 'shota'],
  ['陽菜', 'ヒナ', 'hina'],
  ['大輔', 'ダイスケ', 'daisuke'],
  ['美咲', 'ミサキ', 'misaki'],
  ['健一', 'ケンイチ', 'kenichi'],
  ['由美子', 'ユミコ', 'yumiko'],
  ['拓也', 'タクヤ', 'takuya'],
  ['さくら', 'サクラ', 'sakura'],
  ['誠', 'マコト', 'makoto'],
  ['恵子', 'ケイコ', 'keiko'],
  ['蓮', 'レン', 'ren'],
  ['結衣', 'ユイ', 'yui'],
  ['浩二', 'コウジ', 'koji'],
  ['千尋', 'チヒロ', 'chihiro'],
];
/** Prefecture, a city in it, a street, and a real-looking postal code prefix for that city. */
const PLACES: ReadonlyArray<[string, string, string, string]> = [
  ['東京都', '千代田区', '丸の内1-9-1', '100-0005'],
  ['東京都', '世田谷区', '三軒茶屋2-11-22', '154-0024'],
  ['東京都', '江東区', '豊洲3-2-20', '135-0061'],
  ['神奈川県', '横浜市西区', 'みなとみらい2-2-1', '220-0012'],
  ['大阪府', '大阪市北区', '梅田3-1-3', '530-0001'],
  ['大阪府', '堺市堺区', '南瓦町3-1', '590-0078'],
  ['京都府', '京都市下京区', '烏丸通塩小路下ル東塩小路町721-1', '600-8216'],
  ['北海道', '札幌市中央区', '北1条西2丁目', '060-0001'],
  ['愛知県', '名古屋市中村区', '名駅1-1-4', '450-0002'],
  ['福岡県', '福岡市博多区', '博多駅中央街1-1', '812-0012'],
  ['宮城県', '仙台市青葉区', '中央1-1-1', '980-0021'],
  ['広島県', '広島市中区', '基町6-78', '730-0011'],
  ['静岡県', '静岡市葵区', '追手町9-6', '420-0853'],
  ['沖縄県', '那覇市', '泉崎1-2-2', '900-0021'],
  ['埼玉県', 'さいたま市浦和区', '高砂3-15-1', '330-0063'],
  ['兵庫県', '神戸市中央区', '加納町6-5-1', '650-0001'],
];
const BUILDINGS = ['', '', '', 'グランドメゾン201', 'サンハイツ305号', 'コーポ青葉102', 'パークタワー1203'];
const REMARKS = [
  '不在の場合は宅配ボックスへお願いします。',
  'ギフト包装をお願いします。のしは「御祝」でお願いします。',
  '領収書を同封してください。宛名は「株式会社サンプル」でお願いします。',
  '午前中指定ですが、難しければ夕方でも構いません。',
  '前回と同じ住所ですが、部屋番号が変わりました。',
  '配送前に電話をください。',
];
export const TIME_SLOTS = ['午前中', '14-16', '16-18', '18-20', '19-21'] as const;

export type PaymentKind = 'card' | 'bank' | 'cvs' | 'payeasy' | 'cod' | 'postpay';
const PAYMENTS: ReadonlyArray<{ kind: PaymentKind; weight: number }> = [
  { kind: 'card', weight: 60 },
  { kind: 'bank', weight: 10 },
  { kind: 'cvs', weight: 10 },
  { kind: 'payeasy', weight: 3 },
  { kind: 'cod', weight: 10 },
  { kind: 'postpay', weight: 7 },
];
export const CARD_BRANDS = ['VISA', 'MasterCard', 'JCB', 'AMEX', 'Diners'] as const;

export interface SimParty {
  familyName: string;
  firstName: string;
  familyKana: string;
  firstKana: string;
  email: string;
  phone: string;
  postalCode: string;
  prefecture: string;
  city: string;
  street: string;
  building: string;
}

export interface SimLine {
  product: CatalogProduct;
  quantity: number;
  /** 1-based package; a Rakuten order may ship parts to different people. */
  packageNo: number;
}

export type SimEventKind = 'paid' | 'edit' | 'cancel' | 'ship' | 'status';

/**
 * A shipment the shop reported to the cart through a write endpoint, as the cart keeps it. A later
 * report with the same `key` replaces it (Amazon's packageReferenceId edits its package; a Yahoo!
 * order has one shipment, key `1`).
 */
export interface SimShipment {
  key: string;
  /** The carrier as the request named it: the cart's code (`1001`, `YamatoTransport`) or name. */
  carrier: string;
  carrierName: string | null;
  trackingNumber: string;
  /** `YYYY-MM-DD` (Japan time). */
  shippedOn: string;
  /** Line index in `SimOrder.lines` → quantity in this package; null: every line, in full. */
  lines: Array<{ line: number; quantity: number }> | null;
}

export interface SimEvent {
  at: Date;
  kind: SimEventKind;
  /**
   * With `ship`: the packages one write reported (absent for a shipment the cart made itself, e.g.
   * `/__sim/…/ship`). One event, so that they show together (events are a second apart).
   */
  shipments?: SimShipment[];
  /** With `status`: the cart's own status set by a write (Yahoo! 保留 `3`, 完了 `5`, …). */
  cartStatus?: string;
  /** With `cancel`: the cart's reason code, when a write gave one. */
  reason?: string;
}

export interface SimOrder {
  /** Sequence within the simulated shop, from 1. */
  seq: number;
  orderedAt: Date;
  orderer: SimParty;
  /** One ship-to per package; `[0]` is the orderer themself unless it is a gift. */
  shipTos: SimParty[];
  gift: boolean;
  lines: SimLine[];
  remarks: string | null;
  payment: PaymentKind;
  cardBrand: string | null;
  requestedDate: string | null;
  timeSlot: string | null;
  shippingFee: number;
  /** 代引手数料 / 決済手数料. */
  paymentFee: number;
  pointsUsed: number;
  couponDiscount: number;
  currency: 'JPY' | 'USD';
  /** What happens to the order later: payment, edits, cancellation, shipping. */
  events: SimEvent[];
}

/** The order as the cart shows it at a given moment. */
export interface SimOrderView extends SimOrder {
  state: 'new' | 'paid' | 'shipped' | 'cancelled';
  updatedAt: Date;
  paidAt: Date | null;
  /** How many edits have happened; simulators reflect them in the payload (address fixed, qty +1). */
  edits: number;
  /** Shipments reported through write endpoints, by key, last report winning. */
  shipments: SimShipment[];
  /** The cart status a `status` write set last (null: the simulator derives it from `state`). */
  cartStatus: string | null;
  /** The reason code of the cancel that cancelled the order, when a write gave one. */
  cancelReason: string | null;
}

const MIN = 60_000;
const DAY = 86_400_000;

function jstYmd(d: Date): string {
  return new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

export function randomParty(rng: Rng): SimParty {
  const [fam, famKana, famRoman] = rng.pick(FAMILY);
  const [giv, givKana, givRoman] = rng.pick(GIVEN);
  const [prefecture, city, street, postal] = rng.pick(PLACES);
  const mobile = rng.chance(0.7);
  const phone = mobile
    ? `0${rng.pick(['70', '80', '90'])}-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`
    : `0${rng.int(3, 99)}-${rng.int(100, 9999)}-${rng.int(1000, 9999)}`;
  return {
    familyName: fam,
    firstName: giv,
    familyKana: famKana,
    firstKana: givKana,
    email: `${givRoman}.${famRoman}${rng.int(1, 999)}@example.jp`,
    phone,
    postalCode: postal,
    prefecture,
    city,
    street,
    building: rng.pick(BUILDINGS),
  };
}

export interface GenerateOptions {
  seed: number;
  count: number;
  from: Date;
  to: Date;
  /** First sequence number (to add orders to an existing book). */
  firstSeq?: number;
  /** Share of orders in US dollars (Shopify stores selling abroad). Default 0. */
  foreignShare?: number;
  /** Share of orders split into two packages (Rakuten). Default 0. */
  multiPackageShare?: number;
}

export function generateOrders(opts: GenerateOptions): SimOrder[] {
  const rng = createRng(opts.seed);
  const span = Math.max(1, opts.to.getTime() - opts.from.getTime());
  const times = Array.from(
    { length: opts.count },
    () => opts.from.getTime() + Math.floor(rng.next() * span),
  ).sort((a, b) => a - b);
  const first = opts.firstSeq ?? 1;
  return times.map((t, i) => generateOrder(rng, first + i, new Date(t), opts));
}

export function generateOrder(
  rng: Rng,
  seq: number,
  orderedAt: Date,
  opts: Pick<GenerateOptions, 'foreignShare' | 'multiPackageShare'> = {},
): SimOrder {
  const orderer = randomParty(rng);
  const gift = rng.chance(0.15);
  const shipTos = [gift ? randomParty(rng) : orderer];
  const lineCount = rng.chance(0.6) ? 1 : rng.int(2, 4);
  const lines: SimLine[] = [];
  const used = new Set<string>();
  for (let i = 0; i < lineCount; i++) {
    const product = rng.weighted(CATALOG);
    if (used.has(product.cartCode)) continue;
    used.add(product.cartCode);
    lines.push({ product, quantity: rng.chance(0.75) ? 1 : rng.int(2, 4), packageNo: 1 });
  }
  if (lines.length > 1 && rng.chance(opts.multiPackageShare ?? 0)) {
    shipTos.push(randomParty(rng));
    lines[lines.length - 1]!.packageNo = 2;
  }
  const payment = rng.weighted(PAYMENTS).kind;
  const goods = lines.reduce((s, l) => s + l.product.price * l.quantity, 0);
  const requestedDate = rng.chance(0.25)
    ? jstYmd(new Date(orderedAt.getTime() + rng.int(2, 14) * DAY))
    : null;
  const events: SimEvent[] = [];
  const later = (minMinutes: number, maxMinutes: number) =>
    new Date(orderedAt.getTime() + rng.int(minMinutes, maxMinutes) * MIN);
  if (payment === 'bank' || payment === 'cvs' || payment === 'payeasy') {
    if (rng.chance(0.7)) events.push({ at: later(30, 2 * 24 * 60), kind: 'paid' });
  } else if (payment === 'card') {
    events.push({ at: new Date(orderedAt.getTime() + MIN), kind: 'paid' });
  }
  if (rng.chance(0.06)) events.push({ at: later(20, 24 * 60), kind: 'edit' });
  if (rng.chance(0.04)) events.push({ at: later(60, 3 * 24 * 60), kind: 'cancel' });
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    seq,
    orderedAt,
    orderer,
    shipTos,
    gift,
    lines,
    remarks: rng.chance(0.12) ? rng.pick(REMARKS) : null,
    payment,
    cardBrand: payment === 'card' ? rng.pick(CARD_BRANDS) : null,
    requestedDate,
    timeSlot: requestedDate || rng.chance(0.2) ? rng.pick(TIME_SLOTS) : null,
    shippingFee: goods >= 5000 ? 0 : 660,
    paymentFee: payment === 'cod' ? 330 : 0,
    pointsUsed: rng.chance(0.1) ? rng.int(1, 5) * 100 : 0,
    couponDiscount: rng.chance(0.05) ? 300 : 0,
    currency: rng.chance(opts.foreignShare ?? 0) ? 'USD' : 'JPY',
    events,
  };
}

/** The order as the cart shows it at `now`: later payments, edits, cancels and shipments applied. */
export function viewAt(order: SimOrder, now: Date): SimOrderView {
  let state: SimOrderView['state'] = 'new';
  let updatedAt = order.orderedAt;
  let paidAt: Date | null = null;
  let edits = 0;
  let cartStatus: string | null = null;
  let cancelReason: string | null = null;
  const shipments = new Map<string, SimShipment>();
  for (const e of order.events) {
    if (e.at.getTime() > now.getTime()) break;
    updatedAt = e.at;
    if (e.kind === 'paid' && state === 'new') {
      state = 'paid';
      paidAt = e.at;
    } else if (e.kind === 'cancel' && state !== 'shipped') {
      state = 'cancelled';
      cancelReason = e.reason ?? null;
    } else if (e.kind === 'ship' && state !== 'cancelled') {
      for (const x of e.shipments ?? []) shipments.set(x.key, x);
      // A reported shipment of some of the goods leaves the order open (partly shipped).
      if (!e.shipments || fullyShipped(order, edits, [...shipments.values()])) state = 'shipped';
    } else if (e.kind === 'edit') edits++;
    else if (e.kind === 'status') {
      cartStatus = e.cartStatus ?? null;
      if (e.reason) cancelReason = e.reason;
    }
  }
  return {
    ...order,
    state,
    updatedAt,
    paidAt,
    edits,
    shipments: [...shipments.values()],
    cartStatus,
    cancelReason,
  };
}

/** Whether the reported shipments hold every unit of every line (edits applied). */
function fullyShipped(order: SimOrder, edits: number, shipments: readonly SimShipment[]): boolean {
  return order.lines.every((l, i) => {
    const ordered = i === 0 ? l.quantity + edits : l.quantity;
    const sent = shipments.reduce(
      (sum, s) => sum + (s.lines === null ? ordered : (s.lines.find((x) => x.line === i)?.quantity ?? 0)),
      0,
    );
    return sent >= ordered;
  });
}

/** Units of line `i` in the reported shipments (a null `lines` ships every unit). */
export function shippedQuantity(view: SimOrderView, lineIndex: number): number {
  const ordered = editedQuantity(view, lineIndex);
  const sent = view.shipments.reduce(
    (sum, s) =>
      sum + (s.lines === null ? ordered : (s.lines.find((x) => x.line === lineIndex)?.quantity ?? 0)),
    0,
  );
  return view.state === 'shipped' && view.shipments.length === 0 ? ordered : Math.min(ordered, sent);
}

/** Line quantity after edits: each edit adds one to the first line (a customer asking for one more). */
export function editedQuantity(view: SimOrderView, lineIndex: number): number {
  const line = view.lines[lineIndex]!;
  return lineIndex === 0 ? line.quantity + view.edits : line.quantity;
}

/** Goods total (tax included, yen) as the cart computes it, edits applied. */
export function goodsTotal(view: SimOrderView): number {
  return view.lines.reduce((s, l, i) => s + l.product.price * editedQuantity(view, i), 0);
}

/** Price in USD cents for the rare dollar orders (a fixed, round rate: 1 USD = 150 JPY). */
export function usdCents(yen: number): number {
  return Math.round((yen / 150) * 100);
}

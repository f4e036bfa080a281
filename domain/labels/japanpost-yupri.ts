// 日本郵便 ゆうパックプリントR (ゆうプリR): 発送予定データ (117 columns: header items, then one item
// line), CSV, Shift_JIS, read through the import filter ゆうプリR keeps for this layout. Codes the
// public sources do not settle (配達時間帯区分 beyond 00/52, 送り状種別) come from the store's settings
// with defaults; domain/labels/README.md says which.
import { SIZE_CLASSES } from '../carrier-rules.js';
import { readTimeSlot, TIME_SLOT_LABELS, TIME_SLOTS, type TimeSlot } from '../time-slot.js';
import {
  fitText,
  fullAddress,
  itemSummary,
  type LabelBatch,
  type LabelFile,
  type LabelWarning,
  managementKey,
  phone,
  postal,
  rowOf,
  spread,
  ymd,
} from './common.js';

export const YUPRI_LAYOUT = 'ゆうパックプリントR 発送予定データ 117項目';

export const YUPRI_COLUMNS: readonly string[] = [
  'お客様側管理番号',
  '発送予定日',
  '発送予定時間区分',
  '出荷期限日',
  '到着期限日',
  '郵便種別',
  '保冷種別',
  '元／着払／代引',
  '書留／セキュリティ／特定記録種別',
  '配達時間帯指定郵便種別',
  '送り状種別',
  'お届け先 コード',
  'お届け先 郵便番号',
  'お届け先 住所１',
  'お届け先 住所２',
  'お届け先 住所３',
  'お届け先 名称１',
  'お届け先 名称２',
  'お届け先 敬称区分',
  'お届け先 電話番号',
  'お届け先 メールアドレス１',
  'お届け先 局留め区分',
  'お届け先 局留め郵便局名',
  'お届け先 局留めメール使用区分',
  'お届け先 局留め郵便番号',
  'お届け先 配達予告メール使用区分',
  'お届け先 再配達予告メール使用区分',
  'ご依頼主 コード',
  'ご依頼主 集荷先と同一区分',
  'ご依頼主 郵便番号',
  'ご依頼主 住所１',
  'ご依頼主 住所２',
  'ご依頼主 住所３',
  'ご依頼主 名称１',
  'ご依頼主 名称２',
  'ご依頼主 敬称',
  'ご依頼主 電話番号',
  'ご依頼主 メールアドレス１',
  'ご依頼主 荷送人指図区分',
  'ご依頼主 お届け通知メール使用区分',
  'ご依頼主 お届け通知はがき使用区分',
  '集荷先 コード',
  '集荷先 連携可否区分',
  '集荷先 会社コード',
  '集荷先 依頼先店所コード',
  '集荷先 郵便番号',
  '集荷先 住所１',
  '集荷先 住所２',
  '集荷先 住所３',
  '集荷先 名称１',
  '集荷先 名称２',
  '集荷先 敬称',
  '集荷先 電話番号',
  '受注番号',
  'こわれもの区分',
  'なまもの区分',
  'ビン類区分',
  '逆さま厳禁区分',
  '下積み厳禁区分',
  '商品サイズ区分',
  '重量合計（ｇ）',
  '25kg超重量物区分',
  '損害要償額',
  '速達・配達日指定種別',
  '配達指定日／希望日',
  '配達時間帯区分',
  '差出方法区分',
  'ゆうパック複数個割引',
  'ゆうパック同一割引',
  'セット商品コード',
  'セット品名ラベル印字区分',
  '複数個口数',
  '記事名１',
  '記事名２',
  'フリー項目０１',
  'フリー項目０２',
  'フリー項目０３',
  'フリー項目０４',
  'フリー項目０５',
  'フリー項目０６',
  'フリー項目０７',
  'フリー項目０８',
  'フリー項目０９',
  'フリー項目１０',
  '空港利用区分',
  '空港・局／支店名',
  '航空会社名',
  '利用便名',
  'レジャー区分',
  'プレー・搭乗日',
  'プレー・搭乗時間',
  'クラブ本数',
  '復路集貨日',
  '出荷先登録名',
  '集荷希望区分',
  '集荷日付',
  '集荷時間帯区分',
  '支店連携先選択用名称',
  '代引金額',
  '代引消費税金額',
  '送り状発行年月日',
  '商品番号',
  '品名',
  '個数',
  '重量（ｇ）',
  '単価',
  '金額',
  '商品備考０１',
  '商品備考０２',
  '商品備考０３',
  '商品備考０４',
  '商品備考０５',
  '商品備考０６',
  '商品備考０７',
  '商品備考０８',
  '商品備考０９',
  '商品備考１０',
];

/**
 * 配達時間帯区分 defaults: 00 (指定なし) and 52 (12–14) are in a public integrator's description; the
 * rest follow its numbering and are the store's to correct (codes `japanpostTime.<slot>`).
 */
export const YUPRI_TIME_CODES: Readonly<Partial<Record<TimeSlot, string>>> = {
  am: '51',
  '12-14': '52',
  '14-16': '53',
  '16-18': '54',
  '18-20': '55',
  '20-21': '56',
  '19-21': '57',
};

/** 郵便種別 per method. */
const KIND: Readonly<Record<string, string>> = { yupack: '0', yupacket: '9' };
/** 送り状種別 default for 元払 ゆうパック (two integrators' files); 代引 and ゆうパケット have none. */
export const YUPRI_DEFAULT_SLIP = '1100780';

const FIELD = 50; // bytes: 住所・名称 fields

export function buildYupri(batch: LabelBatch): LabelFile {
  const rows: string[][] = [];
  const warnings: LabelWarning[] = [];
  const refused: LabelWarning[] = [];
  const { sender, codes } = batch;
  const timeCode = (slot: TimeSlot) => codes[`japanpostTime.${slot}`] ?? YUPRI_TIME_CODES[slot] ?? '';
  for (const p of batch.packages) {
    const warn = (message: string) => warnings.push({ orderNo: p.orderNo, message });
    const method = p.method ?? 'yupack';
    const kind = KIND[method];
    if (kind === undefined) {
      refused.push({ orderNo: p.orderNo, message: `ゆうプリRにない配送方法です（${p.method}）` });
      continue;
    }
    const cod = p.codAmount !== null;
    if (cod && method === 'yupacket') {
      refused.push({
        orderNo: p.orderNo,
        message: 'ゆうパケットは代引にできません。配送方法を変えてください',
      });
      continue;
    }
    const slipKey = `japanpostSlip.${method}${cod ? 'Cod' : ''}`;
    const slip = codes[slipKey] ?? (method === 'yupack' && !cod ? YUPRI_DEFAULT_SLIP : '');
    if (!slip)
      warn(`送り状種別（${slipKey}）が配送設定にないため空欄です。ゆうプリRの送り状種別を登録してください`);
    let time = '00';
    const reading = readTimeSlot(p.timeSlot);
    if (reading.kind === 'slot') {
      time = timeCode(reading.slot) || '00';
      if (time === '00')
        warn(`時間帯「${TIME_SLOT_LABELS[reading.slot]}」は日本郵便で指定できないため、指定なしにしました`);
    } else if (reading.kind === 'unknown')
      warn(`時間帯「${reading.text}」を読めないため、指定なしにしました`);
    if (method === 'yupacket' && (p.requestedDate || time !== '00')) {
      warn('ゆうパケットはお届け日時を指定できないため、日時指定を外しました');
      time = '00';
    }
    const dated = method === 'yupack' && p.requestedDate;
    const to = spread(fullAddress(p.shipTo), FIELD, 2, warn, 'お届け先住所');
    const from = spread(fullAddress(sender), FIELD, 2, warn, 'ご依頼主住所');
    const size =
      method === 'yupack' && p.sizeClass && p.sizeClass !== 'mail' && SIZE_CLASSES.includes(p.sizeClass)
        ? p.sizeClass
        : '';
    rows.push(
      rowOf(YUPRI_COLUMNS, {
        お客様側管理番号: managementKey(p.orderNo, p.packageNo),
        発送予定日: ymd(batch.shipDate),
        郵便種別: kind,
        保冷種別: '0',
        '元／着払／代引': cod ? '2' : '0',
        送り状種別: slip,
        'お届け先 郵便番号': postal(p.shipTo.postalCode),
        'お届け先 住所１': to[0]!,
        'お届け先 住所２': to[1]!,
        'お届け先 住所３': fitText(p.shipTo.address2, FIELD, warn, 'お届け先の建物名'),
        'お届け先 名称１': fitText(p.shipTo.name, FIELD, warn, 'お届け先名'),
        'お届け先 敬称区分': '0',
        'お届け先 電話番号': phone(p.shipTo.phone),
        'ご依頼主 郵便番号': postal(sender.postalCode),
        'ご依頼主 住所１': from[0]!,
        'ご依頼主 住所２': from[1]!,
        'ご依頼主 住所３': fitText(sender.address2, FIELD, warn, 'ご依頼主の建物名'),
        'ご依頼主 名称１': fitText(sender.name, FIELD, warn, 'ご依頼主名'),
        'ご依頼主 電話番号': phone(sender.phone),
        受注番号: p.cartOrderNo,
        商品サイズ区分: size,
        '配達指定日／希望日': dated ? ymd(p.requestedDate!) : '',
        配達時間帯区分: time,
        複数個口数: String(p.parcels),
        記事名１: fitText(itemSummary(p.items), FIELD, warn, '品名'),
        代引金額: cod ? String(p.codAmount) : '',
        代引消費税金額: cod ? String(p.codTax ?? 0) : '',
        品名: fitText(itemSummary(p.items), FIELD, () => undefined, '品名'),
        個数: String(p.items.reduce((n, i) => n + i.quantity, 0) || ''),
      }),
    );
  }
  return { header: YUPRI_COLUMNS, rows, warnings, refused };
}

/** The store code keys a store may set for ゆうプリR (shown on the settings screen). */
export const YUPRI_CODE_KEYS = [
  ...['yupack', 'yupackCod', 'yupacket'].map((m) => `japanpostSlip.${m}`),
  ...TIME_SLOTS.map((s) => `japanpostTime.${s}`),
];

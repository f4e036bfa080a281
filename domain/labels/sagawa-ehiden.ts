// 佐川急便 e飛伝: e飛伝Ⅲ's 出荷データ (共通テンプレート「標準_飛脚宅急便_CSV_ヘッダ有り」, 74 columns)
// and e飛伝Ⅱ's 標準パターン (42 columns), CSV, Shift_JIS. Both carry the same facts; Ⅲ is the default
// (e飛伝Ⅱ is the older software). Facts and their sources are in domain/labels/README.md.
import { readTimeSlot, TIME_SLOT_LABELS, type TimeSlot } from '../time-slot.js';
import {
  fitText,
  fullAddress,
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

export const EHIDEN3_LAYOUT = 'e飛伝Ⅲ 出荷データ（標準_飛脚宅急便_CSV_ヘッダ有り）74項目';
export const EHIDEN2_LAYOUT = 'e飛伝Ⅱ 出荷データ 標準パターン 42項目';

export const EHIDEN3_COLUMNS: readonly string[] = [
  'お届け先コード取得区分',
  'お届け先コード',
  'お届け先電話番号',
  'お届け先郵便番号',
  'お届け先住所１',
  'お届け先住所２',
  'お届け先住所３',
  'お届け先名称１',
  'お届け先名称２',
  'お客様管理番号',
  'お客様コード',
  '部署ご担当者コード取得区分',
  '部署ご担当者コード',
  '部署ご担当者名称',
  '荷送人電話番号',
  'ご依頼主コード取得区分',
  'ご依頼主コード',
  'ご依頼主電話番号',
  'ご依頼主郵便番号',
  'ご依頼主住所１',
  'ご依頼主住所２',
  'ご依頼主名称１',
  'ご依頼主名称２',
  '荷姿',
  '品名１',
  '品名２',
  '品名３',
  '品名４',
  '品名５',
  '荷札荷姿',
  '荷札品名１',
  '荷札品名２',
  '荷札品名３',
  '荷札品名４',
  '荷札品名５',
  '荷札品名６',
  '荷札品名７',
  '荷札品名８',
  '荷札品名９',
  '荷札品名１０',
  '荷札品名１１',
  '出荷個数',
  'スピード指定',
  'クール便指定',
  '配達日',
  '配達指定時間帯',
  '配達指定時間（時分）',
  '代引金額',
  '消費税',
  '決済種別',
  '保険金額',
  '指定シール１',
  '指定シール２',
  '指定シール３',
  '営業所受取',
  'SRC区分',
  '営業所受取営業所コード',
  '元着区分',
  'メールアドレス',
  'ご不在時連絡先',
  '出荷日',
  'お問い合せ送り状No.',
  '出荷場印字区分',
  '集約解除指定',
  '編集０１',
  '編集０２',
  '編集０３',
  '編集０４',
  '編集０５',
  '編集０６',
  '編集０７',
  '編集０８',
  '編集０９',
  '編集１０',
];

export const EHIDEN2_COLUMNS: readonly string[] = [
  '住所録コード',
  'お届け先電話番号',
  'お届け先郵便番号',
  'お届け先住所１',
  'お届け先住所２',
  'お届け先住所３',
  'お届け先名称１',
  'お届け先名称２',
  'お客様管理ナンバー',
  'お客様コード',
  '部署・担当者',
  '荷送人電話番号',
  'ご依頼主電話番号',
  'ご依頼主郵便番号',
  'ご依頼主住所１',
  'ご依頼主住所２',
  'ご依頼主名称１',
  'ご依頼主名称２',
  '荷姿コード',
  '品名１',
  '品名２',
  '品名３',
  '品名４',
  '品名５',
  '出荷個数',
  '便種（スピードで選択）',
  '便種（商品）',
  '配達日',
  '配達指定時間帯',
  '配達指定時間（時分）',
  '代引金額',
  '消費税',
  '決済種別',
  '保険金額',
  '保険金額印字',
  '指定シール１',
  '指定シール２',
  '指定シール３',
  '営業店止め',
  'ＳＲＣ区分',
  '営業店コード',
  '元着区分',
];

/** 配達指定時間帯: the 6-slot codes (18 and 19 are the 6時間帯 option; 04 is 18–21 of the 5 slots). */
export const EHIDEN_TIME_CODES: Readonly<Partial<Record<TimeSlot, string>>> = {
  am: '01',
  '12-14': '12',
  '14-16': '14',
  '16-18': '16',
  '18-20': '18',
  '19-21': '19',
  '18-21': '04',
};

/** 指定シール per slot: e飛伝Ⅲ's time seals; e飛伝Ⅱ's 016 (午前中), 007 (5 slots), 019 (6 slots). */
const SEAL3: Readonly<Partial<Record<TimeSlot, string>>> = {
  am: '020',
  '12-14': '022',
  '14-16': '023',
  '16-18': '024',
  '18-20': '025',
  '19-21': '026',
  '18-21': '021',
};
const SEAL2: Readonly<Partial<Record<TimeSlot, string>>> = {
  am: '016',
  '12-14': '007',
  '14-16': '007',
  '16-18': '007',
  '18-21': '007',
  '18-20': '019',
  '19-21': '019',
};
const DATE_SEAL = '005';
/** 決済種別 → its eコレクト seal: 1 全て可 → 010, 2 現金のみ → 008, 5 デビット・クレジット → 009. */
const ECOLLECT: Readonly<Record<string, string>> = { '1': '010', '2': '008', '5': '009' };

const FIELD = 32; // 全角16文字

export function buildEhiden(batch: LabelBatch, version: 2 | 3 = 3): LabelFile {
  const rows: string[][] = [];
  const warnings: LabelWarning[] = [];
  const refused: LabelWarning[] = [];
  const { sender, codes } = batch;
  const payment = ECOLLECT[codes.sagawaCodPayment ?? ''] ? codes.sagawaCodPayment! : '1';
  for (const p of batch.packages) {
    const warn = (message: string) => warnings.push({ orderNo: p.orderNo, message });
    if (p.method && p.method !== 'hikyaku') {
      refused.push({ orderNo: p.orderNo, message: `e飛伝にない配送方法です（${p.method}）` });
      continue;
    }
    let time = '';
    let slot: TimeSlot | null = null;
    const reading = readTimeSlot(p.timeSlot);
    if (reading.kind === 'slot') {
      slot = reading.slot === '20-21' ? '19-21' : reading.slot;
      time = EHIDEN_TIME_CODES[slot] ?? '';
      if (reading.slot === '20-21') warn('20時〜21時は佐川にないため 19時〜21時にしました');
      else if (!time)
        warn(`時間帯「${TIME_SLOT_LABELS[reading.slot]}」は佐川で指定できないため、指定なしにしました`);
    } else if (reading.kind === 'unknown')
      warn(`時間帯「${reading.text}」を読めないため、指定なしにしました`);
    const seals: string[] = [];
    if (time && slot) seals.push((version === 3 ? SEAL3 : SEAL2)[slot]!);
    else if (p.requestedDate) seals.push(DATE_SEAL);
    const cod = p.codAmount !== null;
    if (cod) seals.push(ECOLLECT[payment]!);
    const to = spread(fullAddress(p.shipTo) + p.shipTo.address2, FIELD, 3, warn, 'お届け先住所');
    const from = spread(fullAddress(sender) + sender.address2, FIELD, 2, warn, 'ご依頼主住所');
    const items = p.items.slice(0, 5).map((i) => fitText(i.name, FIELD, () => undefined, '品名'));
    if (p.items.length > 5) items[4] = fitText(`${p.items[4]!.name} ほか`, FIELD, () => undefined, '品名');
    const common: Record<string, string> = {
      お届け先電話番号: phone(p.shipTo.phone),
      お届け先郵便番号: postal(p.shipTo.postalCode),
      お届け先住所１: to[0]!,
      お届け先住所２: to[1]!,
      お届け先住所３: to[2]!,
      お届け先名称１: fitText(p.shipTo.name, FIELD, warn, 'お届け先名'),
      お客様コード: codes.sagawaCustomerCode ?? '',
      荷送人電話番号: phone(sender.phone),
      ご依頼主電話番号: phone(sender.phone),
      ご依頼主郵便番号: postal(sender.postalCode),
      ご依頼主住所１: from[0]!,
      ご依頼主住所２: from[1]!,
      ご依頼主名称１: fitText(sender.name, FIELD, warn, 'ご依頼主名'),
      品名１: items[0] ?? '',
      品名２: items[1] ?? '',
      品名３: items[2] ?? '',
      品名４: items[3] ?? '',
      品名５: items[4] ?? '',
      出荷個数: String(p.parcels),
      配達日: p.requestedDate ? ymd(p.requestedDate) : '',
      配達指定時間帯: time,
      代引金額: cod ? String(p.codAmount) : '',
      消費税: cod ? String(p.codTax ?? 0) : '',
      決済種別: cod ? payment : '',
      指定シール１: seals[0] ?? '',
      指定シール２: seals[1] ?? '',
      指定シール３: seals[2] ?? '',
      元着区分: '1',
    };
    const key = managementKey(p.orderNo, p.packageNo);
    rows.push(
      version === 3
        ? rowOf(EHIDEN3_COLUMNS, {
            ...common,
            お客様管理番号: key,
            スピード指定: '000',
            クール便指定: '001',
            出荷日: ymd(batch.shipDate),
          })
        : rowOf(EHIDEN2_COLUMNS, {
            ...common,
            お客様管理ナンバー: key,
            荷姿コード: '001',
            '便種（スピードで選択）': '000',
            '便種（商品）': '001',
          }),
    );
  }
  return { header: version === 3 ? EHIDEN3_COLUMNS : EHIDEN2_COLUMNS, rows, warnings, refused };
}

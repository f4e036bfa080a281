// ヤマト運輸 B2クラウド: 「外部データから発行」の取込データ, the 「B2 送り状発行データレイアウト
// 入出力用」 (95 columns, CSV, Shift_JIS, a title row B2 skips). Column numbers are the layout's "No.";
// facts and their sources are in domain/labels/README.md.
import { readTimeSlot, TIME_SLOT_LABELS, type TimeSlot } from '../time-slot.js';
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
  ymdSlash,
} from './common.js';

export const B2_LAYOUT = 'B2クラウド 送り状発行データレイアウト（入出力用）95項目';

/** Column names in layout order (No. 1 = index 0). B2 reads by position; the names are for people. */
export const B2_COLUMNS: readonly string[] = [
  'お客様管理番号',
  '送り状種別',
  'クール区分',
  '伝票番号',
  '出荷予定日',
  'お届け予定（指定）日',
  '配達時間帯',
  'お届け先コード',
  'お届け先電話番号',
  'お届け先電話番号枝番',
  'お届け先郵便番号',
  'お届け先住所',
  'お届け先住所（アパートマンション名）',
  'お届け先会社・部門名１',
  'お届け先会社・部門名２',
  'お届け先名',
  'お届け先名略称カナ',
  '敬称',
  'ご依頼主コード',
  'ご依頼主電話番号',
  'ご依頼主電話番号枝番',
  'ご依頼主郵便番号',
  'ご依頼主住所',
  'ご依頼主住所（アパートマンション名）',
  'ご依頼主名',
  'ご依頼主略称カナ',
  '品名コード１',
  '品名１',
  '品名コード２',
  '品名２',
  '荷扱い１',
  '荷扱い２',
  '記事',
  'コレクト代金引換額（税込）',
  'コレクト内消費税額等',
  '営業所止置き',
  '営業所コード',
  '発行枚数',
  '個数口枠の印字',
  'ご請求先顧客コード',
  'ご請求先分類コード',
  '運賃管理番号',
  'クロネコwebコレクトデータ登録',
  'クロネコwebコレクト加盟店番号',
  'クロネコwebコレクト申込受付番号１',
  'クロネコwebコレクト申込受付番号２',
  'クロネコwebコレクト申込受付番号３',
  'お届け予定ｅメール利用区分',
  'お届け予定ｅメールe-mailアドレス',
  '入力機種',
  'お届け予定ｅメールメッセージ',
  'お届け完了ｅメール利用区分',
  'お届け完了ｅメールe-mailアドレス',
  'お届け完了ｅメールメッセージ',
  'クロネコ収納代行利用区分',
  '予備',
  '収納代行請求金額（税込）',
  '収納代行内消費税額等',
  '収納代行請求先郵便番号',
  '収納代行請求先住所',
  '収納代行請求先住所（アパートマンション名）',
  '収納代行請求先会社・部門名１',
  '収納代行請求先会社・部門名２',
  '収納代行請求先名（漢字）',
  '収納代行請求先名（カナ）',
  '収納代行問合せ先名（漢字）',
  '収納代行問合せ先郵便番号',
  '収納代行問合せ先住所',
  '収納代行問合せ先住所（アパートマンション名）',
  '収納代行問合せ先電話番号',
  '収納代行管理番号',
  '収納代行品名',
  '収納代行備考',
  '複数口くくりキー',
  '検索キータイトル1',
  '検索キー1',
  '検索キータイトル2',
  '検索キー2',
  '検索キータイトル3',
  '検索キー3',
  '検索キータイトル4',
  '検索キー4',
  '検索キータイトル5',
  '検索キー5',
  '予備',
  '予備',
  '投函予定メール利用区分',
  '投函予定メールe-mailアドレス',
  '投函予定メールメッセージ',
  '投函完了メール（お届け先宛）利用区分',
  '投函完了メール（お届け先宛）e-mailアドレス',
  '投函完了メール（お届け先宛）メールメッセージ',
  '投函完了メール（ご依頼主宛）利用区分',
  '投函完了メール（ご依頼主宛）e-mailアドレス',
  '投函完了メール（ご依頼主宛）メールメッセージ',
];

/** 配達時間帯 codes (No. 7) as Yamato offers the slots today: 12–14 and 20–21 were withdrawn. */
export const B2_TIME_CODES: Readonly<Partial<Record<TimeSlot, string>>> = {
  am: '0812',
  '14-16': '1416',
  '16-18': '1618',
  '18-20': '1820',
  '19-21': '1921',
};

/** 送り状種別 (No. 2) per method; 代引 turns 宅急便 into コレクト (2) and コンパクト into コンパクトコレクト (9). */
const SLIP: Readonly<Record<string, { plain: string; cod: string | null; dated: boolean }>> = {
  takkyubin: { plain: '0', cod: '2', dated: true },
  compact: { plain: '8', cod: '9', dated: true },
  nekopos: { plain: '7', cod: null, dated: false },
};

// Field sizes in Shift_JIS bytes (全角 = 2).
const ADDRESS = 64;
const BUILDING = 32;
const NAME = 32;
const ITEM = 50;
const ARTICLE = 32;

export function buildB2(batch: LabelBatch): LabelFile {
  const rows: string[][] = [];
  const warnings: LabelWarning[] = [];
  const refused: LabelWarning[] = [];
  const { sender, codes } = batch;
  for (const p of batch.packages) {
    const warn = (message: string) => warnings.push({ orderNo: p.orderNo, message });
    const slip = SLIP[p.method ?? 'takkyubin'];
    if (!slip) {
      refused.push({ orderNo: p.orderNo, message: `B2クラウドにない配送方法です（${p.method}）` });
      continue;
    }
    const cod = p.codAmount !== null;
    if (cod && !slip.cod) {
      refused.push({
        orderNo: p.orderNo,
        message: 'ネコポスは代引（コレクト）にできません。配送方法を変えてください',
      });
      continue;
    }
    let date = p.requestedDate ? ymdSlash(p.requestedDate) : '';
    let time = '';
    const reading = readTimeSlot(p.timeSlot);
    if (reading.kind === 'slot') {
      time = B2_TIME_CODES[reading.slot] ?? (reading.slot === '20-21' ? '1921' : '');
      if (reading.slot === '20-21') warn('20時〜21時はヤマトにないため 19時〜21時（1921）にしました');
      else if (!time)
        warn(`時間帯「${TIME_SLOT_LABELS[reading.slot]}」はヤマトで指定できないため、指定なしにしました`);
    } else if (reading.kind === 'unknown')
      warn(`時間帯「${reading.text}」を読めないため、指定なしにしました`);
    if (!slip.dated && (date || time)) {
      warn('ネコポスはお届け日時を指定できないため、日時指定を外しました');
      date = '';
      time = '';
    }
    const address = fullAddress(p.shipTo);
    const v: string[] = Array.from({ length: B2_COLUMNS.length }, () => '');
    const set = (no: number, value: string) => {
      v[no - 1] = value;
    };
    set(1, managementKey(p.orderNo, p.packageNo));
    set(2, cod ? slip.cod! : slip.plain);
    set(3, '0');
    set(5, ymdSlash(batch.shipDate));
    set(6, date);
    set(7, time);
    set(9, phone(p.shipTo.phone));
    set(11, postal(p.shipTo.postalCode));
    set(12, fitText(address, ADDRESS, warn, 'お届け先住所'));
    set(13, fitText(p.shipTo.address2, BUILDING, warn, 'お届け先の建物名'));
    set(16, fitText(p.shipTo.name, NAME, warn, 'お届け先名'));
    set(18, '様');
    set(20, phone(sender.phone));
    set(22, postal(sender.postalCode));
    set(23, fitText(fullAddress(sender), ADDRESS, warn, 'ご依頼主住所'));
    set(24, fitText(sender.address2, BUILDING, warn, 'ご依頼主の建物名'));
    set(25, fitText(sender.name, NAME, warn, 'ご依頼主名'));
    set(28, fitText(itemSummary(p.items), ITEM, warn, '品名'));
    if (p.items.length > 1)
      set(
        30,
        fitText(p.items[1]!.name, ITEM, () => undefined, '品名２'),
      );
    set(
      33,
      fitText(`注文番号 ${p.cartOrderNo}`, ARTICLE, () => undefined, '記事'),
    );
    if (cod) {
      set(34, String(p.codAmount));
      set(35, String(p.codTax ?? 0));
    }
    set(38, String(p.parcels));
    if (p.parcels > 1) set(39, '1');
    set(40, codes.yamatoBillingCustomerCode ?? '');
    set(41, codes.yamatoBillingClassCode ?? '');
    set(42, codes.yamatoFreightNo ?? '');
    rows.push(v);
  }
  return { header: B2_COLUMNS, rows, warnings, refused };
}

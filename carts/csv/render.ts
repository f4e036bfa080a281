// Simulated orders → a Rakuten order CSV as RMS writes it: CP932, CRLF, every field quoted, one row per
// item line with the order and recipient columns repeated. Used by the simulator and the tests.
import iconv from 'iconv-lite';
import { includedTax } from '../../domain/money.js';
import { toJstIso } from '../../domain/time.js';
import { CATALOG } from '../sim/catalog.js';
import { editedQuantity, type PaymentKind, type SimOrderView, type SimParty } from '../sim/generate.js';
import { rakutenTimeCode } from './codes.js';

/** Rakuten RMS order CSV columns in order (carts.md §6, RakutenVO.java positions 0–106). */
export const RAKUTEN_COLUMNS = [
  '注文番号',
  'ステータス',
  'サブステータスID',
  'サブステータス',
  '注文日時',
  '注文日',
  '注文時間',
  'キャンセル期限日',
  '注文確認日時',
  '注文確定日時',
  '発送指示日時',
  '発送完了報告日時',
  '支払方法名',
  'クレジットカード支払い方法',
  'クレジットカード支払い回数',
  '配送方法',
  '配送区分',
  '注文種別',
  '複数送付先フラグ',
  '送付先一致フラグ',
  '離島フラグ',
  '楽天確認中フラグ',
  '警告表示タイプ',
  '楽天会員フラグ',
  '購入履歴修正有無フラグ',
  '商品合計金額',
  '消費税合計',
  '送料合計',
  '代引料合計',
  '請求金額',
  '合計金額',
  'ポイント利用額',
  'クーポン利用総額',
  '店舗発行クーポン利用額',
  '楽天発行クーポン利用額',
  '注文者郵便番号1',
  '注文者郵便番号2',
  '注文者住所都道府県',
  '注文者住所郡市区',
  '注文者住所それ以降の住所',
  '注文者姓',
  '注文者名',
  '注文者姓カナ',
  '注文者名カナ',
  '注文者電話番号1',
  '注文者電話番号2',
  '注文者電話番号3',
  '注文者メールアドレス',
  '注文者性別',
  '申込番号',
  '申込お届け回数',
  '送付先ID',
  '送付先送料',
  '送付先代引料',
  '送付先消費税合計',
  '送付先商品合計金額',
  '送付先合計金額',
  'のし',
  '送付先郵便番号1',
  '送付先郵便番号2',
  '送付先住所都道府県',
  '送付先住所郡市区',
  '送付先住所それ以降の住所',
  '送付先姓',
  '送付先名',
  '送付先姓カナ',
  '送付先名カナ',
  '送付先電話番号1',
  '送付先電話番号2',
  '送付先電話番号3',
  '商品明細ID',
  '商品ID',
  '商品名',
  '商品番号',
  '商品管理番号',
  '単価',
  '個数',
  '送料込別',
  '税込別',
  '代引手数料込別',
  '項目・選択肢',
  'ポイント倍率',
  '納期情報',
  '在庫タイプ',
  'ラッピングタイトル1',
  'ラッピング名1',
  'ラッピング料金1',
  'ラッピング税込別1',
  'ラッピング種類1',
  'ラッピングタイトル2',
  'ラッピング名2',
  'ラッピング料金2',
  'ラッピング税込別2',
  'ラッピング種類2',
  'お届け時間帯',
  'お届け日指定',
  '担当者',
  'ひとことメモ',
  'メール差込文 (お客様へのメッセージ)',
  'ギフト配送希望',
  'コメント',
  '利用端末',
  'メールキャリアコード',
  'あす楽希望フラグ',
  '医薬品受注フラグ',
  '楽天スーパーDEAL商品受注フラグ',
  'メンバーシッププログラム受注タイプ',
] as const;

/** The simulator appends a per-line 税率 (as the API's 0.08 / 0.1) after the documented columns [I]. */
export const RAKUTEN_SIM_COLUMNS: readonly string[] = [...RAKUTEN_COLUMNS, '税率'];

/** 支払方法名 for each simulated payment kind (settlementMethod names, carts.md §1.3). */
export const RAKUTEN_PAYMENT_NAMES: Readonly<Record<PaymentKind, string>> = {
  card: 'クレジットカード',
  bank: '銀行振込',
  cvs: 'セブンイレブン（前払）',
  payeasy: 'ローソン、郵便局ATM等（前払）',
  cod: '代金引換',
  postpay: '後払い決済',
};

const STATUS_OF: Readonly<Record<SimOrderView['state'], string>> = {
  new: '注文確認待ち',
  paid: '発送待ち',
  shipped: '発送済',
  cancelled: 'キャンセル確定',
};

/** Quotes every field (as RMS does), doubling quotes; newlines inside a field stay inside its quotes. */
export function csvText(
  headers: readonly string[],
  rows: ReadonlyArray<Record<string, string>>,
  opts: { delimiter?: string; eol?: string } = {},
): string {
  const d = opts.delimiter ?? ',';
  const eol = opts.eol ?? '\r\n';
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = [headers.map(q).join(d), ...rows.map((r) => headers.map((h) => q(r[h] ?? '')).join(d))];
  return lines.join(eol) + eol;
}

export function encodeCp932(text: string): Buffer {
  return iconv.encode(text, 'cp932');
}

function jstParts(d: Date): { date: string; time: string } {
  const iso = toJstIso(d);
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

function partyColumns(prefix: '注文者' | '送付先', p: SimParty): Record<string, string> {
  const [zip1 = '', zip2 = ''] = p.postalCode.split('-');
  const [tel1 = '', tel2 = '', tel3 = ''] = p.phone.split('-');
  return {
    [`${prefix}郵便番号1`]: zip1,
    [`${prefix}郵便番号2`]: zip2,
    [`${prefix}住所都道府県`]: p.prefecture,
    [`${prefix}住所郡市区`]: p.city,
    [`${prefix}住所それ以降の住所`]: p.building ? `${p.street} ${p.building}` : p.street,
    [`${prefix}姓`]: p.familyName,
    [`${prefix}名`]: p.firstName,
    [`${prefix}姓カナ`]: p.familyKana,
    [`${prefix}名カナ`]: p.firstKana,
    [`${prefix}電話番号1`]: tel1,
    [`${prefix}電話番号2`]: tel2,
    [`${prefix}電話番号3`]: tel3,
  };
}

/** The rows of one order as the Rakuten order CSV shows it at the view's moment. */
export function rakutenRows(view: SimOrderView, cartOrderNo: string): Array<Record<string, string>> {
  const lines = view.lines.map((l, i) => ({ ...l, quantity: editedQuantity(view, i) }));
  const lineTax = (l: (typeof lines)[number]) => includedTax(l.product.price * l.quantity, l.product.taxRate);
  const goods = lines.reduce((s, l) => s + l.product.price * l.quantity, 0);
  const charges = view.shippingFee + view.paymentFee;
  const tax = lines.reduce((s, l) => s + lineTax(l), 0) + includedTax(charges, 10);
  const total = goods + charges;
  const ordered = jstParts(view.orderedAt);
  const order: Record<string, string> = {
    注文番号: cartOrderNo,
    ステータス: STATUS_OF[view.state],
    注文日時: `${ordered.date} ${ordered.time}`,
    注文日: ordered.date,
    注文時間: ordered.time,
    支払方法名: RAKUTEN_PAYMENT_NAMES[view.payment],
    クレジットカード支払い方法: view.payment === 'card' ? '一括払い' : '',
    配送方法: '宅配便',
    注文種別: '通常購入',
    複数送付先フラグ: view.shipTos.length > 1 ? '1' : '0',
    送付先一致フラグ: view.gift ? '0' : '1',
    離島フラグ: '0',
    楽天確認中フラグ: '0',
    警告表示タイプ: '0',
    楽天会員フラグ: '1',
    購入履歴修正有無フラグ: view.edits > 0 ? '1' : '0',
    商品合計金額: String(goods),
    消費税合計: String(tax),
    送料合計: String(view.shippingFee),
    代引料合計: String(view.paymentFee),
    請求金額: String(total - view.pointsUsed - view.couponDiscount),
    合計金額: String(total),
    ポイント利用額: String(view.pointsUsed),
    クーポン利用総額: String(view.couponDiscount),
    店舗発行クーポン利用額: String(view.couponDiscount),
    楽天発行クーポン利用額: '0',
    ...partyColumns('注文者', view.orderer),
    注文者メールアドレス: view.orderer.email,
    お届け時間帯: rakutenTimeCode(view.timeSlot),
    お届け日指定: view.requestedDate ?? '',
    ギフト配送希望: view.gift ? '1' : '0',
    コメント: view.remarks ?? '',
    利用端末: 'スマートフォン',
    あす楽希望フラグ: '0',
    医薬品受注フラグ: '0',
    楽天スーパーDEAL商品受注フラグ: '0',
  };
  return lines.map((l, i) => {
    const pkg = lines.filter((x) => x.packageNo === l.packageNo);
    const pkgGoods = pkg.reduce((s, x) => s + x.product.price * x.quantity, 0);
    // Postage and the COD fee are charged on the first package.
    const pkgCharges = l.packageNo === 1 ? charges : 0;
    const catalogIndex = CATALOG.indexOf(l.product);
    return {
      ...order,
      送付先ID: String(view.seq * 10 + l.packageNo),
      送付先送料: String(l.packageNo === 1 ? view.shippingFee : 0),
      送付先代引料: String(l.packageNo === 1 ? view.paymentFee : 0),
      送付先消費税合計: String(pkg.reduce((s, x) => s + lineTax(x), 0) + includedTax(pkgCharges, 10)),
      送付先商品合計金額: String(pkgGoods),
      送付先合計金額: String(pkgGoods + pkgCharges),
      ...partyColumns('送付先', view.shipTos[l.packageNo - 1]!),
      商品明細ID: String(view.seq * 100 + i + 1),
      商品ID: String(10_000 + catalogIndex),
      商品名: l.product.name,
      商品番号: l.product.cartCode,
      商品管理番号: l.product.cartCode.toLowerCase(),
      単価: String(l.product.price),
      個数: String(l.quantity),
      送料込別: '0',
      税込別: '1',
      代引手数料込別: '0',
      '項目・選択肢': l.product.cartOptionCode ?? '',
      ポイント倍率: '1',
      在庫タイプ: '1',
      税率: l.product.taxRate === 8 ? '0.08' : '0.1',
    };
  });
}

/**
 * A Rakuten order CSV of the given orders, CP932 with CRLF. `corrupt(cartOrderNo)` true makes that
 * order's first line carry a non-numeric 個数 (the simulator's malformed-records fault).
 */
export function renderRakutenCsv(
  views: readonly SimOrderView[],
  cartOrderNoOf: (view: SimOrderView) => string,
  corrupt: (cartOrderNo: string) => boolean = () => false,
): Buffer {
  const rows = views.flatMap((v) => {
    const no = cartOrderNoOf(v);
    const rows = rakutenRows(v, no);
    if (corrupt(no)) rows[0]!.個数 = `${rows[0]!.個数}個`;
    return rows;
  });
  return encodeCp932(csvText(RAKUTEN_SIM_COLUMNS, rows));
}

/** Rakuten order numbers: `<shop id>-<JST yyyymmdd>-<10 digits>` (e.g. 274555-20170615-0823997264). */
export function rakutenCsvOrderNo(view: { seq: number; orderedAt: Date }, shopId = '385712'): string {
  return `${shopId}-${toJstIso(view.orderedAt).slice(0, 10).replace(/-/g, '')}-${String(view.seq).padStart(10, '0')}`;
}

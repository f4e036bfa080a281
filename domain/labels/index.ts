// The label layouts juchu writes, one per carrier (佐川 in two: e飛伝Ⅲ, or Ⅱ by the store's
// `sagawaLayout` code). Each is a pure builder from a batch's packages to the file's rows; the use case
// renders (common.ts renderCsv) and encodes (Shift_JIS) them.
import type { LabelCarrier } from '../carrier-rules.js';
import type { LabelBatch, LabelFile } from './common.js';
import { buildYupri, YUPRI_LAYOUT } from './japanpost-yupri.js';
import { buildEhiden, EHIDEN2_LAYOUT, EHIDEN3_LAYOUT } from './sagawa-ehiden.js';
import { B2_LAYOUT, buildB2 } from './yamato-b2.js';

export interface LabelLayout {
  id: string;
  carrier: LabelCarrier;
  /** The software and the layout version, as the README names it. */
  name: string;
  /** What the carrier's software reads. */
  encoding: 'cp932';
  /** File name stem: `<stem>-batch<id>-<date>.csv`. */
  stem: string;
  build(batch: LabelBatch): LabelFile;
}

export const LAYOUTS: Readonly<Record<string, LabelLayout>> = {
  b2: { id: 'b2', carrier: 'yamato', name: B2_LAYOUT, encoding: 'cp932', stem: 'yamato-b2', build: buildB2 },
  ehiden3: {
    id: 'ehiden3',
    carrier: 'sagawa',
    name: EHIDEN3_LAYOUT,
    encoding: 'cp932',
    stem: 'sagawa-ehiden3',
    build: (b) => buildEhiden(b, 3),
  },
  ehiden2: {
    id: 'ehiden2',
    carrier: 'sagawa',
    name: EHIDEN2_LAYOUT,
    encoding: 'cp932',
    stem: 'sagawa-ehiden2',
    build: (b) => buildEhiden(b, 2),
  },
  yupri: {
    id: 'yupri',
    carrier: 'japanpost',
    name: YUPRI_LAYOUT,
    encoding: 'cp932',
    stem: 'japanpost-yupri',
    build: buildYupri,
  },
};

/** The layout a carrier's file uses for these store codes. */
export function layoutFor(carrier: LabelCarrier, codes: Readonly<Record<string, string>> = {}): LabelLayout {
  if (carrier === 'yamato') return LAYOUTS.b2!;
  if (carrier === 'japanpost') return LAYOUTS.yupri!;
  return codes.sagawaLayout === 'ehiden2' ? LAYOUTS.ehiden2! : LAYOUTS.ehiden3!;
}

/** Store codes juchu reads (the settings screen lists them with these labels). */
export const CODE_LABELS: Readonly<Record<string, string>> = {
  yamatoBillingCustomerCode: 'ヤマト ご請求先顧客コード（B2 No.40）',
  yamatoBillingClassCode: 'ヤマト ご請求先分類コード（B2 No.41）',
  yamatoFreightNo: 'ヤマト 運賃管理番号（B2 No.42）',
  sagawaCustomerCode: '佐川 お客様コード',
  sagawaLayout: '佐川 e飛伝の版（ehiden3 / ehiden2）',
  sagawaCodPayment: '佐川 代引の決済種別（1 全て可 / 2 現金のみ / 5 デビット・クレジット）',
};

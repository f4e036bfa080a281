// The checks a new (or changed) order goes through, in the spec's order (§2):
//   マスタなし商品 → 確認が必要な商品 → お客様コメント確認 → 入金待ち → fulfillment.
// Pure: the caller resolves product codes and flags first.
import { S } from './statuses.js';

export interface ClassifyLine {
  lineNo: number;
  cartProductCode: string;
  cartOptionCode: string | null;
  /** Our product code after the store mapping / master; null when neither knows it. */
  productCode: string | null;
  /** The product carries the needs-check flag (要修正). */
  needsCheck: boolean;
}

export interface ClassifyInput {
  lines: readonly ClassifyLine[];
  customerRemarks: string | null;
  paymentMethod: string | null;
  paidAt: string | Date | null;
  /** The method is one the store takes money for before shipping (decided at import, see isPrepaid). */
  prepaid: boolean;
  /** An operator has acknowledged the remarks / the flagged products. */
  commentChecked: boolean;
  productChecked: boolean;
}

export type Classification =
  | {
      next:
        | typeof S.unknownProduct
        | typeof S.needsCheck
        | typeof S.customerComment
        | typeof S.awaitingPayment;
      reason: string;
    }
  | { next: 'fulfillment'; reason: null };

export function isPrepaid(method: string | null, prepaidMethods: readonly string[]): boolean {
  if (!method) return false;
  const m = method.trim();
  return prepaidMethods.some((p) => p.trim() === m);
}

function describe(l: ClassifyLine): string {
  return `行${l.lineNo} ${l.cartProductCode}${l.cartOptionCode ? ` (${l.cartOptionCode})` : ''}`;
}

export function classifyOrder(input: ClassifyInput): Classification {
  const unknown = input.lines.filter((l) => l.productCode === null);
  if (unknown.length > 0)
    return {
      next: S.unknownProduct,
      reason: `商品マスタ・店舗別商品マスタにない商品コード: ${unknown.map(describe).join(', ')}`,
    };
  const flagged = input.lines.filter((l) => l.needsCheck);
  if (flagged.length > 0 && !input.productChecked)
    return {
      next: S.needsCheck,
      reason: `要修正の商品: ${flagged.map((l) => `${describe(l)} → ${l.productCode}`).join(', ')}`,
    };
  if (input.customerRemarks && input.customerRemarks.trim() !== '' && !input.commentChecked)
    return { next: S.customerComment, reason: 'お客様備考あり' };
  if (input.prepaid && !input.paidAt)
    return { next: S.awaitingPayment, reason: `前払い（${input.paymentMethod}）の入金待ち` };
  return { next: 'fulfillment', reason: null };
}

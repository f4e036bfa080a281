// Whether juchu can cancel an order at its cart, and the reasons the operator picks from (issue 16
// item 4). The cancel screen, the CLI and the API show this; the cancel use case checks the reason
// against it before anything moves. The delivery itself is each cart's `cancel` (carts/*/actions.ts):
//  - Rakuten: cancelOrder with changeReasonDetailApply (README "Writing to Rakuten");
//  - Yahoo!: orderStatusChange to 4 キャンセル with a CancelReason;
//  - Shopify: orderCancel with an OrderCancelReason (refund and restock per store setting);
//  - makeshop (classic API): cmd=status status=0, no reason code; the next-generation API has none;
//  - Amazon, CSV: no cancel juchu may send: the operator cancels in the cart's own admin.
import { CART_LABELS, type CartName } from '../domain/order.js';
import { type MakeshopCredentials, makeshopOrderApi, makeshopSettingsSchema } from './makeshop/settings.js';
import { DEFAULT_CANCEL_REASON as RAKUTEN_DEFAULT } from './rakuten/actions.js';
import { CANCEL_REASONS as RAKUTEN_REASONS } from './rakuten/codes.js';
import { SHOPIFY_CANCEL_REASONS } from './shopify/actions.js';
import { DEFAULT_CANCEL_REASON as YAHOO_DEFAULT } from './yahoo/actions.js';
import { CANCEL_REASONS as YAHOO_REASONS } from './yahoo/constants.js';

export interface CancelReason {
  code: string;
  label: string;
}

export type CartCancelOption =
  | {
      supported: true;
      cart: CartName;
      /** The cart's reason codes; empty when the cart takes none (makeshop). */
      reasons: CancelReason[];
      defaultReason: string | null;
      /** What is sent, in a line (Japanese). */
      note: string;
    }
  | {
      supported: false;
      cart: CartName;
      reasons: [];
      defaultReason: null;
      /** Why not, and that the cart must be told by hand (Japanese). */
      note: string;
    };

const list = (m: Readonly<Record<string, string>>): CancelReason[] =>
  Object.entries(m).map(([code, label]) => ({ code, label }));

const byHand = (cart: CartName, why: string): CartCancelOption => ({
  supported: false,
  cart,
  reasons: [],
  defaultReason: null,
  note: `${why}カートには送信されません。${CART_LABELS[cart]}の管理画面でキャンセルしてください。`,
});

/**
 * What cancelling at the cart means for a store of this cart with these settings; `credentials` (the
 * store's, decrypted) settle which makeshop API a store without `orderApi` speaks.
 */
export function cartCancelOption(
  cart: CartName,
  settings: Record<string, unknown> = {},
  credentials?: Record<string, unknown> | null,
): CartCancelOption {
  switch (cart) {
    case 'rakuten':
      return {
        supported: true,
        cart,
        reasons: list(RAKUTEN_REASONS),
        defaultReason: RAKUTEN_DEFAULT,
        note: '楽天の cancelOrder でキャンセルします（キャンセル理由を選んでください）。',
      };
    case 'yahoo':
      return {
        supported: true,
        cart,
        reasons: list(YAHOO_REASONS),
        defaultReason: YAHOO_DEFAULT,
        note: 'Yahoo!ショッピングの注文ステータスをキャンセル（4）に変更します。',
      };
    case 'shopify':
      return {
        supported: true,
        cart,
        reasons: list(SHOPIFY_CANCEL_REASONS),
        defaultReason: 'OTHER',
        note: 'Shopify の orderCancel でキャンセルします（元の支払方法への返金と在庫の戻しあり）。',
      };
    case 'makeshop': {
      // The API is the store's `orderApi`, or else its credentials decide; without them (a caller
      // that has no key) a next-generation store is refused at delivery, saying the same.
      const parsed = makeshopSettingsSchema.safeParse(settings);
      const api = parsed.success
        ? credentials === undefined
          ? parsed.data.orderApi
          : makeshopOrderApi(parsed.data, credentials as Partial<MakeshopCredentials> | null)
        : undefined;
      if (api === 'next')
        return byHand(cart, 'makeshop の次世代API にはキャンセルの操作が公開されていないため、');
      return {
        supported: true,
        cart,
        reasons: [],
        defaultReason: null,
        note:
          api === 'classic'
            ? 'makeshop（従来API）の注文ステータスをキャンセルに変更します（理由コードはありません）。'
            : 'makeshop（従来API）の注文ステータスをキャンセルに変更します（理由コードはありません）。次世代API の店舗には送信できず要確認になります。その場合は makeshop の管理画面でキャンセルしてください。',
      };
    }
    case 'amazon':
      return byHand(cart, 'Amazon の注文 API にはキャンセルの操作がないため、');
    case 'csv':
      return byHand(cart, 'CSV の店舗には API がないため、');
  }
}

/** Null when `code` is a reason the cart takes (or none was given); else the refusal (Japanese). */
export function cancelReasonProblem(
  option: CartCancelOption,
  code: string | null | undefined,
): string | null {
  if (!code || !option.supported) return null;
  if (option.reasons.length === 0)
    return `${CART_LABELS[option.cart]}にはキャンセル理由コードがありません（理由コードは指定しないでください）`;
  if (option.reasons.some((r) => r.code === code)) return null;
  return `キャンセル理由コード ${code} は${CART_LABELS[option.cart]}にありません（${option.reasons.map((r) => `${r.code} ${r.label}`).join('、')}）`;
}

// How a cart action (the outbox, db/cart-actions.ts) reads to an operator: its kind and state in the
// screens' words, whether a human may send it again (再送), and its cart-side ids named as each cart
// names them. Pure: the order detail, the stores screen and `juchu actions` share it.

export const CART_ACTION_KINDS = ['confirm', 'ship', 'cancel', 'stock'] as const;
export type CartActionKindName = (typeof CART_ACTION_KINDS)[number];

export const CART_ACTION_STATES = ['pending', 'delivering', 'done', 'failed', 'refused'] as const;
export type CartActionStateName = (typeof CART_ACTION_STATES)[number];

export const KIND_LABELS: Readonly<Record<CartActionKindName, string>> = {
  confirm: '確認',
  ship: '出荷',
  cancel: 'キャンセル',
  stock: '在庫',
};

/**
 * 送信待ち: not answered yet (delivering is a worker sending it now); 完了: the cart took it (or said it
 * already was so); 失敗: errors retrying might fix, retries spent; 要対応: the cart refused it for good
 * (a validation error, an unknown carrier): it waits for a human, who fixes the cause and sends again.
 */
export const STATE_LABELS: Readonly<Record<CartActionStateName, string>> = {
  pending: '送信待ち',
  delivering: '送信待ち',
  done: '完了',
  failed: '失敗',
  refused: '要対応',
};

/** The states the filters and counts group by: waiting = pending + delivering. */
export type CartActionStateFilter = 'waiting' | 'done' | 'failed' | 'refused';
export const STATE_FILTERS: Readonly<Record<CartActionStateFilter, readonly CartActionStateName[]>> = {
  waiting: ['pending', 'delivering'],
  done: ['done'],
  failed: ['failed'],
  refused: ['refused'],
};

/** The words an operator may type for a state filter (`juchu actions list --state 失敗`). */
export function parseStateFilter(word: string): CartActionStateFilter | null {
  const words: Record<string, CartActionStateFilter> = {
    waiting: 'waiting',
    pending: 'waiting',
    done: 'done',
    failed: 'failed',
    refused: 'refused',
    送信待ち: 'waiting',
    完了: 'done',
    失敗: 'failed',
    要対応: 'refused',
  };
  const w = word.trim();
  return Object.hasOwn(words, w) ? (words[w] ?? null) : null;
}

/** Who sent an action again, for people: Bull Board's retry, a user's login, or the CLI as it is. */
export function resentByLabel(actor: string): string {
  if (actor === 'bullboard') return 'Bull Board';
  return actor.startsWith('user:') ? actor.slice('user:'.length) : actor;
}

/** 再送 is for actions that stopped: failed (retries spent) or refused (waits for a human). */
export function canResend(state: CartActionStateName): boolean {
  return state === 'failed' || state === 'refused';
}

/**
 * A cart-side id key as the cart names it: Rakuten `shippingDetailId:<package>:<parcel>`, Amazon
 * `package:<n>` (packageReferenceId), Shopify `fulfillment:<n>` (the fulfillment id), the CSV cart's
 * `file` (the upload file the row went to).
 */
export function cartRefLabel(key: string): string {
  const [name, pkg, parcel] = key.split(':');
  const where = pkg ? `（荷物${pkg}${parcel && parcel !== '1' ? `-${parcel}` : ''}）` : '';
  switch (name) {
    case 'shippingDetailId':
      return `shippingDetailId${where}`;
    case 'package':
      return `packageReferenceId${where}`;
    case 'fulfillment':
      return `fulfillment id${where}`;
    case 'file':
      return '出荷ファイル';
    default:
      return key;
  }
}

export function cartRefsInWords(
  refs: Readonly<Record<string, string>>,
): Array<{ label: string; value: string }> {
  return Object.keys(refs)
    .sort()
    .map((k) => ({ label: cartRefLabel(k), value: refs[k] ?? '' }));
}

/** What the action says, in a line: the tracking numbers of a shipment, the reason of a cancel. */
export function payloadInWords(kind: CartActionKindName, payload: Readonly<Record<string, unknown>>): string {
  if (kind === 'ship') {
    const packages = Array.isArray(payload.packages)
      ? (payload.packages as Array<Record<string, unknown>>)
      : [];
    return packages
      .map((p) =>
        `荷物${String(p.packageNo ?? '?')} ${String(p.carrierName ?? p.carrier ?? '')} ${String(p.trackingNumber ?? '')}`.trim(),
      )
      .join('、');
  }
  if (kind === 'cancel') return String(payload.reason ?? payload.reasonCode ?? '');
  if (kind === 'stock') {
    const levels = Array.isArray(payload.levels) ? (payload.levels as Array<Record<string, unknown>>) : [];
    return levels.map((l) => `${String(l.cartProductCode ?? '')} → ${String(l.quantity ?? '')}`).join('、');
  }
  return '';
}

// 受注詳細's キャンセル card (the cancel screen): the reason kept in the history, and the choice to
// cancel at the cart too — with the cart's own reason codes where its API takes them (楽天
// cancelOrder, Yahoo!, Shopify), plainly "by hand in the cart's admin" where it cannot (Amazon, CSV,
// makeshop's next-generation API), and nothing to send for an order the cart itself cancelled.
import { api, get } from '../api.js';
import { fill, h, notice, select } from '../dom.js';

/** The card, or null when there is nothing to cancel (already in キャンセル対応, shipped, a viewer). */
export function cancelCard(o, ctx, done) {
  if (!ctx.can('operator') || o.status.group === 'cancellation' || o.status.code === 'shipped') return null;
  const box = h('div', { id: 'cancel-cart-box' }, h('p', { class: 'muted' }, '読み込み中…'));
  const messages = h('div', { id: 'cancel-messages' });
  const reason = h('input', {
    id: 'cancel-reason',
    placeholder: 'キャンセル理由（履歴に残ります）',
    size: 30,
  });
  let atCart = null;
  let cartReason = null;
  const button = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      id: 'cancel-order',
      onclick: async () => {
        const toCart = atCart?.checked === true;
        if (
          !confirm(
            `受注No ${o.orderNo} をキャンセルしますか？${toCart ? '（カートでもキャンセルします）' : ''}`,
          )
        )
          return;
        try {
          const { result } = await api('POST', `/api/orders/${o.id}/cancel`, {
            reason: reason.value.trim() || undefined,
            atCart: toCart,
            cartReason: toCart && cartReason ? cartReason.value || null : null,
          });
          if (!result.ok) return fill(messages, notice('error', result.message));
          await done(result);
        } catch (e) {
          fill(messages, notice('error', e.message));
        }
      },
    },
    'キャンセルする',
  );
  const card = h(
    'section',
    { class: 'card', id: 'cancel-card' },
    h('h3', null, 'キャンセル'),
    messages,
    h('div', { class: 'row' }, reason),
    box,
    h('div', { class: 'row' }, button),
  );
  const load = async () => {
    const opt = await get(`/api/orders/${o.id}/cancel-options`);
    if (opt.cartCancelled)
      return fill(
        box,
        h(
          'p',
          { class: 'muted', id: 'cancel-cart-note' },
          'カートでキャンセル済みの注文です（カートには送信しません）。',
        ),
      );
    if (!opt.supported) return fill(box, h('p', { class: 'notice warn', id: 'cancel-cart-note' }, opt.note));
    atCart = h('input', { type: 'checkbox', id: 'cancel-at-cart' });
    const parts = [h('label', { class: 'check' }, atCart, ' カートでもキャンセルする')];
    if (opt.reasons.length) {
      cartReason = select(
        'cartReason',
        opt.reasons.map((r) => [r.code, `${r.code} ${r.label}`]),
        opt.defaultReason ?? '',
        { id: 'cancel-cart-reason', disabled: true },
      );
      atCart.addEventListener('change', () => {
        cartReason.disabled = !atCart.checked;
      });
      parts.push(h('label', { class: 'check' }, 'カートのキャンセル理由 ', cartReason));
    }
    fill(
      box,
      h('div', { class: 'row' }, ...parts),
      h('p', { class: 'muted', id: 'cancel-cart-note' }, opt.note),
    );
  };
  return { card, load };
}

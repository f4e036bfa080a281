// 受注詳細 → カート連携: each cart action of the order (確認・出荷・キャンセル・在庫) as the outbox has it —
// 送信待ち, 完了 with the cart's answer and its cart-side ids (Rakuten shippingDetailId, Amazon
// packageReferenceId, Shopify fulfillment id), 失敗 with the error, 要対応 for a refusal that waits for
// a human — with its attempts and times; operators send a failed or 要対応 one again (再送), and who
// sent it again last (an operator, the CLI or Bull Board's retry) and when is shown.
import { api, get } from '../api.js';
import { dt, fill, h, notice, table } from '../dom.js';

const STATE_CLASS = { pending: 'wait', delivering: 'wait', done: 'ok', failed: 'bad', refused: 'bad' };

function stateCell(a) {
  const parts = [h('span', { class: `ca-state ca-${a.state} ${STATE_CLASS[a.state] ?? ''}` }, a.stateLabel)];
  if (a.answer) parts.push(h('div', { class: 'ca-answer' }, a.answer));
  if (a.error && a.error !== a.answer) parts.push(h('div', { class: 'bad ca-error' }, a.error));
  if (a.cartRefs.length)
    parts.push(
      h(
        'div',
        { class: 'muted ca-refs' },
        a.cartRefs.map((r) => h('div', null, `${r.label}: `, h('span', { class: 'mono' }, r.value))),
      ),
    );
  if (a.nextAttemptAt) parts.push(h('div', { class: 'muted' }, `次の送信 ${dt(a.nextAttemptAt)}`));
  return h('div', null, parts);
}

export function cartActionsCard(orderId, ctx) {
  const card = h('section', { class: 'card wide', id: 'cart-actions' }, h('h3', null, 'カート連携'));
  const msg = h('div', { id: 'cart-actions-messages' });
  const body = h('div');
  card.append(msg, body);

  async function resend(a) {
    try {
      const { result } = await api('POST', `/api/cart-actions/${a.id}/resend`, {});
      await load();
      fill(msg, notice(result.ok ? 'ok' : 'error', result.message));
    } catch (e) {
      fill(msg, notice('error', e.message));
    }
  }

  async function load() {
    const { actions } = await get(`/api/orders/${orderId}/cart-actions`);
    const columns = [
      { label: 'No', cell: (a) => String(a.id), class: 'num mono' },
      { label: '種類', cell: (a) => a.kindLabel },
      { label: '内容', cell: (a) => a.summary || '—' },
      { label: '状態', cell: stateCell },
      {
        label: '試行',
        cell: (a) =>
          a.resent
            ? h(
                'div',
                null,
                h('div', null, `${a.attempts} 回（再送 ${a.resent.count} 回）`),
                h('div', { class: 'muted ca-resent' }, `最後の再送 ${a.resent.byLabel} ${dt(a.resent.at)}`),
              )
            : `${a.attempts} 回`,
        class: 'num',
      },
      {
        label: '日時',
        cell: (a) =>
          h(
            'div',
            { class: 'nowrap' },
            h('div', null, `記録 ${dt(a.createdAt)}`),
            h('div', { class: 'muted' }, a.doneAt ? `完了 ${dt(a.doneAt)}` : `更新 ${dt(a.updatedAt)}`),
            h('div', { class: 'muted' }, a.createdBy),
          ),
      },
    ];
    if (ctx.can('operator'))
      columns.push({
        label: '操作',
        cell: (a) =>
          a.canResend
            ? h(
                'button',
                { type: 'button', class: 'resend', id: `resend-${a.id}`, onclick: () => resend(a) },
                '再送',
              )
            : '',
      });
    fill(
      body,
      table(columns, actions, {
        id: 'cart-actions-table',
        empty: 'カートに送る操作はありません',
        rowData: (a) => ({ actionId: String(a.id), state: a.state }),
      }),
    );
  }
  return { card, load };
}

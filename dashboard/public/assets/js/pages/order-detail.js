// 受注詳細: everything about one order — why it is held, orderer and every ship-to apart, lines with
// 予約区分, delivery, payment, totals, status change with 自動確認, notes, the cart actions (カート連携,
// order-cart-actions.js), history and the raw payload.
import { api, get } from '../api.js';
import { clear, dash, dt, fill, h, notice, select, table, yen } from '../dom.js';
import { orderDocumentsCard } from './document-links.js';
import { cancelCard } from './order-cancel.js';
import { carrierCard } from './order-carrier.js';
import { cartActionsCard } from './order-cart-actions.js';

const RESERVATION = {
  held: '在庫確保',
  partial: '一部確保',
  none: '未確保',
  shipped: '出荷済み',
  released: '解除',
};
const ACTIONS = {
  imported: '取込',
  status_changed: 'ステータス変更',
  cart_changed: 'カート側変更',
  cart_cancelled: 'カートでキャンセル',
  flagged: '要確認',
  payment_recorded: '入金',
  reservation_released: '引当解除',
  allocation_held: '引当保留',
  allocation_resumed: '再引当',
  notes_updated: 'メモ・確認',
  carrier: '運送会社',
  deleted: '削除',
};

function party(title, p, id) {
  const addr = [p.postalCode ? `〒${p.postalCode}` : null, p.prefecture, p.address1, p.address2]
    .filter(Boolean)
    .join(' ');
  return h(
    'section',
    { class: 'card party', id },
    h('h3', null, title),
    h(
      'dl',
      null,
      h('dt', null, '氏名'),
      h('dd', null, dash(p.name), p.kana ? h('span', { class: 'muted' }, `（${p.kana}）`) : ''),
      h('dt', null, '電話'),
      h('dd', null, dash(p.phone)),
      h('dt', null, 'メール'),
      h('dd', null, dash(p.email)),
      h('dt', null, '住所'),
      h('dd', null, dash(addr)),
    ),
  );
}

function kv(pairs) {
  return h(
    'dl',
    null,
    pairs.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

export async function render(main, ctx) {
  const { statuses, autoConfirm } = await get('/api/statuses');
  let data;
  try {
    data = await get(`/api/orders/${ctx.id}`);
  } catch (e) {
    main.append(
      h('h1', null, '受注詳細'),
      notice('error', e.message),
      h('a', { href: '/orders' }, '← EC受注一覧'),
    );
    return;
  }
  const o = data.order;
  const messages = h('div', { id: 'detail-messages' });
  const say = (kind, text) => fill(messages, notice(kind, text));
  const reload = () => {
    clear(main);
    return render(main, ctx);
  };

  const header = h(
    'div',
    { class: 'detail-head' },
    h('a', { href: '/orders', class: 'back' }, '← EC受注一覧'),
    h('h1', null, '受注詳細 ', h('span', { class: 'mono', id: 'order-no' }, o.orderNo)),
    h(
      'p',
      { class: 'sub' },
      h('span', null, data.storeName),
      ' / 注文No ',
      h('span', { class: 'mono', id: 'cart-order-no' }, o.cartOrderNo),
      ' / 受注日時 ',
      dt(o.orderedAt),
    ),
  );

  const banners = [];
  if (o.needsAttention)
    banners.push(
      notice(
        'warn',
        '要確認: ',
        o.attentionReason ?? '人の確認が必要です',
        data.pendingPayload ? '（カート側の新しい内容は未反映で保留中）' : '',
      ),
    );
  if (o.allocationHold)
    banners.push(
      h(
        'div',
        { class: 'notice warn', id: 'allocation-hold' },
        h('span', { class: 'badge hold' }, '引当保留'),
        ` ${o.allocationHold.reason ?? ''}（${dash(o.allocationHold.by)}、${dt(o.allocationHold.at)}）再引当するまで在庫を引き当てません。`,
        ctx.can('operator')
          ? h(
              'button',
              {
                type: 'button',
                id: 'reallocate',
                onclick: async () => {
                  try {
                    const { result } = await api('POST', `/api/orders/${o.id}/reallocate`, {});
                    await reload();
                    document.getElementById('detail-messages')?.append(notice('ok', result.message));
                  } catch (e) {
                    say('error', e.message);
                  }
                },
              },
              '再引当',
            )
          : '',
      ),
    );
  const statusBox = h(
    'section',
    { class: 'card status-box', id: 'status-box' },
    h('h3', null, 'ステータス'),
    h('p', null, h('span', { class: `status g-${o.status.group}`, id: 'status-label' }, o.status.label)),
    o.status.reason ? h('p', { class: 'reason', id: 'status-reason' }, '理由: ', o.status.reason) : '',
    h('p', { class: 'muted' }, `変更日時 ${dt(data.statusChangedAt)}`),
  );

  if (ctx.can('operator')) {
    const target = select(
      'target',
      [['', '変更先…'], [autoConfirm.code, autoConfirm.label], ...statuses.map((s) => [s.code, s.label])],
      '',
      { id: 'status-target' },
    );
    const reason = h('input', { id: 'status-change-reason', placeholder: '理由（任意）' });
    statusBox.append(
      h(
        'div',
        { class: 'row' },
        target,
        reason,
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            id: 'status-save',
            onclick: async () => {
              if (!target.value) return say('error', '変更先を選んでください');
              try {
                const { result } = await api('POST', `/api/orders/${o.id}/status`, {
                  target: target.value,
                  reason: reason.value || undefined,
                });
                if (!result.ok) return say('error', result.message);
                await reload();
                document.getElementById('detail-messages')?.append(notice('ok', result.message));
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '変更',
        ),
      ),
    );
    const extra = h('div', { class: 'row' });
    if (o.status.code === 'awaiting_payment' || !o.payment.paidAt)
      extra.append(
        h(
          'button',
          {
            type: 'button',
            id: 'record-payment',
            onclick: async () => {
              try {
                const { result } = await api('POST', `/api/orders/${o.id}/payment`, {});
                await reload();
                document
                  .getElementById('detail-messages')
                  ?.append(notice(result.ok ? 'ok' : 'error', result.message));
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '入金を記録',
        ),
      );
    if (o.status.code === 'shipping') {
      const tracking = h('input', { id: 'tracking', placeholder: '伝票番号' });
      extra.append(
        tracking,
        h(
          'button',
          {
            type: 'button',
            id: 'confirm-ship',
            onclick: async () => {
              try {
                const { result } = await api('POST', `/api/orders/${o.id}/ship`, {
                  trackingNumber: tracking.value || undefined,
                });
                await reload();
                document
                  .getElementById('detail-messages')
                  ?.append(notice(result.ok ? 'ok' : 'error', result.message));
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '出荷完了',
        ),
      );
    }
    // 楽天 注文確認待ち (100): the operator's 注文確認 (sent through the cart-actions outbox).
    if (o.cart === 'rakuten' && o.cartStatus === '100' && !o.cancelledInCart)
      extra.append(
        h(
          'button',
          {
            type: 'button',
            id: 'confirm-at-cart',
            onclick: async () => {
              try {
                const { results } = await api('POST', '/api/orders/confirm-at-cart', { ids: [o.id] });
                const [r] = results;
                await reload();
                document.getElementById('detail-messages')?.append(notice(r.ok ? 'ok' : 'error', r.message));
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '注文確認',
        ),
      );
    if (o.status.code === 'cancelled')
      extra.append(
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            id: 'delete-order',
            onclick: async () => {
              if (!confirm(`受注No ${o.orderNo} を削除しますか？（履歴は残ります）`)) return;
              const { result } = await api('DELETE', `/api/orders/${o.id}`);
              if (result.ok) location.href = '/orders';
              else say('error', result.message);
            },
          },
          '伝票を削除',
        ),
      );
    statusBox.append(extra);
  }

  const info = h(
    'section',
    { class: 'card' },
    h('h3', null, '基本情報'),
    kv([
      ['注文No', h('span', { class: 'mono' }, o.cartOrderNo)],
      ['受注No', h('span', { class: 'mono' }, o.orderNo)],
      ['受注区分', `${data.storeName}（${o.cart}）`],
      ['カートのステータス', o.cartStatus],
      ['出荷予定日', dash(o.shipDate)],
      ['出荷指示', o.shippingInstructedAt ? dt(o.shippingInstructedAt) : '—'],
      ['伝票番号', dash(o.trackingNumber)],
      ['カート更新日時', dt(o.cartUpdatedAt)],
    ]),
  );

  const packages = o.packages.length ? o.packages : [{ packageNo: 1, shipTo: o.shipTo }];
  const parties = h(
    'div',
    { class: 'parties' },
    party('注文者', o.orderer, 'orderer'),
    packages.map((p) =>
      party(
        packages.length > 1 ? `送付先（荷物 ${p.packageNo}）` : '送付先',
        p.shipTo,
        `ship-to-${p.packageNo}`,
      ),
    ),
  );

  const linesTable = table(
    [
      { label: '荷物', cell: (l) => String(l.packageNo), class: 'num' },
      {
        label: '商品',
        cell: (l) =>
          h(
            'div',
            null,
            h('div', null, l.name),
            h(
              'div',
              { class: 'muted mono' },
              l.productCode ?? 'マスタなし',
              ' ← ',
              l.cartProductCode,
              l.cartOptionCode ? ` / ${l.cartOptionCode}` : '',
            ),
          ),
      },
      { label: '数量', cell: (l) => String(l.quantity), class: 'num' },
      {
        label: '単価（税込）',
        cell: (l) => yen(l.unitPrice, o.currency) + (l.taxIncluded ? '' : '（税抜）'),
        class: 'num',
      },
      { label: '小計', cell: (l) => yen(l.unitPrice * l.quantity, o.currency), class: 'num' },
      { label: '税率', cell: (l) => (l.taxRate === null ? '—' : `${l.taxRate}%`), class: 'num' },
      {
        label: '予約区分',
        cell: (l) =>
          h(
            'span',
            { class: `res res-${l.reservation.state}` },
            RESERVATION[l.reservation.state] ?? l.reservation.state,
            l.reservation.warehouses.length
              ? h(
                  'span',
                  { class: 'muted' },
                  ` ${l.reservation.warehouses
                    .map(
                      (w) =>
                        `${w.productCode ? `${w.productCode} ` : ''}${w.warehouse}${(o.disabledWarehouses ?? []).includes(w.warehouse) ? '（停止中）' : ''}×${w.quantity}`,
                    )
                    .join(', ')}`,
                )
              : '',
          ),
      },
    ],
    o.lines,
    { id: 'lines' },
  );

  const money = h(
    'div',
    { class: 'parties' },
    h(
      'section',
      { class: 'card' },
      h('h3', null, '配送'),
      kv([
        ['お届け指定日', dash(o.delivery.requestedDate)],
        ['時間帯', dash(o.delivery.timeSlot)],
        ['運送会社', dash(o.delivery.carrier)],
        ['配送方法', dash(o.delivery.method)],
        ['送料', yen(o.delivery.fee, o.currency)],
      ]),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', null, '支払'),
      kv([
        [
          '支払方法',
          data.paymentMethodName && data.paymentMethodName !== o.payment.method
            ? `${data.paymentMethodName}（${o.payment.method}）`
            : dash(o.payment.method),
        ],
        ['カード種別', dash(o.payment.cardType)],
        ['決済手数料', yen(o.payment.fee, o.currency)],
        ['入金日時', o.payment.paidAt ? dt(o.payment.paidAt) : '—'],
      ]),
    ),
    h(
      'section',
      { class: 'card', id: 'totals' },
      h('h3', null, '合計'),
      kv([
        ['商品', yen(o.totals.goods, o.currency)],
        ['送料', yen(o.totals.shipping, o.currency)],
        ['手数料', yen(o.totals.fees, o.currency)],
        ['値引', yen(o.totals.discount, o.currency)],
        ['ポイント', yen(o.totals.points, o.currency)],
        ['うち消費税', yen(o.totals.tax, o.currency)],
        ['合計', h('strong', null, yen(o.totals.total, o.currency))],
      ]),
    ),
  );

  const remarks = h(
    'section',
    { class: 'card' },
    h('h3', null, 'お客様備考'),
    h('p', { class: 'remarks', id: 'customer-remarks' }, dash(o.customerRemarks)),
  );

  const comment = h(
    'textarea',
    { id: 'internal-comment', rows: 3, disabled: !ctx.can('operator') },
    o.internalComment ?? '',
  );
  const commentChecked = h('input', {
    type: 'checkbox',
    id: 'comment-checked',
    checked: o.commentChecked,
    disabled: !ctx.can('operator'),
  });
  const productChecked = h('input', {
    type: 'checkbox',
    id: 'product-checked',
    checked: o.productChecked,
    disabled: !ctx.can('operator'),
  });
  const shipDate = h('input', {
    type: 'date',
    id: 'ship-date',
    value: o.shipDate ?? '',
    disabled: !ctx.can('operator'),
  });
  const notes = h(
    'section',
    { class: 'card' },
    h('h3', null, '社内コメント・確認'),
    comment,
    h('label', { class: 'check' }, commentChecked, ' お客様コメント確認済み'),
    h('label', { class: 'check' }, productChecked, ' 商品確認済み'),
    h('label', { class: 'check' }, '出荷予定日 ', shipDate),
    ctx.can('operator')
      ? h(
          'button',
          {
            type: 'button',
            id: 'save-notes',
            onclick: async () => {
              try {
                await api('PATCH', `/api/orders/${o.id}/notes`, {
                  internalComment: comment.value || null,
                  commentChecked: commentChecked.checked,
                  productChecked: productChecked.checked,
                  shipDate: shipDate.value || null,
                });
                say('ok', '保存しました。確認が済んだら「自動確認」で次のステータスへ進めます');
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '保存',
        )
      : '',
  );

  const history = h(
    'section',
    { class: 'card wide' },
    h('h3', null, '履歴'),
    table(
      [
        { label: '日時', cell: (e) => dt(e.at), class: 'nowrap' },
        { label: '操作者', cell: (e) => e.actor },
        { label: '操作', cell: (e) => ACTIONS[e.action] ?? e.action },
        {
          label: 'ステータス',
          cell: (e) => (e.from || e.to ? `${e.from?.label ?? ''} → ${e.to?.label ?? ''}` : ''),
        },
        { label: '理由', cell: (e) => dash(e.reason) },
      ],
      data.events,
      { id: 'events' },
    ),
  );

  const raw = h(
    'section',
    { class: 'card wide' },
    h(
      'details',
      null,
      h('summary', null, 'カートの生データ（raw payload）'),
      h('pre', { class: 'raw', id: 'raw-payload' }, JSON.stringify(data.rawPayload, null, 2)),
    ),
    data.pendingPayload
      ? h(
          'details',
          null,
          h('summary', null, '未反映のカート側変更'),
          h('pre', { class: 'raw' }, JSON.stringify(data.pendingPayload, null, 2)),
        )
      : '',
  );

  const carrier = carrierCard(o.id, ctx);
  const cartActions = cartActionsCard(o.id, ctx);
  const cancel = cancelCard(o, ctx, async (result) => {
    await reload();
    document.getElementById('detail-messages')?.append(notice('ok', result.message));
  });
  main.append(
    header,
    ...banners,
    messages,
    h('div', { class: 'parties' }, statusBox, info),
    cancel ? cancel.card : '',
    parties,
    h('section', { class: 'card wide' }, h('h3', null, '明細'), linesTable),
    money,
    orderDocumentsCard(o, ctx),
    carrier.card,
    cartActions.card,
    h('div', { class: 'parties' }, remarks, notes),
    history,
    raw,
  );
  await Promise.all([
    carrier.load().catch((e) => carrier.card.append(notice('error', e.message))),
    cartActions.load().catch((e) => cartActions.card.append(notice('error', e.message))),
    cancel?.load().catch((e) => cancel.card.append(notice('error', e.message))),
  ]);
}

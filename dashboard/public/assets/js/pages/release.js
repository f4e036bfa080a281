// 受注在庫予約解除: search orders holding stock by channel, 受注No, status, warehouse and product,
// pick them, and take their held stock back with a reason. A result per order.
import { api, get, withQuery } from '../api.js';
import { dt, field, fill, formValues, h, notice, resultsTable, select, table } from '../dom.js';

export async function render(main, ctx) {
  const [{ stores }, { statuses }, { warehouses }] = await Promise.all([
    get('/api/stores'),
    get('/api/statuses'),
    get('/api/warehouses'),
  ]);
  const form = h(
    'form',
    { class: 'filters', id: 'release-search' },
    field('受注区分', select('store', [['', 'すべての店舗'], ...stores.map((s) => [s.code, s.name])], '')),
    field('受注No', h('input', { name: 'orderNo', inputmode: 'numeric', size: 10 })),
    field('ステータス', select('status', [['', 'すべて'], ...statuses.map((s) => [s.code, s.label])], '')),
    field('倉庫', select('warehouse', [['', 'すべて'], ...warehouses.map((w) => [w.code, w.name])], '')),
    field('商品コード', h('input', { name: 'product', size: 14 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '検索')),
  );
  const list = h('div', { id: 'release-list' });
  const results = h('div', { id: 'release-results' });
  const reason = h('input', { id: 'release-reason', placeholder: '解除の理由（必須）', size: 30 });
  const bar = ctx.can('operator')
    ? h(
        'div',
        { class: 'bulkbar' },
        reason,
        h(
          'button',
          { type: 'button', class: 'primary', id: 'release-run', onclick: () => run() },
          '選択した注文の引当を解除',
        ),
      )
    : h('p', { class: 'muted' }, '閲覧のみの権限です（解除はできません）');
  main.append(
    h('h1', null, '受注在庫予約解除'),
    h(
      'p',
      { class: 'muted' },
      '引当（在庫確保）中の注文を探して、確保した在庫を戻します。出荷指示済みの注文は対象外です。',
    ),
    form,
    bar,
    results,
    list,
  );
  let last = {};

  async function search() {
    last = formValues(form);
    const data = await get(withQuery('/api/release/search', last));
    fill(
      list,
      h(
        'p',
        { class: 'muted' },
        `${data.total} 件${data.total > data.orders.length ? `（先頭 ${data.orders.length} 件を表示）` : ''}`,
      ),
      table(
        [
          {
            label: '',
            cell: (o) =>
              ctx.can('operator') ? h('input', { type: 'checkbox', class: 'pick', value: String(o.id) }) : '',
          },
          { label: '受注No', cell: (o) => h('a', { href: `/orders/${o.id}` }, o.orderNo), class: 'mono' },
          { label: '注文No', cell: (o) => o.cartOrderNo, class: 'mono' },
          { label: '店舗', cell: (o) => o.store },
          { label: '受注日時', cell: (o) => dt(o.orderedAt), class: 'nowrap' },
          { label: 'ステータス', cell: (o) => o.status.label },
          { label: '注文者', cell: (o) => o.orderer ?? '—' },
          {
            label: '確保中の在庫',
            cell: (o) =>
              h(
                'ul',
                { class: 'plain' },
                o.lines.map((l) =>
                  h(
                    'li',
                    null,
                    `${l.productCode} ${l.name} — ${l.warehouses.map((w) => `${w.warehouse}×${w.quantity}`).join(', ')}`,
                  ),
                ),
              ),
          },
        ],
        data.orders,
        { id: 'release-table', empty: '引当中の注文はありません' },
      ),
    );
  }
  async function run() {
    const ids = [...list.querySelectorAll('input.pick:checked')].map((el) => Number(el.value));
    if (!ids.length) return fill(results, notice('error', '注文を選んでください'));
    if (!reason.value.trim()) return fill(results, notice('error', '解除の理由を入力してください'));
    try {
      const r = await api('POST', '/api/orders/release', {
        ids,
        reason: reason.value.trim(),
        warehouse: last.warehouse,
        product: last.product,
      });
      const held = r.results.filter((x) => x.ok).length;
      fill(
        results,
        held
          ? notice(
              'warn',
              `${held} 件の注文は引当保留になりました。次の引当・入荷でも在庫を引き当てません（受注詳細の「再引当」で再開）。`,
            )
          : '',
        resultsTable(r.results, '在庫予約解除'),
      );
      await search();
    } catch (e) {
      fill(results, notice('error', e.message));
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    search().catch((e) => fill(list, notice('error', e.message)));
  });
  await search();
}

// EC受注一覧: a tab per Status 1 with counts per Status 2, filters, server-side sorting and paging,
// bulk status change (自動確認 included) and bulk reservation cancel, each with a result per row.
import { api, get, withQuery } from '../api.js';
import { clear, dash, dt, field, fill, formValues, h, notice, resultsTable, select, yen } from '../dom.js';

const FILTERS = [
  'store',
  'orderNo',
  'cartOrderNo',
  'orderedFrom',
  'orderedTo',
  'shipFrom',
  'shipTo',
  'status',
  'warehouse',
  'product',
  'attention',
];
const SORTS = { orderedAt: '受注日時', orderNo: '受注No', cartOrderNo: '注文No', total: '合計' };

export async function render(main, ctx) {
  const params = new URLSearchParams(location.search);
  const state = {
    group: params.get('group') ?? '',
    sort: params.get('sort') ?? 'orderedAt',
    dir: params.get('dir') ?? 'desc',
    filters: Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])),
    after: '',
    stack: [],
  };
  const [{ stores }, { statuses, autoConfirm }, { warehouses }] = await Promise.all([
    get('/api/stores'),
    get('/api/statuses'),
    get('/api/warehouses'),
  ]);

  const tabs = h('div', { class: 'tabs', role: 'tablist', id: 'tabs' });
  const chips = h('div', { class: 'chips', id: 'status-chips' });
  const listBox = h('div', { id: 'order-list' });
  const pager = h('div', { class: 'pager' });
  const resultBox = h('div', { id: 'bulk-results' });

  const filterForm = h(
    'form',
    { class: 'filters', id: 'filters' },
    field(
      '受注区分',
      select('store', [['', 'すべての店舗'], ...stores.map((s) => [s.code, s.name])], state.filters.store),
    ),
    field(
      '受注No',
      h('input', { name: 'orderNo', value: state.filters.orderNo, inputmode: 'numeric', size: 10 }),
    ),
    field('注文No', h('input', { name: 'cartOrderNo', value: state.filters.cartOrderNo, size: 18 })),
    field(
      '受注日',
      h(
        'span',
        { class: 'range' },
        h('input', { type: 'date', name: 'orderedFrom', value: state.filters.orderedFrom }),
        '〜',
        h('input', { type: 'date', name: 'orderedTo', value: state.filters.orderedTo }),
      ),
    ),
    field(
      '出荷日',
      h(
        'span',
        { class: 'range' },
        h('input', { type: 'date', name: 'shipFrom', value: state.filters.shipFrom }),
        '〜',
        h('input', { type: 'date', name: 'shipTo', value: state.filters.shipTo }),
      ),
    ),
    field(
      'ステータス',
      select('status', [['', 'すべて'], ...statuses.map((s) => [s.code, s.label])], state.filters.status),
    ),
    field(
      '倉庫',
      select(
        'warehouse',
        [['', 'すべて'], ...warehouses.map((w) => [w.code, w.name])],
        state.filters.warehouse,
      ),
    ),
    field(
      '商品',
      h('input', { name: 'product', value: state.filters.product, size: 14, placeholder: '商品コード' }),
    ),
    field(
      '要確認',
      h('input', {
        type: 'checkbox',
        name: 'attention',
        value: '1',
        checked: state.filters.attention === '1',
      }),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '検索'),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            for (const k of FILTERS) state.filters[k] = '';
            filterForm.reset();
            for (const el of filterForm.elements) if (el.name && el.type !== 'checkbox') el.value = '';
            reload(true);
          },
        },
        'クリア',
      ),
    ),
  );
  filterForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(filterForm);
    for (const k of FILTERS) state.filters[k] = v[k] ?? '';
    reload(true);
  });

  // Bulk actions: operators and admins. Viewers see why the controls are missing.
  const targetSelect = select(
    'target',
    [
      ['', '変更先ステータス…'],
      [autoConfirm.code, `${autoConfirm.label}（残りの確認を実行）`],
      ...statuses.map((s) => [s.code, s.label]),
    ],
    '',
    { id: 'bulk-target' },
  );
  const reasonInput = h('input', { id: 'bulk-reason', placeholder: '理由（履歴に残ります）', size: 24 });
  const bulkBar = ctx.can('operator')
    ? h(
        'div',
        { class: 'bulkbar', id: 'bulkbar' },
        h('span', { id: 'selected-count' }, '0 件選択'),
        targetSelect,
        reasonInput,
        h('button', { type: 'button', id: 'bulk-status', onclick: () => bulkStatus() }, 'ステータス一括変更'),
        h('button', { type: 'button', id: 'bulk-release', onclick: () => bulkRelease() }, '在庫予約解除'),
        h(
          'button',
          {
            type: 'button',
            id: 'bulk-confirm',
            title: '楽天の注文確認待ち（100）の注文に注文確認を送ります',
            onclick: () => bulkConfirm(),
          },
          '注文確認',
        ),
      )
    : h(
        'p',
        { class: 'muted', id: 'readonly-note' },
        '閲覧のみの権限です（ステータス変更・引当解除はできません）',
      );

  main.append(h('h1', null, 'EC受注一覧'), filterForm, tabs, chips, bulkBar, resultBox, listBox, pager);

  function selectedIds() {
    return [...listBox.querySelectorAll('input.pick:checked')].map((el) => Number(el.value));
  }
  function updateCount() {
    const n = selectedIds().length;
    const el = document.getElementById('selected-count');
    if (el) el.textContent = `${n} 件選択`;
  }

  async function bulkStatus() {
    const ids = selectedIds();
    if (!ids.length) return showError('注文を選んでください');
    if (!targetSelect.value) return showError('変更先のステータスを選んでください');
    await runBulk('ステータス一括変更', () =>
      api('POST', '/api/orders/bulk-status', {
        ids,
        target: targetSelect.value,
        reason: reasonInput.value || undefined,
      }),
    );
  }
  async function bulkRelease() {
    const ids = selectedIds();
    if (!ids.length) return showError('注文を選んでください');
    if (!reasonInput.value.trim()) return showError('在庫予約解除の理由を入力してください');
    await runBulk('在庫予約解除', () =>
      api('POST', '/api/orders/release', { ids, reason: reasonInput.value.trim() }),
    );
  }
  async function bulkConfirm() {
    const ids = selectedIds();
    if (!ids.length) return showError('注文を選んでください');
    await runBulk('注文確認', () => api('POST', '/api/orders/confirm-at-cart', { ids }));
  }
  async function runBulk(title, call) {
    fill(resultBox, notice('info', '処理中…'));
    try {
      const { results } = await call();
      fill(resultBox, resultsTable(results, title));
      await Promise.all([loadCounts(), loadList()]);
    } catch (e) {
      showError(e.message);
    }
  }
  function showError(msg) {
    fill(resultBox, notice('error', msg));
  }

  async function loadCounts() {
    const { groups } = await get(withQuery('/api/orders/counts', { store: state.filters.store }));
    const all = groups.reduce((n, g) => n + g.total, 0);
    fill(
      tabs,
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: state.group === '' ? 'tab active' : 'tab',
          onclick: () => setGroup(''),
        },
        'すべて ',
        h('span', { class: 'count' }, String(all)),
      ),
      groups.map((g) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: state.group === g.group ? 'tab active' : 'tab',
            dataset: { group: g.group },
            onclick: () => setGroup(g.group),
          },
          g.label,
          ' ',
          h('span', { class: 'count' }, String(g.total)),
        ),
      ),
    );
    const shown = state.group ? groups.filter((g) => g.group === state.group) : groups;
    fill(
      chips,
      shown.flatMap((g) =>
        g.statuses.map((s) =>
          h(
            'button',
            {
              type: 'button',
              class: state.filters.status === s.code ? 'chip active' : 'chip',
              dataset: { status: s.code },
              onclick: () => {
                state.filters.status = state.filters.status === s.code ? '' : s.code;
                filterForm.elements.status.value = state.filters.status;
                reload(true);
              },
            },
            s.label,
            ' ',
            h('span', { class: 'count' }, String(s.n)),
          ),
        ),
      ),
    );
  }
  function setGroup(g) {
    state.group = g;
    state.filters.status = '';
    filterForm.elements.status.value = '';
    reload(true);
  }

  function sortHeader(key) {
    const active = state.sort === key;
    return h(
      'button',
      {
        type: 'button',
        class: `sort ${active ? 'active' : ''}`,
        dataset: { sort: key },
        onclick: () => {
          state.dir = active && state.dir === 'desc' ? 'asc' : 'desc';
          state.sort = key;
          reload(true);
        },
      },
      SORTS[key],
      active ? (state.dir === 'desc' ? ' ▼' : ' ▲') : '',
    );
  }

  async function loadList() {
    const url = withQuery('/api/orders', {
      group: state.group,
      ...state.filters,
      sort: state.sort,
      dir: state.dir,
      after: state.after,
      size: 50,
    });
    let data;
    try {
      data = await get(url);
    } catch (e) {
      fill(listBox, notice('error', e.message));
      clear(pager);
      return;
    }
    const all = h('input', {
      type: 'checkbox',
      id: 'pick-all',
      title: 'このページをすべて選択',
      onchange: (ev) => {
        for (const el of listBox.querySelectorAll('input.pick')) el.checked = ev.target.checked;
        updateCount();
      },
    });
    fill(
      listBox,
      h(
        'table',
        { class: 'grid orders', id: 'orders-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, ctx.can('operator') ? all : ''),
            h('th', null, '受注区分'),
            h('th', null, sortHeader('cartOrderNo')),
            h('th', null, sortHeader('orderNo')),
            h('th', null, 'ステータス'),
            h('th', null, '注文者'),
            h('th', null, sortHeader('orderedAt')),
            h('th', null, '送付先'),
            h('th', { class: 'num' }, sortHeader('total')),
          ),
        ),
        h(
          'tbody',
          null,
          data.rows.length
            ? data.rows.map((o) =>
                h(
                  'tr',
                  { class: o.needsAttention ? 'attention' : null, dataset: { orderId: String(o.id) } },
                  h(
                    'td',
                    null,
                    ctx.can('operator')
                      ? h('input', {
                          type: 'checkbox',
                          class: 'pick',
                          value: String(o.id),
                          'aria-label': `受注No ${o.orderNo} を選択`,
                          onchange: updateCount,
                        })
                      : '',
                  ),
                  h('td', null, o.storeName),
                  h('td', { class: 'mono' }, o.cartOrderNo),
                  h('td', { class: 'mono' }, h('a', { href: `/orders/${o.id}` }, o.orderNo)),
                  h(
                    'td',
                    null,
                    h('span', { class: `status g-${o.status.group}` }, o.status.label),
                    o.needsAttention ? h('span', { class: 'flag', title: '要確認' }, ' ⚠') : '',
                    o.allocationHold
                      ? h('span', { class: 'badge hold', title: o.allocationHold.reason ?? '' }, '引当保留')
                      : '',
                    // The cart has not released it for shipping (楽天 100/200): why, on hover.
                    o.cartHold
                      ? h('span', { class: 'badge cart-hold', title: o.cartHold.reason }, o.cartHold.label)
                      : '',
                    o.autoCancel
                      ? h(
                          'span',
                          {
                            class: 'badge auto-cancel',
                            title: `自動キャンセル期限 ${dt(o.autoCancel.deadline)}`,
                          },
                          o.autoCancel.label,
                        )
                      : '',
                    o.status.reason ? h('div', { class: 'reason' }, o.status.reason) : '',
                  ),
                  h('td', null, dash(o.orderer)),
                  h('td', { class: 'nowrap' }, dt(o.orderedAt)),
                  h(
                    'td',
                    null,
                    dash(o.shipTo),
                    o.shipToPrefecture ? h('span', { class: 'muted' }, `（${o.shipToPrefecture}）`) : '',
                    o.packages > 1 ? h('span', { class: 'muted' }, ` 他${o.packages - 1}件`) : '',
                  ),
                  h('td', { class: 'num' }, yen(o.total, o.currency)),
                ),
              )
            : h('tr', null, h('td', { colspan: 9, class: 'empty' }, '該当する注文はありません')),
        ),
      ),
    );
    fill(
      pager,
      h(
        'button',
        {
          type: 'button',
          id: 'prev-page',
          disabled: state.stack.length === 0,
          onclick: () => {
            state.after = state.stack.pop() ?? '';
            loadList();
          },
        },
        '← 前へ',
      ),
      h('span', { class: 'muted' }, ` ${state.stack.length + 1} ページ目（${data.rows.length} 件） `),
      h(
        'button',
        {
          type: 'button',
          id: 'next-page',
          disabled: !data.next,
          onclick: () => {
            state.stack.push(state.after);
            state.after = data.next;
            loadList();
          },
        },
        '次へ →',
      ),
    );
    updateCount();
  }

  async function reload(resetPage) {
    if (resetPage) {
      state.after = '';
      state.stack = [];
    }
    const q = withQuery(location.pathname, {
      group: state.group,
      ...state.filters,
      sort: state.sort === 'orderedAt' ? '' : state.sort,
      dir: state.dir === 'desc' ? '' : state.dir,
    });
    history.replaceState(null, '', q);
    await Promise.all([loadCounts(), loadList()]);
  }

  await reload(true);
}

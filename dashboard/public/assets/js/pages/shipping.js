// 出荷: the shipping instruction (selected orders, or every ready order of a store), orders waiting
// for picking with their shipment confirmation, and the warehouse's shipment-result CSV; each order's
// carrier; the label files per batch and the carriers' result files (labels-panel.js).
import { api, get, withQuery } from '../api.js';
import { dt, field, fill, h, lines, notice, resultsTable, select, table, yen } from '../dom.js';
import { sendUpload } from '../upload.js';
import { labelsPanel } from './labels-panel.js';

export async function render(main, ctx) {
  const { stores } = await get('/api/stores');
  const storeSelect = select('store', [['', 'すべての店舗'], ...stores.map((s) => [s.code, s.name])], '', {
    id: 'ship-store',
  });
  const ready = h('div', { id: 'ready-list' });
  const picking = h('div', { id: 'picking-list' });
  const out = h('div', { id: 'shipping-results' });
  const op = ctx.can('operator');
  main.append(
    h('h1', null, '出荷'),
    h('div', { class: 'filters' }, field('受注区分', storeSelect)),
    out,
    h('h2', null, '出荷指示待ち（新規受付分の出荷・在庫確認後の出荷）'),
    op
      ? h(
          'div',
          { class: 'bulkbar' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              id: 'instruct-selected',
              onclick: () => instruct('selected'),
            },
            '選択した注文を出荷指示',
          ),
          h(
            'button',
            { type: 'button', id: 'instruct-store', onclick: () => instruct('store') },
            '選んだ店舗の全件を出荷指示',
          ),
        )
      : h('p', { class: 'muted' }, '閲覧のみの権限です'),
    ready,
    h('h2', null, '出荷作業中'),
    picking,
  );
  if (op) {
    const file = h('input', { type: 'file', id: 'shipment-file', accept: '.csv,.tsv,.txt' });
    const upload = h(
      'form',
      { class: 'inline-form', id: 'shipment-upload' },
      h('strong', null, '出荷実績 CSV'),
      file,
      h('button', { type: 'submit' }, 'アップロード'),
      h('small', { class: 'muted' }, '列: 受注No（または 店舗 + 注文番号）, 伝票番号, 運送会社'),
    );
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) return fill(out, notice('error', 'ファイルを選んでください'));
      try {
        fill(out, notice('ok', `${file.files[0].name} を送信しています…`));
        // A large file answers 202: its progress is followed (the work goes on on the server).
        const r = await sendUpload('/api/shipping/upload', file.files[0], (m) => fill(out, notice('ok', m)));
        fill(out, notice(r.failed || r.status === 'failed' ? 'warn' : 'ok', lines(r.lines)));
        await load();
      } catch (e) {
        fill(out, notice('error', e.message));
      }
    });
    main.append(h('section', { class: 'card wide forms' }, upload));
  }

  const cols = (pick, extra = []) => [
    {
      label: '',
      cell: (o) => (pick && op ? h('input', { type: 'checkbox', class: 'pick', value: String(o.id) }) : ''),
    },
    { label: '受注No', cell: (o) => h('a', { href: `/orders/${o.id}` }, o.orderNo), class: 'mono' },
    { label: '注文No', cell: (o) => o.cartOrderNo, class: 'mono' },
    { label: '店舗', cell: (o) => o.storeName },
    { label: 'ステータス', cell: (o) => o.status.label },
    { label: '受注日時', cell: (o) => dt(o.orderedAt), class: 'nowrap' },
    {
      label: '送付先',
      cell: (o) => `${o.shipTo ?? '—'}${o.shipToPrefecture ? `（${o.shipToPrefecture}）` : ''}`,
    },
    { label: '合計', cell: (o) => yen(o.total, o.currency), class: 'num' },
    {
      label: '運送会社',
      cell: (o) =>
        o.carrier ? h('span', { title: o.carrier.reason, class: 'carrier' }, o.carrier.label) : '未定',
    },
    ...extra,
  ];

  async function load() {
    const store = storeSelect.value;
    const [a, b] = await Promise.all([
      get(withQuery('/api/shipping/orders', { store })),
      get(withQuery('/api/shipping/orders', { store, status: 'shipping' })),
    ]);
    fill(ready, table(cols(true), a.rows, { id: 'ready-table', empty: '出荷指示待ちの注文はありません' }));
    fill(
      picking,
      table(
        cols(true, [
          {
            label: '出荷完了',
            cell: (o) => {
              if (!op) return '';
              const t = h('input', { placeholder: '伝票番号', size: 14, class: 'tracking' });
              return h(
                'span',
                { class: 'row' },
                t,
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      try {
                        const { result } = await api('POST', `/api/orders/${o.id}/ship`, {
                          trackingNumber: t.value || undefined,
                        });
                        fill(out, resultsTable([result], '出荷完了'));
                        await load();
                      } catch (e) {
                        fill(out, notice('error', e.message));
                      }
                    },
                  },
                  '出荷完了',
                ),
              );
            },
          },
        ]),
        b.rows,
        { id: 'picking-table', empty: '出荷作業中の注文はありません' },
      ),
    );
  }

  async function instruct(mode) {
    let body;
    if (mode === 'selected') {
      const ids = [...ready.querySelectorAll('input.pick:checked')].map((el) => Number(el.value));
      if (!ids.length) return fill(out, notice('error', '注文を選んでください'));
      body = { orderIds: ids };
    } else {
      const codes = storeSelect.value ? [storeSelect.value] : stores.map((s) => s.code);
      if (
        !confirm(
          `${storeSelect.value ? '選んだ店舗' : 'すべての店舗'}の出荷指示待ちの注文を全件出荷指示しますか？`,
        )
      )
        return;
      body = { storeCodes: codes };
    }
    try {
      const r = await api('POST', '/api/shipping/instruction', body);
      fill(out, resultsTable(r.results, '出荷指示'));
      if (r.batchId)
        out.append(
          notice('ok', `出荷バッチ #${r.batchId} ができました。下の「送り状データ」から書き出せます`),
        );
      await load();
      await panel.load(r.batchId ?? undefined);
    } catch (e) {
      fill(out, notice('error', e.message));
    }
  }
  const panel = labelsPanel(
    { ...ctx, reload: () => load() },
    {
      out,
      selectedShipping: () =>
        [...picking.querySelectorAll('input.pick:checked')].map((el) => Number(el.value)),
    },
  );
  main.append(panel.section);
  storeSelect.addEventListener('change', () => load());
  await load();
  await panel.load();
}

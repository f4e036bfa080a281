// 取込エラー: records a cart sent that could not be read, with the error, the raw payload and a
// re-process action (admins) that enqueues the reprocess-reject job.
import { api, get, withQuery } from '../api.js';
import { dt, field, fill, formValues, h, notice, select, table } from '../dom.js';

export async function render(main, ctx) {
  const { stores } = await get('/api/stores');
  const params = new URLSearchParams(location.search);
  const form = h(
    'form',
    { class: 'filters' },
    field(
      '店舗',
      select('store', [['', 'すべて'], ...stores.map((s) => [s.code, s.name])], params.get('store') ?? ''),
    ),
    field(
      '状態',
      select(
        'state',
        [
          ['open', '未解決'],
          ['resolved', '解決済み'],
          ['all', 'すべて'],
        ],
        'open',
      ),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '表示')),
  );
  const out = h('div', { id: 'reject-messages' });
  const list = h('div', { id: 'rejects' });
  const detail = h('div', { id: 'reject-detail' });
  main.append(h('h1', null, '取込エラー'), form, out, list, detail);

  async function show(id) {
    const r = await get(`/api/import-rejects/${id}`);
    fill(
      detail,
      h(
        'section',
        { class: 'card wide' },
        h('h3', null, `取込エラー ${r.id}（${r.store} / ${r.cartOrderNo ?? '注文No不明'}）`),
        h('p', { class: 'error-text' }, r.error),
        r.field ? h('p', { class: 'muted' }, `項目: ${r.field}`) : '',
        ctx.can('admin') && !r.resolvedAt
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary',
                id: 'reprocess',
                onclick: async () => {
                  try {
                    fill(
                      out,
                      notice('ok', (await api('POST', `/api/import-rejects/${r.id}/reprocess`)).message),
                    );
                  } catch (e) {
                    fill(out, notice('error', e.message));
                  }
                },
              },
              '再処理',
            )
          : '',
        h('h4', null, 'カートの生データ'),
        h('pre', { class: 'raw', id: 'reject-payload' }, JSON.stringify(r.rawPayload, null, 2)),
      ),
    );
  }

  async function load() {
    const data = await get(withQuery('/api/import-rejects', formValues(form)));
    fill(
      list,
      table(
        [
          { label: 'ID', cell: (r) => String(r.id), class: 'num' },
          { label: '店舗', cell: (r) => r.storeName },
          { label: '注文No', cell: (r) => r.cartOrderNo ?? '—', class: 'mono' },
          { label: '項目', cell: (r) => r.field ?? '—' },
          { label: 'エラー', cell: (r) => r.error },
          { label: '日時', cell: (r) => dt(r.createdAt), class: 'nowrap' },
          { label: '状態', cell: (r) => (r.resolvedAt ? `解決済み（${r.resolution ?? ''}）` : '未解決') },
          { label: '', cell: (r) => h('button', { type: 'button', onclick: () => show(r.id) }, '詳細') },
        ],
        data.rejects,
        { id: 'rejects-table', empty: '取込エラーはありません' },
      ),
    );
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load().catch((e) => fill(list, notice('error', e.message)));
  });
  await load();
}

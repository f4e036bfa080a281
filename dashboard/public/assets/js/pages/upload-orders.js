// 受注CSV取込: an order file for a CSV store goes through the same import as the scheduled one, as
// one upload: a large file answers 202 and its progress is followed (the import goes on if this
// screen closes; アップロード履歴 keeps its result). The result's lines and every rejected record
// (with its reason) are shown.
import { get } from '../api.js';
import { field, fill, h, lines, notice, select, table } from '../dom.js';
import { sendUpload } from '../upload.js';

export async function render(main, ctx) {
  const { stores } = await get('/api/stores');
  const csvStores = stores.filter((s) => s.cart === 'csv');
  const out = h('div', { id: 'upload-results' });
  main.append(h('h1', null, '受注CSV取込'));
  if (!csvStores.length) {
    main.append(notice('info', 'CSV の店舗がありません（EC店舗でカート「CSV」の店舗を追加してください）'));
    return;
  }
  if (!ctx.can('operator')) {
    main.append(notice('info', '閲覧のみの権限です（取込は担当者・管理者が行います）'));
    return;
  }
  const storeSelect = select(
    'store',
    csvStores.map((s) => [s.code, s.name]),
    csvStores[0].code,
    { id: 'upload-store' },
  );
  const file = h('input', { type: 'file', id: 'order-file', accept: '.csv,.tsv,.txt', required: true });
  const form = h(
    'form',
    { class: 'card wide', id: 'order-upload' },
    h('div', { class: 'filters' }, field('店舗', storeSelect), field('注文ファイル', file)),
    h(
      'p',
      { class: 'muted' },
      '楽天・Yahoo!・EC-CUBE などの注文 CSV（CP932 / UTF-8）。同じ注文を二度取り込んでも伝票は増えません。',
    ),
    h('button', { type: 'submit', class: 'primary' }, '取り込む'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!file.files[0]) return fill(out, notice('error', 'ファイルを選んでください'));
    fill(out, notice('info', '取込中…'));
    try {
      const r = await sendUpload(
        `/api/stores/${encodeURIComponent(storeSelect.value)}/orders-upload`,
        file.files[0],
        (m) => fill(out, notice('info', m)),
      );
      fill(
        out,
        notice(r.failed || r.status === 'failed' ? 'warn' : 'ok', lines(r.lines)),
        r.rejects?.length
          ? table(
              [
                { label: '注文No', cell: (x) => x.cartOrderNo ?? '—', class: 'mono' },
                { label: '項目', cell: (x) => x.field ?? '—' },
                { label: 'エラー', cell: (x) => x.error },
              ],
              r.rejects,
              { id: 'upload-rejects' },
            )
          : '',
      );
    } catch (e) {
      fill(out, notice('error', e.message));
    }
  });
  main.append(form, out);
}

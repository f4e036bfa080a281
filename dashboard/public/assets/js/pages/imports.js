// 取込履歴: every import run with its window, counts, outcome and error — and the import jobs that did
// not import (取込せず), with why (a stopped store, credentials to enter again); a run that corrected
// something on its way (a cursor beyond the database's time, set back) says so in its 注記.
import { get, withQuery } from '../api.js';
import { dt, field, fill, formValues, h, notice, select, table } from '../dom.js';

const TRIGGER = {
  schedule: 'スケジュール',
  manual: '手動',
  retry: '再試行',
  reconcile: '照合',
  reimport: '再取込',
  upload: 'アップロード',
};
const OUTCOME = { succeeded: '成功', failed: '失敗', running: '実行中', skipped: '取込せず' };

export async function render(main) {
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
      '結果',
      select(
        'outcome',
        [
          ['', 'すべて'],
          ['succeeded', '成功'],
          ['failed', '失敗'],
          ['running', '実行中'],
          ['skipped', '取込せず'],
        ],
        '',
      ),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '表示')),
  );
  const list = h('div', { id: 'runs' });
  // Inbox files a CSV store's import could not process, moved to failed/ with their reason.
  const failedFiles = h('div', { id: 'failed-inbox-files' });
  main.append(h('h1', null, '取込履歴'), failedFiles, form, list);
  const pages = [];

  async function load(before) {
    const data = await get(withQuery('/api/import-runs', { ...formValues(form), before }));
    fill(
      list,
      table(
        [
          { label: 'ID', cell: (r) => String(r.id), class: 'num' },
          { label: '店舗', cell: (r) => r.storeName },
          { label: '契機', cell: (r) => TRIGGER[r.trigger] ?? r.trigger },
          { label: '開始', cell: (r) => dt(r.startedAt), class: 'nowrap' },
          {
            label: '所要',
            cell: (r) => (r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} 秒`),
            class: 'num',
          },
          {
            label: '結果',
            cell: (r) => h('span', { class: `outcome o-${r.outcome}` }, OUTCOME[r.outcome] ?? r.outcome),
          },
          { label: '取得', cell: (r) => String(r.counts.fetched), class: 'num' },
          { label: '新規', cell: (r) => String(r.counts.new), class: 'num' },
          { label: '更新', cell: (r) => String(r.counts.updated), class: 'num' },
          { label: '変化なし', cell: (r) => String(r.counts.unchanged), class: 'num' },
          { label: 'エラー', cell: (r) => String(r.counts.rejected), class: 'num' },
          { label: '対象外', cell: (r) => String(r.counts.skipped), class: 'num' },
          {
            label: '期間',
            cell: (r) => (r.windowFrom ? `${dt(r.windowFrom)} 〜 ${dt(r.windowTo)}` : '—'),
            class: 'nowrap',
          },
          {
            label: 'エラー・理由・注記',
            // 注記: what the run corrected on its way (a cursor beyond the database's time, set back).
            cell: (r) =>
              h(
                'div',
                null,
                r.error ?? r.skipReason ?? '',
                r.notice ? h('div', { class: 'run-notice' }, `注記: ${r.notice}`) : null,
              ),
            class: 'run-note',
          },
        ],
        data.runs,
        {
          id: 'runs-table',
          rowClass: (r) => (r.outcome === 'failed' ? 'ng' : r.outcome === 'skipped' ? 'skipped' : null),
          empty: '取込はまだありません',
        },
      ),
      h(
        'div',
        { class: 'pager' },
        h(
          'button',
          { type: 'button', disabled: pages.length === 0, onclick: () => load(pages.pop() || undefined) },
          '← 新しい方へ',
        ),
        h(
          'button',
          {
            type: 'button',
            disabled: !data.next,
            onclick: () => {
              pages.push(before ?? '');
              load(data.next);
            },
          },
          '古い方へ →',
        ),
      ),
    );
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    pages.length = 0;
    load().catch((e) => fill(list, notice('error', e.message)));
  });
  const { files } = await get('/api/inbox-files/failed');
  if (files.length)
    fill(
      failedFiles,
      h('h2', null, '取り込めなかったファイル（failed/ に移動）'),
      table(
        [
          { label: '店舗', cell: (f) => f.storeName },
          { label: 'ファイル', cell: (f) => f.name, class: 'mono' },
          { label: 'サイズ', cell: (f) => `${(f.sizeBytes / 1024 / 1024).toFixed(1)} MB`, class: 'num' },
          { label: '試行', cell: (f) => String(f.attempts), class: 'num' },
          { label: '日時', cell: (f) => (f.failedAt ? dt(f.failedAt) : '') },
          { label: '理由', cell: (f) => f.error ?? '' },
        ],
        files,
      ),
    );
  await load();
}

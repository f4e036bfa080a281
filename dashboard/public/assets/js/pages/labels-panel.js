// 出荷 → 送り状データ: the shipping batches (one per 出荷指示, or a selection of 出荷作業中 orders), each
// carrier's label file for the chosen batch (a download in the carrier's layout, Shift_JIS), and the
// carriers' result files back (伝票番号 → 出荷完了; rows that match no order are listed). A result file
// is an upload of the ledger: a large one answers 202 and is followed at /api/uploads/:id.
import { api, get } from '../api.js';
import { dt, fill, h, lines, notice, select, table } from '../dom.js';
import { sendUpload } from '../upload.js';
import { batchDocumentLinks } from './document-links.js';

const CARRIERS = [
  ['yamato', 'ヤマト運輸（B2クラウド）'],
  ['sagawa', '佐川急便（e飛伝）'],
  ['japanpost', '日本郵便（ゆうプリR）'],
];
const SOURCE = { instruction: '出荷指示', selection: '選択' };
const CARRIER_NAME = Object.fromEntries(CARRIERS);

async function download(batchId, carrier) {
  const res = await fetch(`/api/shipping/batches/${batchId}/labels?carrier=${carrier}`, {
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.message ?? `エラー (${res.status})`);
  }
  const summary = JSON.parse(decodeURIComponent(res.headers.get('x-label-summary') ?? '%7B%7D'));
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { download: summary.fileName ?? 'labels.csv', id: 'label-download-link' });
  a.href = url; // a blob: URL of our own making (h() keeps only relative links)
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return summary;
}

export function labelsPanel(ctx, { out, selectedShipping }) {
  const op = ctx.can('operator');
  const batchSelect = select('batch', [], '', { id: 'batch-select' });
  const detail = h('div', { id: 'batch-detail' });
  const uploads = h('div', { id: 'tracking-uploads' });
  const section = h(
    'section',
    { class: 'card wide', id: 'labels-panel' },
    h('h2', null, '送り状データ（出荷バッチ）'),
    h(
      'div',
      { class: 'filters' },
      h('label', { class: 'field' }, h('span', null, '出荷バッチ'), batchSelect),
      op
        ? h(
            'button',
            { type: 'button', id: 'batch-from-selection', onclick: () => fromSelection() },
            '選択した出荷作業中の注文でバッチを作る',
          )
        : null,
    ),
    detail,
  );

  async function fromSelection() {
    const ids = selectedShipping();
    if (!ids.length) return fill(out, notice('error', '出荷作業中の注文を選んでください'));
    try {
      const r = await api('POST', '/api/shipping/batches', { orderIds: ids });
      fill(out, notice('ok', `出荷バッチ #${r.batchId} を作りました（${r.orders} 件）`));
      await loadBatches(r.batchId);
    } catch (e) {
      fill(out, notice('error', e.message));
    }
  }

  async function loadBatches(chosen) {
    const { batches } = await get('/api/shipping/batches');
    fill(
      batchSelect,
      batches.length
        ? batches.map((b) =>
            h(
              'option',
              { value: String(b.id), selected: String(b.id) === String(chosen ?? batches[0].id) },
              `#${b.id} ${b.shipDate} ${SOURCE[b.source] ?? b.source} ${b.orders}件（${b.createdBy}）`,
            ),
          )
        : h('option', { value: '' }, '出荷バッチはまだありません（出荷指示で作られます）'),
    );
    await loadDetail();
  }

  async function loadDetail() {
    const id = batchSelect.value;
    if (!id)
      return fill(detail, h('p', { class: 'muted' }, '出荷指示をすると、その注文が出荷バッチになります'));
    const d = await get(`/api/shipping/batches/${id}`);
    const buttons = CARRIERS.map(([code, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: `export-${code}`,
          disabled: !op || !d.counts[code],
          title: d.layouts[code],
          onclick: async () => {
            try {
              const s = await download(id, code);
              fill(
                out,
                notice(
                  s.refused.length ? 'error' : 'ok',
                  `${s.fileName}: ${s.orders} 件 ${s.rows} 行（${s.layout.name}）`,
                  s.changedSinceLast ? ' ※前回の書き出しと内容が違います（注文が変わりました）' : '',
                ),
                s.refused.length
                  ? table(
                      [
                        { label: '受注No', cell: (w) => w.orderNo },
                        { label: '書き出していない理由', cell: (w) => w.message },
                      ],
                      s.refused,
                      { id: 'label-refused' },
                    )
                  : null,
                s.warnings.length
                  ? table(
                      [
                        { label: '受注No', cell: (w) => w.orderNo },
                        { label: '注意', cell: (w) => w.message },
                      ],
                      s.warnings,
                      { id: 'label-warnings' },
                    )
                  : null,
              );
              await loadDetail();
            } catch (e) {
              fill(out, notice('error', e.message));
            }
          },
        },
        `${label} ${d.counts[code] ?? 0}件`,
      ),
    );
    const none = d.counts.none ?? 0;
    fill(
      detail,
      h('div', { class: 'bulkbar', id: 'export-buttons' }, buttons),
      op ? batchDocumentLinks(id) : null,
      none ? notice('error', `運送会社が決まっていない注文が ${none} 件あります（配送設定）`) : null,
      table(
        [
          { label: '受注No', cell: (o) => h('a', { href: `/orders/${o.id}` }, o.orderNo), class: 'mono' },
          { label: '注文No', cell: (o) => o.cartOrderNo, class: 'mono' },
          { label: '店舗', cell: (o) => o.store },
          { label: 'ステータス', cell: (o) => o.status },
          { label: '運送会社', cell: (o) => o.carrierLabel },
          { label: '決め方', cell: (o) => o.reason },
          { label: '荷物・個口', cell: (o) => `${o.packages}・${o.parcels}`, class: 'num' },
        ],
        d.orders,
        { id: 'batch-orders' },
      ),
      d.exports.length
        ? h(
            'details',
            null,
            h('summary', null, `書き出し履歴 ${d.exports.length} 件`),
            table(
              [
                { label: '日時', cell: (e) => dt(e.exportedAt), class: 'nowrap' },
                { label: '運送会社', cell: (e) => e.carrier },
                { label: '件数・行', cell: (e) => `${e.orders}・${e.rows}`, class: 'num' },
                { label: 'SHA-256', cell: (e) => e.sha256.slice(0, 16), class: 'mono' },
                { label: '担当', cell: (e) => e.exportedBy },
              ],
              d.exports,
            ),
          )
        : null,
    );
  }

  // 伝票番号の取込: a carrier's result file.
  if (op) {
    const carrier = select('carrier', CARRIERS, 'yamato', { id: 'tracking-carrier' });
    const file = h('input', { type: 'file', id: 'tracking-file', accept: '.csv,.txt,.tsv' });
    const form = h(
      'form',
      { class: 'inline-form', id: 'tracking-upload' },
      h('strong', null, '伝票番号の取込（発行済みデータ・出荷実績）'),
      carrier,
      file,
      h('button', { type: 'submit' }, '取り込む'),
      h('small', { class: 'muted' }, 'お客様管理番号（受注No＋荷物番号2桁）と伝票番号で出荷完了にします'),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) return fill(out, notice('error', 'ファイルを選んでください'));
      try {
        fill(out, notice('ok', `${file.files[0].name} を送信しています…`));
        const r = await sendUpload(
          `/api/shipping/tracking-upload?carrier=${carrier.value}`,
          file.files[0],
          (m) => fill(out, notice('ok', m)),
        );
        fill(out, uploadView(r));
        await loadUploads();
        ctx.reload?.();
      } catch (e) {
        fill(out, notice('error', e.message));
      }
    });
    section.append(form);
  }
  section.append(h('h3', null, '伝票番号の取込履歴'), uploads);

  async function loadUploads() {
    const { uploads: list } = await get('/api/shipping/tracking-uploads');
    fill(
      uploads,
      table(
        [
          { label: '日時', cell: (u) => dt(u.createdAt), class: 'nowrap' },
          { label: '運送会社', cell: (u) => CARRIER_NAME[u.result?.carrier] ?? u.result?.carrier ?? '' },
          { label: 'ファイル', cell: (u) => `${u.fileName}（#${u.id}）` },
          {
            label: '行・取込',
            cell: (u) =>
              u.status === 'running' ? `処理中 ${u.rowsRead}` : `${u.rowsRead}・${u.rowsApplied}`,
            class: 'num',
          },
          {
            label: '一致しない行',
            cell: (u) => (u.rowsFailed ? errorsOf(u) : u.status === 'failed' ? (u.error ?? '失敗') : '0'),
          },
          { label: '担当', cell: (u) => u.actor },
        ],
        list,
        { id: 'uploads-table', empty: 'まだ取り込んでいません' },
      ),
    );
  }

  batchSelect.addEventListener('change', () => loadDetail());
  return {
    section,
    async load(chosen) {
      await Promise.all([loadBatches(chosen), loadUploads()]);
    },
  };
}

/** The rows an upload refused, fetched when opened (/api/uploads/:id keeps them by line). */
function errorsOf(u) {
  const body = h('div', null, '…');
  const d = h('details', null, h('summary', null, `${u.rowsFailed} 行`), body);
  d.addEventListener('toggle', async () => {
    if (!d.open || body.dataset.loaded) return;
    body.dataset.loaded = '1';
    const { errors } = await get(`/api/uploads/${u.id}`);
    fill(
      body,
      table(
        [
          { label: '行', cell: (e) => e.line ?? '', class: 'num' },
          { label: '理由', cell: (e) => e.message },
        ],
        errors,
        { id: 'unmatched-rows' },
      ),
    );
  });
  return d;
}

/** What the file did: the stored result's lines (refused rows by line, orders waiting, the summary). */
function uploadView(r) {
  return h(
    'section',
    { class: 'results', id: 'tracking-results' },
    h('h3', null, '伝票番号の取込'),
    notice(r.failed || r.status === 'failed' ? 'warn' : 'ok', lines(r.lines ?? [])),
  );
}

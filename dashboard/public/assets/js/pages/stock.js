// 在庫: on hand, reserved and available per product and warehouse; arrivals (入荷), count
// corrections (棚卸) and a CSV upload. Waiting orders get stock oldest first after each change.
import { api, get, withQuery } from '../api.js';
import { ago, dt, field, fill, formValues, h, lines, notice, select, table } from '../dom.js';

export async function render(main, ctx) {
  const [{ warehouses }, { products }] = await Promise.all([get('/api/warehouses'), get('/api/products')]);
  // A disabled warehouse (停止中) takes no new reservations: the screen says so wherever it appears.
  const stopped = new Set(warehouses.filter((w) => !w.enabled).map((w) => w.code));
  const whOptions = warehouses.map((w) => [w.code, w.enabled ? w.name : `${w.name}（停止中）`]);
  const datalist = h(
    'datalist',
    { id: 'product-codes' },
    products.map((p) => h('option', { value: p.code }, p.name)),
  );
  const filter = h(
    'form',
    { class: 'filters', id: 'stock-filter' },
    field(
      '商品',
      h('input', { name: 'product', size: 16, list: 'product-codes', placeholder: 'コード・商品名' }),
    ),
    field('倉庫', select('warehouse', [['', 'すべて'], ...whOptions], '')),
    field('不足のみ', h('input', { type: 'checkbox', name: 'short', value: '1' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '表示')),
  );
  const list = h('div', { id: 'stock-list' });
  const sets = h('div', { id: 'stock-sets' });
  const out = h('div', { id: 'stock-results' });
  main.append(h('h1', null, '在庫'), datalist, filter);

  if (ctx.can('operator')) {
    const receive = h(
      'form',
      { class: 'inline-form', id: 'receive-form' },
      h('strong', null, '入荷'),
      h('input', {
        name: 'product',
        list: 'product-codes',
        placeholder: '商品コード',
        required: true,
        size: 14,
      }),
      select('warehouse', whOptions, whOptions[0]?.[0], { id: 'receive-warehouse' }),
      h('input', {
        name: 'quantity',
        type: 'number',
        min: 1,
        placeholder: '数量',
        required: true,
        style: 'width:6em',
      }),
      h('button', { type: 'submit' }, '入荷を登録'),
    );
    const correct = h(
      'form',
      { class: 'inline-form', id: 'correct-form' },
      h('strong', null, '棚卸修正'),
      h('input', {
        name: 'product',
        list: 'product-codes',
        placeholder: '商品コード',
        required: true,
        size: 14,
      }),
      select('warehouse', whOptions, whOptions[0]?.[0], { id: 'correct-warehouse' }),
      h('input', {
        name: 'counted',
        type: 'number',
        min: 0,
        placeholder: '実在庫数',
        required: true,
        style: 'width:6em',
      }),
      h('button', { type: 'submit' }, '在庫数を修正'),
    );
    const file = h('input', { type: 'file', id: 'stock-file', accept: '.csv,.tsv,.txt' });
    const upload = h(
      'form',
      { class: 'inline-form', id: 'stock-upload' },
      h('strong', null, 'CSV 取込'),
      file,
      h('button', { type: 'submit' }, 'アップロード'),
      h('small', { class: 'muted' }, '列: 商品コード, 倉庫, 入荷数 または 実在庫数'),
    );
    const submit = (form, url, toBody) =>
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
          const r = await api('POST', url, toBody(formValues(form)));
          fill(out, r.lines ? lines(r.lines) : notice('ok', r.message));
          form.reset();
          await load();
        } catch (e) {
          fill(out, notice('error', e.message));
        }
      });
    submit(receive, '/api/stock/receive', (v) => ({
      product: v.product,
      warehouse: v.warehouse,
      quantity: Number(v.quantity),
    }));
    submit(correct, '/api/stock/correct', (v) => ({
      product: v.product,
      warehouse: v.warehouse,
      counted: Number(v.counted),
    }));
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) return fill(out, notice('error', 'ファイルを選んでください'));
      try {
        fill(out, notice('ok', `${file.files[0].name} を送信しています…`));
        let r = await api('POST', '/api/stock/upload', file.files[0]);
        // A large file answers 202 with its upload id: follow its progress (the work goes on
        // on the server whether or not this screen stays open).
        while (r.status === 'running' && r.uploadId) {
          fill(out, notice('ok', r.message));
          await new Promise((done) => setTimeout(done, 1000));
          const { upload } = await get(`/api/uploads/${r.uploadId}`);
          r =
            upload.status === 'running'
              ? {
                  ...r,
                  message: `${upload.fileName}: ${upload.rowsRead.toLocaleString('ja-JP')} 行を処理（反映 ${upload.rowsApplied.toLocaleString('ja-JP')}・エラー ${upload.rowsFailed.toLocaleString('ja-JP')}）アップロード #${upload.id}`,
                }
              : { lines: upload.result?.lines ?? [upload.error ?? '失敗しました'] };
        }
        fill(out, r.lines ? lines(r.lines) : notice('ok', r.message));
        await Promise.all([load(), loadUploads()]);
      } catch (e) {
        fill(out, notice('error', e.message));
      }
    });
    main.append(h('section', { class: 'card wide forms' }, receive, correct, upload));
  }
  // アップロード履歴: each stock file's result, stored on the server (shown even after a disconnect).
  const uploads = h('div', { id: 'stock-uploads' });
  main.append(out, list, sets, uploads);

  async function loadUploads() {
    const { uploads: rows } = await get('/api/uploads?kind=stock');
    const state = { running: '処理中', succeeded: '完了', failed: '失敗' };
    fill(
      uploads,
      h('h2', null, 'アップロード履歴'),
      rows.length === 0
        ? notice('ok', 'まだアップロードはありません')
        : table(
            [
              { label: '#', cell: (u) => String(u.id), class: 'num' },
              { label: 'ファイル', cell: (u) => u.fileName },
              { label: '状態', cell: (u) => state[u.status] ?? u.status },
              { label: '反映', cell: (u) => u.rowsApplied.toLocaleString('ja-JP'), class: 'num' },
              { label: 'エラー', cell: (u) => u.rowsFailed.toLocaleString('ja-JP'), class: 'num' },
              { label: '送信者', cell: (u) => u.actor },
              { label: '日時', cell: (u) => u.createdAt.slice(0, 16).replace('T', ' ') },
              { label: '内容', cell: (u) => u.error ?? u.result?.lines?.at(-1) ?? '' },
            ],
            rows,
          ),
    );
  }
  loadUploads().catch(() => undefined);

  async function load() {
    const { rows } = await get(withQuery('/api/stock', formValues(filter)));
    fill(
      list,
      table(
        [
          { label: '商品コード', cell: (r) => r.productCode, class: 'mono' },
          { label: '商品名', cell: (r) => r.name },
          {
            label: '倉庫',
            cell: (r) =>
              h(
                'span',
                null,
                r.warehouseName,
                stopped.has(r.warehouse)
                  ? h('span', { class: 'badge off', title: '新しい引当をしません' }, '停止中')
                  : '',
              ),
          },
          { label: '実在庫', cell: (r) => String(r.onHand), class: 'num' },
          { label: '引当済', cell: (r) => String(r.reserved), class: 'num' },
          { label: '引当可能', cell: (r) => String(r.available), class: 'num' },
          {
            label: '在庫待ち数量',
            cell: (r) => (r.waitingDemand ? String(r.waitingDemand) : ''),
            class: 'num',
          },
        ],
        rows,
        { id: 'stock-table', rowClass: (r) => (r.available === 0 ? 'short' : null) },
      ),
    );
    await loadSets();
  }

  // セット商品 have no stock of their own: what they can still take is the minimum over their
  // components of 引当可能 ÷ quantity (稼働中 warehouses only).
  async function loadSets() {
    const q = (formValues(filter).product ?? '').toLowerCase();
    const all = (await get('/api/sets')).sets;
    const shown = q
      ? all.filter(
          (s) =>
            `${s.code} ${s.name}`.toLowerCase().includes(q) ||
            s.components.some((c) => `${c.productCode} ${c.name}`.toLowerCase().includes(q)),
        )
      : all;
    fill(
      sets,
      all.length
        ? [
            h('h2', null, 'セット商品の引当可能数'),
            table(
              [
                { label: 'セット商品', cell: (s) => s.code, class: 'mono' },
                { label: '商品名', cell: (s) => s.name },
                {
                  label: '構成品 × 数量（引当可能数）',
                  cell: (s) =>
                    s.components.map((c) => `${c.productCode} ×${c.quantity}（${c.free}）`).join('、'),
                },
                { label: '引当可能セット数', cell: (s) => String(s.freeSets), class: 'num free-sets' },
                {
                  label: '在庫待ちセット',
                  cell: (s) => (s.waitingSets ? String(s.waitingSets) : ''),
                  class: 'num',
                },
              ],
              shown,
              {
                id: 'stock-sets-table',
                rowData: (s) => ({ code: s.code }),
                rowClass: (s) => (s.freeSets === 0 ? 'short' : null),
                empty: '条件に合うセット商品はありません',
              },
            ),
          ]
        : '',
    );
  }
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  await load();
  await pushPanel(main, ctx);
  await safetyPanel(main, ctx);
}

// 安全在庫 per store × product (在庫連携): the units a store keeps back, so its cart shows the free
// quantity minus these. Everyone sees them; operators and admins change them (empty = the store's
// default). The server checks each value (a whole number 0–1,000,000) and says why it refuses one.
async function safetyPanel(main, ctx) {
  const panel = h('section', { id: 'stock-safety' });
  main.append(panel);
  const { stores } = await get('/api/stock/pushes');
  if (!stores.length) return;
  const storeSelect = select(
    'store',
    stores.map((s) => [s.code, `${s.name}（${s.code}）`]),
    stores[0].code,
    { id: 'safety-store' },
  );
  const body = h('div', { id: 'safety-body' });
  const result = h('div', { id: 'safety-result' });
  fill(
    panel,
    h('h2', null, '安全在庫（店舗別）'),
    h(
      'p',
      { class: 'muted' },
      'カートに表示する数 = 引当可能数 − 安全在庫。個別の値がない商品には店舗の既定値を使います。',
    ),
    field('店舗', storeSelect),
    body,
    result,
  );
  const save = async (product, quantity) => {
    try {
      const r = await api('PUT', `/api/stores/${encodeURIComponent(storeSelect.value)}/stock-safety`, {
        product,
        quantity,
      });
      await show();
      fill(result, notice('ok', r.message));
    } catch (e) {
      fill(result, notice('error', e.message));
    }
  };
  const show = async () => {
    const l = await get(`/api/stores/${encodeURIComponent(storeSelect.value)}/stock-safety`);
    const editable = ctx.can('operator');
    const add = editable
      ? h(
          'form',
          { class: 'inline-form', id: 'safety-add' },
          h('strong', null, '追加・変更'),
          h('input', {
            name: 'product',
            list: 'product-codes',
            placeholder: '商品コード',
            required: true,
            size: 14,
          }),
          h('input', {
            name: 'quantity',
            inputmode: 'numeric',
            placeholder: '安全在庫数',
            required: true,
            style: 'width:7em',
          }),
          h('button', { type: 'submit' }, '保存'),
        )
      : '';
    fill(
      body,
      h(
        'p',
        { id: 'safety-default' },
        `既定の安全在庫: ${l.defaultQuantity} 個（ストア設定 stockSafety）・在庫連携 ${l.enabled ? 'オン' : 'オフ（カートには送信しません）'}`,
      ),
      table(
        [
          { label: '商品コード', cell: (i) => i.productCode },
          { label: '商品名', cell: (i) => i.productName ?? '' },
          editable
            ? {
                label: '安全在庫',
                cell: (i) =>
                  h('input', {
                    class: 'safety-quantity',
                    inputmode: 'numeric',
                    value: String(i.quantity),
                    dataset: { product: i.productCode },
                    style: 'width:7em',
                  }),
              }
            : { label: '安全在庫', cell: (i) => String(i.quantity), class: 'num' },
          ...(editable
            ? [
                {
                  label: '',
                  cell: (i) =>
                    h(
                      'span',
                      null,
                      h(
                        'button',
                        { type: 'button', class: 'safety-save', dataset: { product: i.productCode } },
                        '保存',
                      ),
                      h(
                        'button',
                        { type: 'button', class: 'safety-clear', dataset: { product: i.productCode } },
                        '解除',
                      ),
                    ),
                },
              ]
            : []),
        ],
        l.items,
        { id: 'safety-items', empty: '個別の安全在庫はありません（すべて既定値）' },
      ),
      add,
    );
    if (!editable) return;
    body.querySelector('#safety-add').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = formValues(ev.target);
      await save(v.product, v.quantity);
    });
    for (const b of body.querySelectorAll('button.safety-save'))
      b.addEventListener('click', () => {
        const input = body.querySelector(
          `input.safety-quantity[data-product="${CSS.escape(b.dataset.product)}"]`,
        );
        return save(b.dataset.product, input.value);
      });
    for (const b of body.querySelectorAll('button.safety-clear'))
      b.addEventListener('click', () => save(b.dataset.product, null));
  };
  storeSelect.addEventListener('change', () => {
    fill(result);
    return show();
  });
  await show();
}

// 在庫連携: per store the last pushed quantity, when, and whether the cart accepted it; drift found
// by the full sync (the cart had X, juchu had pushed Y); failures and refusals with 再送; per store ×
// product 今すぐ連携; a dry run and a 全件照合 per store. Every push goes through the same POST, which
// records it in the outbox (the screen sends nothing to a cart itself).
async function pushPanel(main, ctx) {
  const panel = h('section', { id: 'stock-push' });
  main.append(panel);
  const itemKey = (r) => (r.cartOptionCode ? `${r.cartProductCode}:${r.cartOptionCode}` : r.cartProductCode);
  const outcome = { accepted: '受付済み', refused: '拒否（要確認）', failed: '失敗（再送します）' };
  const outcomeText = (r) =>
    !r.outcome
      ? '未送信'
      : r.outcome === 'failed' && r.failures > 1
        ? `${outcome.failed}・${r.failures} 回`
        : outcome[r.outcome];
  // drift = what the cart had − what juchu had pushed (db/recordDrift), so the pushed number is
  // cart − drift even after the sync cleared pushed_quantity to send it again.
  const driftText = (r) =>
    r.drift
      ? `カート ${r.cartQuantity} / juchu ${r.cartQuantity - r.drift}（${r.drift > 0 ? '+' : ''}${r.drift}${r.driftCheckedAt ? `・${dt(r.driftCheckedAt)} 照合` : ''}）`
      : '';
  const show = async (problems) => {
    const { stores, items } = await get(withQuery('/api/stock/pushes', { problems: problems ? '1' : '' }));
    const pushable = new Set(stores.filter((s) => s.enabled && ctx.can('operator')).map((s) => s.code));
    const result = h('div', { id: 'stock-push-result' });
    fill(
      panel,
      h('h2', null, '在庫連携'),
      table(
        [
          { label: '店舗', cell: (s) => `${s.name}（${s.code}）` },
          { label: '連携', cell: (s) => (s.enabled ? 'オン' : 'オフ') },
          { label: '未反映', cell: (s) => String(s.pending), class: 'num' },
          { label: '失敗', cell: (s) => String(s.failed), class: 'num' },
          { label: '拒否', cell: (s) => String(s.refused), class: 'num' },
          { label: '遅れ', cell: (s) => (s.pending ? ago(Math.round(s.lagSeconds)) : '—') },
          {
            label: '',
            cell: (s) =>
              h(
                'span',
                null,
                h(
                  'button',
                  { type: 'button', class: 'dry-run', dataset: { store: s.code } },
                  '送信内容を確認',
                ),
                pushable.has(s.code)
                  ? h(
                      'button',
                      { type: 'button', class: 'push-now', dataset: { store: s.code } },
                      '今すぐ送信・再送信',
                    )
                  : '',
                pushable.has(s.code)
                  ? h(
                      'button',
                      { type: 'button', class: 'push-full', dataset: { store: s.code } },
                      '全件照合',
                    )
                  : '',
              ),
          },
        ],
        stores,
        { id: 'stock-push-stores' },
      ),
      h(
        'label',
        null,
        h('input', { type: 'checkbox', id: 'stock-push-problems', checked: problems }),
        ' 失敗・拒否・差異のみ',
      ),
      table(
        [
          { label: '店舗', cell: (r) => r.store },
          { label: 'カート商品', cell: itemKey },
          { label: '商品', cell: (r) => r.productCode },
          { label: '目標', cell: (r) => String(r.wantedQuantity), class: 'num' },
          {
            label: '最終送信',
            cell: (r) => (r.pushedQuantity === null ? '未送信' : String(r.pushedQuantity)),
            class: 'num',
          },
          { label: '送信日時', cell: (r) => (r.pushedAt ? dt(r.pushedAt) : '—') },
          { label: '結果', cell: outcomeText },
          { label: '差異（全件照合）', cell: driftText },
          { label: '回答', cell: (r) => (r.outcome && r.outcome !== 'accepted' ? (r.answer ?? '') : '') },
          {
            label: '',
            cell: (r) =>
              pushable.has(r.store)
                ? h(
                    'button',
                    {
                      type: 'button',
                      class:
                        r.outcome === 'failed' || r.outcome === 'refused' ? 'push-item retry' : 'push-item',
                      dataset: { store: r.store, product: r.productCode },
                    },
                    r.outcome === 'failed' || r.outcome === 'refused' ? '再送' : '今すぐ連携',
                  )
                : '',
          },
        ],
        items,
        {
          id: 'stock-push-items',
          rowClass: (r) => (r.outcome === 'failed' || r.outcome === 'refused' || r.drift ? 'short' : null),
          empty: '在庫連携の記録はまだありません',
        },
      ),
      result,
    );
    panel.querySelector('#stock-push-problems').addEventListener('change', (ev) => show(ev.target.checked));
    for (const b of panel.querySelectorAll('button.dry-run'))
      b.addEventListener('click', async () => {
        const plan = await get(`/api/stores/${encodeURIComponent(b.dataset.store)}/stock-push/plan`);
        const changes = plan.items.filter((i) => i.changes);
        fill(
          result,
          h('h3', null, `${plan.store.name}: 送信される内容（ドライラン・何も送りません）`),
          plan.enabled ? '' : notice('info', '在庫連携がオフのため、実際には送信されません。'),
          table(
            [
              { label: 'カート商品', cell: itemKey },
              { label: '商品', cell: (i) => i.productCode },
              { label: '引当可能', cell: (i) => String(i.free), class: 'num' },
              { label: '安全在庫', cell: (i) => String(i.safety), class: 'num' },
              { label: '入数', cell: (i) => String(i.unitsPerCartUnit), class: 'num' },
              { label: '送信数', cell: (i) => String(i.quantity), class: 'num' },
              {
                label: '前回',
                cell: (i) => (i.lastPushed === null ? '—' : String(i.lastPushed)),
                class: 'num',
              },
            ],
            changes,
            { id: 'stock-push-plan', empty: '送信が必要な商品はありません（カートは最新です）' },
          ),
        );
      });
    const push = async (b, body) => {
      b.disabled = true;
      try {
        const r = await api('POST', `/api/stores/${encodeURIComponent(b.dataset.store)}/stock-push`, body);
        fill(result, notice('ok', r.message));
      } catch (e) {
        fill(result, notice('error', e.message));
      } finally {
        b.disabled = false;
      }
    };
    for (const b of panel.querySelectorAll('button.push-now')) b.addEventListener('click', () => push(b, {}));
    for (const b of panel.querySelectorAll('button.push-full'))
      b.addEventListener('click', () => push(b, { full: true }));
    for (const b of panel.querySelectorAll('button.push-item'))
      b.addEventListener('click', () => push(b, { product: b.dataset.product }));
  };
  await show(false);
}

// 商品マスタ: our products (code, name, JAN, tax rate, 要修正 with its note, active), a page at a
// time with search; admins add and edit them, deactivate one (a product orders use is never deleted),
// and import or export the whole master as CSV (a dry run shows what would change first). The cart
// codes orders wait on in マスタなし商品 come first: 「商品として登録」 fills the form with the code
// and the name the cart sent, and saving it lets those orders go on.
import { ApiError, api, get, withQuery } from '../api.js';
import { field, fill, formValues, h, lines, notice, select, table } from '../dom.js';
import { sendUpload } from '../upload.js';

const STATE = [
  ['active', '有効のみ'],
  ['inactive', '無効のみ'],
  ['all', 'すべて'],
];

export async function render(main, ctx) {
  const admin = ctx.can('admin');
  const out = h('div', { id: 'product-messages' });
  const waiting = h('div', { id: 'waiting-codes' });
  const list = h('div', { id: 'products' });
  const say = (kind, text) => fill(out, typeof text === 'string' ? notice(kind, text) : text);

  const filter = h(
    'form',
    { class: 'filters', id: 'product-filter' },
    field('検索', h('input', { name: 'q', size: 20, placeholder: '商品コード・商品名・JAN' })),
    field('状態', select('state', STATE, 'active')),
    field('要修正のみ', h('input', { type: 'checkbox', name: 'needsCheck', value: '1' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '表示')),
  );

  let editing = null;
  const title = h('h3', { id: 'product-form-title' }, '商品を追加');
  const form = h(
    'form',
    { class: 'card wide', id: 'product-form' },
    title,
    h(
      'div',
      { class: 'filters' },
      field('商品コード', h('input', { name: 'code', id: 'product-code', required: true, size: 16 })),
      field('商品名', h('input', { name: 'name', id: 'product-name', required: true, size: 36 })),
      field(
        'JAN',
        h('input', { name: 'jan', id: 'product-jan', size: 15, inputmode: 'numeric' }),
        '8 桁か 13 桁',
      ),
      field(
        '税率',
        select(
          'taxRate',
          [
            ['10', '10%'],
            ['8', '8%（軽減税率）'],
          ],
          '10',
          { id: 'product-tax' },
        ),
      ),
      field(
        '要修正',
        h('input', { type: 'checkbox', name: 'needsCheck', id: 'product-needs-check', value: '1' }),
      ),
      field(
        '要修正メモ',
        h('input', { name: 'needsCheckNote', id: 'product-note', size: 30 }),
        '確認する人が読む理由（例: 名入れの文字を確認）',
      ),
      field(
        '有効',
        h('input', { type: 'checkbox', name: 'active', id: 'product-active', value: '1', checked: true }),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'product-save' }, '保存'),
        h('button', { type: 'button', onclick: () => resetForm() }, '新規に戻す'),
      ),
    ),
  );

  function resetForm() {
    editing = null;
    form.reset();
    form.elements.code.readOnly = false;
    title.textContent = '商品を追加';
  }

  function editProduct(p, isNew = false) {
    editing = isNew ? null : p.code;
    form.elements.code.value = p.code;
    form.elements.code.readOnly = !isNew;
    form.elements.name.value = p.name ?? '';
    form.elements.jan.value = p.jan ?? '';
    form.elements.taxRate.value = String(p.taxRate === 8 ? 8 : 10);
    form.elements.needsCheck.checked = Boolean(p.needsCheck);
    form.elements.needsCheckNote.value = p.needsCheckNote ?? '';
    form.elements.active.checked = p.active !== false;
    title.textContent = isNew ? `商品 ${p.code} を追加` : `商品 ${p.code} を編集`;
    form.scrollIntoView({ behavior: 'smooth' });
    form.elements.name.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = {
      name: v.name ?? '',
      jan: v.jan ?? null,
      taxRate: Number(v.taxRate ?? 10),
      needsCheck: form.elements.needsCheck.checked,
      needsCheckNote: v.needsCheckNote ?? null,
      active: form.elements.active.checked,
    };
    try {
      const r = editing
        ? await api('PUT', `/api/product-master/${encodeURIComponent(editing)}`, body)
        : await api('POST', '/api/product-master', { code: v.code ?? '', ...body });
      say('ok', r.message);
      resetForm();
      await load();
    } catch (e) {
      say('error', e.message);
    }
  });

  async function act(method, url, ask) {
    if (ask && !confirm(ask)) return;
    try {
      say('ok', (await api(method, url)).message);
      await load();
    } catch (e) {
      say('error', e.message);
    }
  }

  const file = h('input', { type: 'file', id: 'product-file', accept: '.csv,.tsv,.txt' });
  const upload = async (dryRun) => {
    if (!file.files[0]) return say('error', 'ファイルを選んでください');
    try {
      // A large file answers 202 and is followed at /api/uploads/:id (it goes on if this closes).
      const r = await sendUpload(`/api/product-import?dryRun=${dryRun ? 1 : 0}`, file.files[0], (m) =>
        say('ok', m),
      );
      say(
        r.status === 'failed' ? 'error' : dryRun ? 'warn' : 'ok',
        h('div', { id: 'import-result' }, lines(r.lines)),
      );
      if (!dryRun) await load();
    } catch (e) {
      const rows = e instanceof ApiError ? e.data?.lines : null;
      say('error', rows ? h('div', { id: 'import-result' }, e.message, lines(rows)) : e.message);
    }
  };
  const csv = h(
    'section',
    { class: 'card wide forms', id: 'product-csv' },
    h('strong', null, 'CSV 取込'),
    ' ',
    file,
    h(
      'button',
      { type: 'button', id: 'product-dry-run', onclick: () => upload(true) },
      '確認する（反映しない）',
    ),
    h(
      'button',
      { type: 'button', id: 'product-import', class: 'primary', onclick: () => upload(false) },
      '取り込む',
    ),
    h(
      'div',
      null,
      h(
        'small',
        { class: 'muted' },
        '列: 商品コード, 商品名, JAN, 税率, 要修正, 要修正メモ, 有効（1 行目は見出し。UTF-8 か Shift_JIS）。',
        '1 行でもエラーがあれば何も登録しません。',
      ),
    ),
  );
  const exports = h(
    'p',
    { id: 'product-export' },
    'CSV 書き出し: ',
    h('a', { href: '/api/product-export?encoding=utf8', download: '' }, 'UTF-8（BOM 付き）'),
    ' / ',
    h('a', { href: '/api/product-export?encoding=sjis', download: '' }, 'Shift_JIS'),
  );

  main.append(h('h1', null, '商品マスタ'), out);
  main.append(
    h('h2', null, 'マスタなし商品で待っている商品コード'),
    h(
      'p',
      { class: 'muted' },
      '商品マスタにも店舗別商品マスタにもないコードです。同じコードで商品を登録すると、待っている注文が再確認されて次へ進みます（別のコードの商品にするなら「EC店舗別商品マスタ」でマッピングを登録）。',
    ),
    waiting,
  );
  if (admin) main.append(form, csv);
  else main.append(h('p', { class: 'muted' }, '商品の追加・変更は管理者が行います'));
  main.append(h('h2', null, '商品一覧'), exports, filter, list);

  const pages = [];
  let after;
  async function load(cursor = after) {
    after = cursor;
    const q = formValues(filter);
    const data = await get(withQuery('/api/product-master', { ...q, after: cursor }));
    fill(
      waiting,
      table(
        [
          { label: '商品コード', cell: (w) => w.cartProductCode, class: 'mono' },
          { label: 'カートの商品名', cell: (w) => w.name },
          { label: '店舗', cell: (w) => w.stores.join('、') },
          { label: '注文数', cell: (w) => String(w.orders), class: 'num' },
          {
            label: '',
            cell: (w) =>
              admin
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'register-product',
                      dataset: { code: w.cartProductCode },
                      onclick: () =>
                        editProduct(
                          { code: w.cartProductCode, name: w.name, taxRate: w.taxRate, active: true },
                          true,
                        ),
                    },
                    '商品として登録',
                  )
                : '',
          },
        ],
        data.waiting,
        { id: 'waiting-table', empty: 'マスタなし商品で待っている注文はありません' },
      ),
    );
    fill(
      list,
      table(
        [
          { label: '商品コード', cell: (p) => p.code, class: 'mono' },
          { label: '商品名', cell: (p) => p.name },
          { label: 'JAN', cell: (p) => p.jan ?? '—', class: 'mono' },
          { label: '税率', cell: (p) => `${p.taxRate}%`, class: 'num' },
          {
            label: '要修正',
            cell: (p) =>
              p.needsCheck
                ? h(
                    'span',
                    { class: 'bad', title: p.needsCheckNote ?? '' },
                    `要修正${p.needsCheckNote ? `: ${p.needsCheckNote}` : ''}`,
                  )
                : '',
          },
          { label: '状態', cell: (p) => (p.active ? '有効' : h('span', { class: 'muted' }, '無効')) },
          {
            label: '',
            cell: (p) =>
              admin
                ? h(
                    'span',
                    { class: 'row' },
                    h(
                      'button',
                      { type: 'button', class: 'edit-product', onclick: () => editProduct(p) },
                      '編集',
                    ),
                    p.active
                      ? h(
                          'button',
                          {
                            type: 'button',
                            class: 'deactivate-product',
                            onclick: () =>
                              act(
                                'POST',
                                `/api/product-master/${encodeURIComponent(p.code)}/deactivate`,
                                `${p.code} を無効にしますか？（注文は今のまま。一覧の初期表示から外れます）`,
                              ),
                          },
                          '無効にする',
                        )
                      : h(
                          'button',
                          {
                            type: 'button',
                            onclick: () =>
                              act('POST', `/api/product-master/${encodeURIComponent(p.code)}/activate`),
                          },
                          '有効に戻す',
                        ),
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        onclick: () =>
                          act(
                            'DELETE',
                            `/api/product-master/${encodeURIComponent(p.code)}`,
                            `${p.code} を削除しますか？（注文・マッピング・在庫で使われている商品は削除できません）`,
                          ),
                      },
                      '削除',
                    ),
                  )
                : '',
          },
        ],
        data.products,
        {
          id: 'products-table',
          rowClass: (p) => (p.active ? null : 'muted'),
          empty: '該当する商品はありません',
        },
      ),
      h(
        'div',
        { class: 'pager' },
        h(
          'button',
          { type: 'button', disabled: pages.length === 0, onclick: () => load(pages.pop() || undefined) },
          '← 前へ',
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'products-next',
            disabled: !data.next,
            onclick: () => {
              pages.push(after ?? '');
              load(data.next);
            },
          },
          '次へ →',
        ),
      ),
    );
  }
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    pages.length = 0;
    load(undefined).catch((e) => say('error', e.message));
  });
  await load();
}

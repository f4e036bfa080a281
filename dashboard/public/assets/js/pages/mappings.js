// EC店舗別商品マスタ: a store's product code (and option) → our product code, with units per cart
// unit for sets. Adding one re-checks the orders waiting on that cart code (recheck-mapping job).
import { api, get, withQuery } from '../api.js';
import { field, fill, formValues, h, lines, notice, select, table } from '../dom.js';
import { sendUpload } from '../upload.js';

export async function render(main, ctx) {
  const [{ stores }, { products }] = await Promise.all([get('/api/stores'), get('/api/products')]);
  const storeOptions = stores.map((s) => [s.code, s.name]);
  const filter = h(
    'form',
    { class: 'filters', id: 'mapping-filter' },
    field('店舗', select('store', [['', 'すべて'], ...storeOptions], '')),
    field('コード', h('input', { name: 'q', size: 16, placeholder: 'カート・商品コード' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '表示')),
  );
  const out = h('div', { id: 'mapping-messages' });
  const list = h('div', { id: 'mappings' });
  const unmapped = h('div', { id: 'unmapped' });
  const say = (kind, text) => fill(out, typeof text === 'string' ? notice(kind, text) : text);
  main.append(
    h('h1', null, 'EC店舗別商品マスタ'),
    h(
      'datalist',
      { id: 'product-codes' },
      products.map((p) => h('option', { value: p.code }, p.name)),
    ),
    filter,
    out,
  );

  let editing = null;
  const form = h(
    'form',
    { class: 'card wide', id: 'mapping-form' },
    h('h3', { id: 'mapping-form-title' }, 'マッピングを追加'),
    h(
      'div',
      { class: 'filters' },
      field('店舗', select('store', storeOptions, storeOptions[0]?.[0], { id: 'map-store' })),
      field(
        'カート商品コード',
        h('input', { name: 'cartProductCode', id: 'map-cart-code', required: true, size: 16 }),
      ),
      field(
        'オプション',
        h('input', { name: 'cartOptionCode', id: 'map-option', size: 12, placeholder: '（すべて）' }),
      ),
      field(
        '商品コード',
        h('input', {
          name: 'productCode',
          id: 'map-product',
          list: 'product-codes',
          required: true,
          size: 14,
        }),
      ),
      field(
        '入数',
        h('input', {
          name: 'unitsPerCartUnit',
          id: 'map-units',
          type: 'number',
          min: 1,
          value: '1',
          style: 'width:5em',
        }),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, '保存'),
        h('button', { type: 'button', onclick: () => resetForm() }, '新規に戻す'),
      ),
    ),
  );
  function resetForm() {
    editing = null;
    form.reset();
    document.getElementById('mapping-form-title').textContent = 'マッピングを追加';
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const body = {
      store: v.store,
      cartProductCode: v.cartProductCode,
      cartOptionCode: v.cartOptionCode ?? null,
      productCode: v.productCode,
      unitsPerCartUnit: Number(v.unitsPerCartUnit ?? 1),
    };
    try {
      const r = editing
        ? await api('PUT', `/api/mappings/${editing}`, body)
        : await api('POST', '/api/mappings', body);
      say('ok', r.message);
      resetForm();
      await load();
    } catch (e) {
      say('error', e.message);
    }
  });
  if (ctx.can('admin')) {
    const file = h('input', { type: 'file', id: 'mapping-file', accept: '.csv,.tsv,.txt' });
    const upload = h(
      'form',
      { class: 'inline-form', id: 'mapping-upload' },
      h('strong', null, 'CSV 取込'),
      file,
      h('button', { type: 'submit' }, 'アップロード'),
      h('small', { class: 'muted' }, '列: 店舗コード, カート商品コード, オプション, 商品コード, 入数'),
    );
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) return say('error', 'ファイルを選んでください');
      try {
        say('ok', `${file.files[0].name} を送信しています…`);
        const r = await sendUpload('/api/mappings/upload', file.files[0], (m) => say('ok', m));
        say('ok', lines(r.lines));
        await load();
      } catch (e) {
        say('error', e.message);
      }
    });
    main.append(form, h('section', { class: 'card wide forms' }, upload));
  } else main.append(h('p', { class: 'muted' }, 'マッピングの追加・変更は管理者が行います'));
  main.append(
    h('h2', null, '未登録のカート商品コード（マスタなし商品で待っている注文）'),
    unmapped,
    h('h2', null, '登録済み'),
    list,
  );

  function editMapping(m) {
    editing = m.id ?? null;
    form.elements.store.value = m.store;
    form.elements.cartProductCode.value = m.cartProductCode;
    form.elements.cartOptionCode.value = m.cartOptionCode ?? '';
    form.elements.productCode.value = m.productCode ?? '';
    form.elements.unitsPerCartUnit.value = String(m.unitsPerCartUnit ?? 1);
    document.getElementById('mapping-form-title').textContent = editing
      ? `マッピング ${editing} を編集`
      : 'マッピングを追加';
    form.scrollIntoView({ behavior: 'smooth' });
  }

  async function load() {
    const data = await get(withQuery('/api/mappings', formValues(filter)));
    const admin = ctx.can('admin');
    fill(
      unmapped,
      table(
        [
          { label: '店舗', cell: (u) => u.store },
          { label: 'カート商品コード', cell: (u) => u.cartProductCode, class: 'mono' },
          { label: 'オプション', cell: (u) => u.cartOptionCode ?? '' },
          { label: '明細数', cell: (u) => String(u.lines), class: 'num' },
          {
            label: '',
            cell: (u) =>
              admin
                ? h(
                    'button',
                    { type: 'button', onclick: () => editMapping({ ...u, cartOptionCode: null }) },
                    '登録する',
                  )
                : '',
          },
        ],
        data.unmapped,
        { id: 'unmapped-table', empty: 'マスタなし商品で待っている注文はありません' },
      ),
    );
    fill(
      list,
      table(
        [
          { label: '店舗', cell: (m) => m.storeName },
          { label: 'カート商品コード', cell: (m) => m.cartProductCode, class: 'mono' },
          { label: 'オプション', cell: (m) => m.cartOptionCode ?? '（すべて）' },
          { label: '商品コード', cell: (m) => m.productCode, class: 'mono' },
          { label: '商品名', cell: (m) => m.productName ?? '—' },
          { label: '入数', cell: (m) => String(m.unitsPerCartUnit), class: 'num' },
          {
            label: '',
            cell: (m) =>
              admin
                ? h(
                    'span',
                    { class: 'row' },
                    h('button', { type: 'button', onclick: () => editMapping(m) }, '編集'),
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        onclick: async () => {
                          if (!confirm(`${m.cartProductCode} のマッピングを削除しますか？`)) return;
                          try {
                            say('ok', (await api('DELETE', `/api/mappings/${m.id}`)).message);
                            await load();
                          } catch (e) {
                            say('error', e.message);
                          }
                        },
                      },
                      '削除',
                    ),
                  )
                : '',
          },
        ],
        data.mappings,
        { id: 'mappings-table' },
      ),
    );
  }
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  await load();
}

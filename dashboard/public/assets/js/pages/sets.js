// セット商品: products made of components × quantities. A set's line holds its components, whole
// sets only; the sets that can still be held are the minimum over the components of free ÷ quantity.
// Everyone reads; admins say what a set is made of (the set and its components are products of the
// master) or make it a plain product again. The composition is fixed while unshipped orders use it.
import { api, get } from '../api.js';
import { field, fill, h, notice, table } from '../dom.js';

export async function render(main, ctx) {
  const admin = ctx.can('admin');
  const out = h('div', { id: 'set-messages' });
  const list = h('div', { id: 'sets' });
  const say = (kind, text) => fill(out, notice(kind, text));
  main.append(
    h('h1', null, 'セット商品'),
    h(
      'p',
      { class: 'muted' },
      'セット商品の注文は構成品の在庫を引き当てます（セット単位で、構成品がすべてそろうときだけ）。引当可能セット数は、構成品ごとの「引当可能数 ÷ 数量」の最小です。',
    ),
    out,
  );

  const rows = h('div', { id: 'set-components' });
  const setCode = h('input', {
    name: 'setCode',
    id: 'set-code',
    required: true,
    size: 16,
    list: 'set-products',
    placeholder: '商品コード',
  });
  const datalist = h('datalist', { id: 'set-products' });
  const title = h('h3', { id: 'set-form-title' }, 'セット商品を登録');

  function componentRow(c = { productCode: '', quantity: 1 }) {
    const row = h(
      'div',
      { class: 'row set-component' },
      h('input', {
        class: 'component-code',
        value: c.productCode,
        list: 'set-products',
        placeholder: '構成品の商品コード',
        size: 16,
        'aria-label': '構成品の商品コード',
      }),
      ' × ',
      h('input', {
        class: 'component-quantity',
        type: 'number',
        min: 1,
        max: 9999,
        value: c.quantity,
        style: 'width:5em',
        'aria-label': '数量',
      }),
      h('button', { type: 'button', class: 'remove-component', onclick: () => row.remove() }, '削除'),
    );
    return row;
  }

  function editSet(s) {
    setCode.value = s?.code ?? '';
    setCode.readOnly = Boolean(s);
    title.textContent = s ? `${s.code}（${s.name}）の構成を変更` : 'セット商品を登録';
    fill(
      rows,
      (s?.components ?? [{ productCode: '', quantity: 1 }]).map((c) => componentRow(c)),
    );
    if (s) form.scrollIntoView({ behavior: 'smooth' });
  }

  const form = h(
    'form',
    { class: 'card wide', id: 'set-form' },
    title,
    datalist,
    field('セット商品', setCode, '商品マスタに登録した商品をセットにします'),
    h('div', { class: 'field' }, h('span', null, '構成品 × 数量'), rows),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', id: 'add-component', onclick: () => rows.append(componentRow()) },
        '構成品を追加',
      ),
      h('button', { type: 'submit', class: 'primary', id: 'set-save' }, '保存'),
      h('button', { type: 'button', onclick: () => editSet(null) }, '新規に戻す'),
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const components = [...rows.querySelectorAll('.set-component')]
      .map((r) => ({
        productCode: r.querySelector('.component-code').value.trim(),
        quantity: Number(r.querySelector('.component-quantity').value),
      }))
      .filter((c) => c.productCode !== '');
    try {
      const r = await api('PUT', `/api/sets/${encodeURIComponent(setCode.value.trim())}`, { components });
      say('ok', r.message);
      editSet(null);
      await load();
    } catch (e) {
      say('error', e.message);
    }
  });

  if (admin) {
    main.append(form);
    editSet(null);
    get('/api/products')
      .then(({ products }) =>
        fill(
          datalist,
          products.map((p) => h('option', { value: p.code }, p.name)),
        ),
      )
      .catch(() => undefined);
  }
  main.append(list);

  async function clearSet(s) {
    if (!confirm(`${s.code}（${s.name}）をセット商品でなくします。よろしいですか？`)) return;
    try {
      say('ok', (await api('DELETE', `/api/sets/${encodeURIComponent(s.code)}`)).message);
      await load();
    } catch (e) {
      say('error', e.message);
    }
  }

  async function load() {
    const { sets } = await get('/api/sets');
    const columns = [
      {
        label: 'セット商品',
        cell: (s) =>
          h(
            'div',
            null,
            h('strong', null, s.name),
            h('div', { class: 'muted mono' }, s.code),
            s.active ? '' : h('span', { class: 'badge off' }, '無効'),
          ),
      },
      {
        label: '構成品 × 数量（引当可能数）',
        cell: (s) =>
          h(
            'ul',
            { class: 'plain' },
            s.components.map((c) =>
              h(
                'li',
                { class: 'component', dataset: { code: c.productCode } },
                h('span', { class: 'mono' }, c.productCode),
                ` ${c.name} × ${c.quantity}（${c.free}）`,
              ),
            ),
          ),
      },
      {
        label: '引当可能セット数',
        cell: (s) => h('strong', { class: 'free-sets' }, String(s.freeSets)),
        class: 'num',
      },
      { label: '未出荷の行', cell: (s) => String(s.openLines), class: 'num' },
      { label: '在庫待ちセット', cell: (s) => (s.waitingSets ? String(s.waitingSets) : ''), class: 'num' },
    ];
    if (admin)
      columns.push({
        label: '操作',
        cell: (s) =>
          h(
            'div',
            { class: 'row' },
            h('button', { type: 'button', class: 'edit-set', onclick: () => editSet(s) }, '構成を変更'),
            h('button', { type: 'button', class: 'clear-set', onclick: () => clearSet(s) }, 'セット解除'),
          ),
      });
    fill(
      list,
      table(columns, sets, {
        id: 'sets-table',
        rowData: (s) => ({ code: s.code }),
        rowClass: (s) => (s.freeSets === 0 ? 'short' : null),
        empty: 'セット商品はまだありません',
      }),
    );
  }
  await load();
}

// 配送設定: per store the ご依頼主 on labels, the carriers' codes, the default carrier and method, and
// the carrier rules in order (first match wins: 都道府県, 郵便番号の範囲 for remote islands, サイズ区分,
// 代引); products' サイズ区分 below. Admins change them; everyone reads.
import { api, get, withQuery } from '../api.js';
import { field, fill, h, notice, select, table } from '../dom.js';

const KINDS = [
  ['prefecture', '都道府県'],
  ['postal', '郵便番号の範囲（離島など）'],
  ['size', 'サイズ区分以上'],
  ['cod', '代引'],
];
const HINT = {
  prefecture: '例: 沖縄県（複数はカンマ区切り）',
  postal: '例: 1000100-1002999（範囲）、907（先頭の数字）',
  size: '例: 140（mail, 60, 80, 100, 120, 140, 160, 180, 200）',
  cod: '値は不要です',
};
const PRESETS = [
  { label: '沖縄県', rule: { kind: 'prefecture', values: ['沖縄県'], note: null } },
  {
    label: '伊豆・小笠原諸島（〒100-01〜100-29）',
    rule: { kind: 'postal', values: ['1000100-1002999'], note: '伊豆・小笠原諸島' },
  },
  { label: '代引', rule: { kind: 'cod', values: [], note: null } },
];

export async function render(main, ctx) {
  const meta = await get('/api/carrier-settings');
  const admin = ctx.can('admin');
  const out = h('div', { id: 'carrier-out' });
  const storeSelect = select(
    'store',
    meta.stores.map((s) => [s.storeCode, s.storeName]),
    meta.stores[0]?.storeCode,
    { id: 'carrier-store' },
  );
  const body = h('div', { id: 'carrier-body' });
  const sizes = h('section', { class: 'card wide', id: 'product-sizes' });
  main.append(
    h('h1', null, '配送設定'),
    h('div', { class: 'filters' }, field('店舗', storeSelect)),
    out,
    body,
    sizes,
  );
  if (!meta.stores.length) return fill(body, notice('error', '店舗がありません'));

  const carrierOptions = meta.carriers.map((c) => [c.code, c.label]);
  const methodsOf = (carrier) => meta.carriers.find((c) => c.code === carrier)?.methods ?? [];
  function methodSelect(carrier, value, id) {
    const m = methodsOf(carrier);
    return select('method', m.length ? m : [['', '—']], value ?? m[0]?.[0] ?? '', { id, disabled: !admin });
  }
  /** A carrier select with its method select kept in step. */
  function choice(c, idPrefix) {
    const carrierSel = select('carrier', carrierOptions, c?.carrier ?? 'yamato', {
      id: `${idPrefix}-carrier`,
      disabled: !admin,
    });
    const wrap = h('span', null, methodSelect(carrierSel.value, c?.method, `${idPrefix}-method`));
    carrierSel.addEventListener('change', () =>
      fill(wrap, methodSelect(carrierSel.value, null, `${idPrefix}-method`)),
    );
    return {
      nodes: [carrierSel, wrap],
      value: () => ({ carrier: carrierSel.value, method: wrap.querySelector('select').value || null }),
    };
  }

  function renderStore() {
    const s = meta.stores.find((x) => x.storeCode === storeSelect.value);
    const input = (name, value, props = {}) =>
      h('input', { name, id: `sender-${name}`, value: value ?? '', disabled: !admin, ...props });
    const sender = {
      name: input('name', s.sender.name, { placeholder: s.storeName }),
      postalCode: input('postalCode', s.sender.postalCode, { placeholder: '100-0001', size: 10 }),
      phone: input('phone', s.sender.phone, { placeholder: '03-1234-5678', size: 14 }),
      address1: input('address1', s.sender.address1, { placeholder: '東京都千代田区千代田1-1', size: 40 }),
      address2: input('address2', s.sender.address2, { placeholder: '建物名', size: 24 }),
    };
    const def = choice(s.defaults, 'default');
    const useDefault = h('input', {
      type: 'checkbox',
      id: 'default-on',
      checked: s.defaults !== null,
      disabled: !admin,
    });
    const cod = h('input', {
      id: 'cod-methods',
      value: (s.codMethods ?? []).join(', '),
      placeholder: '空欄: 代引・代金引換・COD を含む支払方法',
      size: 40,
      disabled: !admin,
    });
    const codes = meta.codeKeys.map((k) => ({
      key: k.key,
      el: h('input', { name: k.key, value: s.codes[k.key] ?? '', size: 16, disabled: !admin }),
      label: k.label,
    }));
    const rules = s.rules.map((r) => ({ ...r }));
    const rulesBox = h('div', { id: 'rules' });

    function renderRules() {
      const rows = rules.map((r, i) => {
        const kind = select('kind', KINDS, r.kind, { disabled: !admin });
        const values = h('input', {
          value: r.values.join(', '),
          size: 30,
          placeholder: HINT[r.kind],
          disabled: !admin || r.kind === 'cod',
          class: 'rule-values',
        });
        const note = h('input', {
          value: r.note ?? '',
          size: 12,
          placeholder: '名前（任意）',
          disabled: !admin,
        });
        const c = choice(r, `rule${i}`);
        r.read = () => ({
          kind: kind.value,
          values: kind.value === 'cod' ? [] : values.value.split(/[,、\s]+/).filter(Boolean),
          note: note.value.trim() || null,
          ...c.value(),
        });
        kind.addEventListener('change', () => {
          Object.assign(r, r.read());
          renderRules();
        });
        const move = (d) => {
          for (const x of rules) Object.assign(x, x.read());
          const j = i + d;
          if (j < 0 || j >= rules.length) return;
          [rules[i], rules[j]] = [rules[j], rules[i]];
          renderRules();
        };
        return h(
          'tr',
          { class: 'rule-row' },
          h('td', { class: 'num' }, String(i + 1)),
          h('td', null, kind),
          h('td', null, values),
          h('td', null, c.nodes),
          h('td', null, note),
          h(
            'td',
            null,
            admin
              ? [
                  h('button', { type: 'button', onclick: () => move(-1), title: '上へ' }, '↑'),
                  h('button', { type: 'button', onclick: () => move(1), title: '下へ' }, '↓'),
                  h(
                    'button',
                    {
                      type: 'button',
                      onclick: () => {
                        for (const x of rules) Object.assign(x, x.read());
                        rules.splice(i, 1);
                        renderRules();
                      },
                    },
                    '削除',
                  ),
                ]
              : null,
          ),
        );
      });
      fill(
        rulesBox,
        h(
          'table',
          { class: 'grid', id: 'rules-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['順', '条件', '値', '運送会社・配送方法', '名前', ''].map((t) => h('th', null, t)),
            ),
          ),
          h(
            'tbody',
            null,
            rows.length
              ? rows
              : h('tr', null, h('td', { colspan: 6, class: 'empty' }, 'ルールはありません（すべて既定）')),
          ),
        ),
      );
    }
    renderRules();

    const addRule = (rule) => {
      for (const x of rules) Object.assign(x, x.read());
      rules.push({ carrier: 'japanpost', method: 'yupack', ...rule });
      renderRules();
    };
    const form = h(
      'form',
      { id: 'carrier-form', class: 'card wide forms' },
      h('h2', null, 'ご依頼主（送り状の差出人）'),
      h(
        'div',
        { class: 'row wrap' },
        field('名前', sender.name, '空欄は店舗名'),
        field('郵便番号', sender.postalCode),
        field('電話番号', sender.phone),
        field('住所', sender.address1),
        field('建物名', sender.address2),
      ),
      h('h2', null, '既定の運送会社'),
      h('div', { class: 'row' }, h('label', null, useDefault, ' 使う '), ...def.nodes),
      field('代引とみなす支払方法', cod, 'カートの支払方法名をカンマ区切りで'),
      h('h2', null, '配送ルール（上から順に、最初に当てはまったものを使います）'),
      rulesBox,
      admin
        ? h(
            'div',
            { class: 'bulkbar' },
            h(
              'button',
              {
                type: 'button',
                id: 'add-rule',
                onclick: () => addRule({ kind: 'prefecture', values: [], note: null }),
              },
              'ルールを追加',
            ),
            ...PRESETS.map((p) =>
              h('button', { type: 'button', onclick: () => addRule({ ...p.rule }) }, `例: ${p.label}`),
            ),
          )
        : null,
      h('h2', null, '運送会社のコード'),
      h(
        'div',
        { class: 'row wrap' },
        codes.map((c) => field(c.label, c.el)),
      ),
      admin
        ? h('button', { type: 'submit', class: 'primary', id: 'save-carriers' }, '保存')
        : h('p', { class: 'muted' }, '変更は管理者のみ'),
      s.updatedAt ? h('p', { class: 'muted' }, `最終更新 ${s.updatedAt}（${s.updatedBy}）`) : null,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {
        sender: Object.fromEntries(Object.entries(sender).map(([k, el]) => [k, el.value])),
        defaults: useDefault.checked ? def.value() : null,
        codMethods: cod.value.trim()
          ? cod.value
              .split(/[,、]/)
              .map((x) => x.trim())
              .filter(Boolean)
          : null,
        codes: Object.fromEntries(
          codes.filter((c) => c.el.value.trim()).map((c) => [c.key, c.el.value.trim()]),
        ),
        rules: rules.map((r) => r.read()),
      };
      try {
        const { settings } = await api(
          'PUT',
          `/api/carrier-settings/${encodeURIComponent(s.storeCode)}`,
          body,
        );
        Object.assign(s, settings);
        fill(out, notice('ok', `${s.storeName} の配送設定を保存しました`));
        renderStore();
      } catch (e) {
        fill(out, notice('error', e.message));
      }
    });
    fill(body, form);
  }

  async function renderSizes(q = '') {
    const { products } = await get(withQuery('/api/product-sizes', { q }));
    const search = h('input', { id: 'size-search', value: q, placeholder: '商品コード・商品名' });
    search.addEventListener('change', () => renderSizes(search.value));
    const sizeOptions = [['', '—'], ...meta.sizeClasses.map((c) => [c.code, c.label])];
    fill(
      sizes,
      h('h2', null, '商品のサイズ区分（サイズのルールが読みます）'),
      field('検索', search),
      table(
        [
          { label: '商品コード', cell: (p) => p.code, class: 'mono' },
          { label: '商品名', cell: (p) => p.name },
          {
            label: 'サイズ区分',
            cell: (p) => {
              const sel = select('size', sizeOptions, p.sizeClass ?? '', {
                disabled: !admin,
                class: 'size-select',
              });
              sel.addEventListener('change', async () => {
                try {
                  await api('PUT', `/api/product-sizes/${encodeURIComponent(p.code)}`, {
                    sizeClass: sel.value || null,
                  });
                  fill(out, notice('ok', `${p.code} のサイズ区分を ${sel.value || 'なし'} にしました`));
                } catch (e) {
                  fill(out, notice('error', e.message));
                }
              });
              return sel;
            },
          },
        ],
        products,
        { id: 'sizes-table', empty: '商品がありません' },
      ),
    );
  }

  storeSelect.addEventListener('change', renderStore);
  renderStore();
  await renderSizes();
}

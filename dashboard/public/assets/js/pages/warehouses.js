// 倉庫: warehouses in the order stock is taken from them (priority), their state (停止中 takes no new
// reservations; what it holds stays held), and which stores ship from which warehouses. Admins
// add, rename, re-prioritise, stop / restart and assign; everyone else reads.
import { api, get } from '../api.js';
import { field, fill, formValues, h, notice, table } from '../dom.js';

export async function render(main, ctx) {
  const admin = ctx.can('admin');
  const out = h('div', { id: 'warehouse-messages' });
  const list = h('div', { id: 'warehouses' });
  const assignments = h('div', { id: 'store-warehouses' });
  const say = (kind, text) => fill(out, notice(kind, text));
  main.append(h('h1', null, '倉庫'), out);

  if (admin) {
    const form = h(
      'form',
      { class: 'card wide', id: 'add-warehouse' },
      h('h3', null, '倉庫を追加'),
      h(
        'div',
        { class: 'filters' },
        field('倉庫コード', h('input', { name: 'code', required: true, size: 12 })),
        field('倉庫名', h('input', { name: 'name', required: true, size: 16 })),
        field(
          '優先順位',
          h('input', { name: 'priority', type: 'number', min: 0, max: 9999, value: 10, required: true }),
          '小さいほど先に引き当てます',
        ),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '追加')),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      try {
        await api('POST', '/api/warehouses', { code: v.code, name: v.name, priority: Number(v.priority) });
        form.reset();
        say('ok', `倉庫 ${v.code} を追加しました`);
        await load();
      } catch (e) {
        say('error', e.message);
      }
    });
    main.append(form);
  }
  main.append(
    list,
    h('h2', null, '店舗ごとの出荷倉庫'),
    h('p', { class: 'muted' }, '倉庫を選ばない店舗は、稼働中のすべての倉庫から出荷します。'),
    assignments,
  );

  async function patch(code, body) {
    try {
      const r = await api('PATCH', `/api/warehouses/${encodeURIComponent(code)}`, body);
      say('ok', r.message);
      await load();
    } catch (e) {
      say('error', e.message);
    }
  }

  async function load() {
    const { warehouses, stores } = await get('/api/warehouses/overview');
    const state = (w) =>
      w.enabled
        ? h('span', { class: 'ok' }, '稼働中')
        : h(
            'span',
            { class: 'badge off', title: '新しい引当をしません（引当済みの在庫は出荷できます）' },
            '停止中',
          );
    const columns = [
      { label: '倉庫コード', cell: (w) => w.code, class: 'mono' },
      {
        label: '倉庫名',
        cell: (w) => {
          if (!admin) return w.name;
          const input = h('input', { value: w.name, size: 16, id: `name-${w.code}` });
          input.addEventListener('change', () => patch(w.code, { name: input.value }));
          return input;
        },
      },
      {
        label: '優先順位',
        class: 'num',
        cell: (w) => {
          if (!admin) return String(w.priority);
          const input = h('input', {
            type: 'number',
            min: 0,
            max: 9999,
            value: w.priority,
            id: `priority-${w.code}`,
            style: 'width: 5em',
          });
          input.addEventListener('change', () => patch(w.code, { priority: Number(input.value) }));
          return input;
        },
      },
      { label: '状態', cell: state },
    ];
    if (admin)
      columns.push({
        label: '',
        cell: (w) =>
          h(
            'button',
            {
              type: 'button',
              id: `toggle-${w.code}`,
              onclick: () => {
                if (w.enabled && !confirm(`倉庫 ${w.name} を停止しますか？ 新しい引当をしなくなります。`))
                  return;
                patch(w.code, { enabled: !w.enabled });
              },
            },
            w.enabled ? '停止' : '再開',
          ),
      });
    fill(list, table(columns, warehouses, { id: 'warehouse-table', empty: '倉庫はまだありません' }));

    const storeColumns = [
      { label: '店舗', cell: (s) => `${s.name}（${s.code}）` },
      {
        label: '出荷倉庫',
        cell: (s) => {
          if (!admin) return s.all ? 'すべての稼働中の倉庫' : s.warehouses.join('、');
          const boxes = warehouses.map((w) =>
            h(
              'label',
              { class: 'nowrap' },
              h('input', {
                type: 'checkbox',
                value: w.code,
                checked: s.warehouses.includes(w.code),
                class: `assign-${s.code}`,
              }),
              ` ${w.name}${w.enabled ? '' : '（停止中）'} `,
            ),
          );
          return h('span', null, ...boxes, s.all ? h('small', { class: 'muted' }, '（未指定: すべて）') : '');
        },
      },
    ];
    if (admin)
      storeColumns.push({
        label: '',
        cell: (s) =>
          h(
            'button',
            {
              type: 'button',
              id: `assign-${s.code}`,
              onclick: async () => {
                const codes = [
                  ...assignments.querySelectorAll(`input.assign-${CSS.escape(s.code)}:checked`),
                ].map((el) => el.value);
                try {
                  const r = await api('PUT', `/api/warehouses/stores/${encodeURIComponent(s.code)}`, {
                    warehouses: codes,
                  });
                  say('ok', r.message);
                  await load();
                } catch (e) {
                  say('error', e.message);
                }
              },
            },
            '保存',
          ),
      });
    fill(
      assignments,
      table(storeColumns, stores, { id: 'store-warehouse-table', empty: '店舗はまだありません' }),
    );
  }
  await load();
}

// ステータス: the two-level status catalogue with counts. Admins rename any status (the label
// changes everywhere; the rules stay) and add custom holding statuses to a group.
import { api, get } from '../api.js';
import { field, fill, formValues, h, notice, select, table } from '../dom.js';

export async function render(main, ctx) {
  const out = h('div', { id: 'status-messages' });
  const body = h('div', { id: 'status-groups' });
  main.append(h('h1', null, 'ステータス'), out, body);
  const say = (kind, text) => fill(out, notice(kind, text));
  const admin = ctx.can('admin');

  async function load() {
    const { groups } = await get('/api/orders/counts');
    fill(
      body,
      groups.map((g) =>
        h(
          'section',
          { class: 'card wide', dataset: { group: g.group } },
          h('h3', null, `${g.label}（${g.total} 件）`),
          table(
            [
              { label: 'コード', cell: (s) => s.code, class: 'mono' },
              {
                label: 'ステータス 2',
                cell: (s) => {
                  if (!admin) return s.label;
                  const input = h('input', {
                    value: s.label,
                    size: 24,
                    dataset: { code: s.code },
                    class: 'status-label',
                  });
                  return h(
                    'span',
                    { class: 'row' },
                    input,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'rename',
                        onclick: async () => {
                          try {
                            await api('PUT', `/api/statuses/${encodeURIComponent(s.code)}`, {
                              label: input.value,
                            });
                            say('ok', `${s.code} を「${input.value}」に変更しました`);
                            await load();
                          } catch (e) {
                            say('error', e.message);
                          }
                        },
                      },
                      '名前を変更',
                    ),
                  );
                },
              },
              { label: '種類', cell: (s) => (s.system ? '標準' : '追加') },
              { label: '件数', cell: (s) => String(s.n), class: 'num' },
              {
                label: '',
                cell: (s) =>
                  admin && !s.system && s.n === 0
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'danger',
                          onclick: async () => {
                            try {
                              await api('DELETE', `/api/statuses/${encodeURIComponent(s.code)}`);
                              await load();
                            } catch (e) {
                              say('error', e.message);
                            }
                          },
                        },
                        '削除',
                      )
                    : '',
              },
            ],
            g.statuses,
          ),
        ),
      ),
    );
  }

  if (admin) {
    const form = h(
      'form',
      { class: 'card wide', id: 'add-status' },
      h('h3', null, 'ステータスを追加'),
      h(
        'div',
        { class: 'filters' },
        field(
          'ステータス 1',
          select('group', [
            ['review', '受注内容の確認'],
            ['payment', '入金状況の確認'],
            ['fulfillment', '作業の進捗'],
          ]),
        ),
        field(
          'コード',
          h('input', {
            name: 'code',
            required: true,
            pattern: '[a-z0-9_]+',
            placeholder: 'pre_order',
            size: 14,
          }),
        ),
        field('名前', h('input', { name: 'label', required: true, placeholder: '予約注文', size: 20 })),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '追加')),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const { status } = await api('POST', '/api/statuses', formValues(form));
        say('ok', `「${status.label}」を追加しました`);
        form.reset();
        await load();
      } catch (e) {
        say('error', e.message);
      }
    });
    main.append(form);
  }
  await load();
}

// ユーザー (admins): who may sign in, with which role; add users, change roles, disable, reset passwords.
import { api, get } from '../api.js';
import { field, fill, formValues, h, notice, select, table } from '../dom.js';

const ROLES = [
  ['viewer', '閲覧（viewer）'],
  ['operator', '担当者（operator）'],
  ['admin', '管理者（admin）'],
];
const ROLE_NAMES = Object.fromEntries(ROLES);

export async function render(main) {
  const out = h('div', { id: 'user-messages' });
  const list = h('div', { id: 'users' });
  const say = (kind, text) => fill(out, notice(kind, text));
  const form = h(
    'form',
    { class: 'card wide', id: 'add-user' },
    h('h3', null, 'ユーザーを追加'),
    h(
      'div',
      { class: 'filters' },
      field('ログイン名', h('input', { name: 'login', required: true, size: 14 })),
      field('表示名', h('input', { name: 'displayName', required: true, size: 14 })),
      field('権限', select('role', ROLES, 'viewer')),
      field(
        'パスワード',
        h('input', {
          name: 'password',
          type: 'password',
          required: true,
          minlength: 8,
          autocomplete: 'new-password',
        }),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '追加')),
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/users', formValues(form));
      form.reset();
      say('ok', 'ユーザーを追加しました');
      await load();
    } catch (e) {
      say('error', e.message);
    }
  });
  main.append(h('h1', null, 'ユーザー'), out, form, list);

  async function update(id, body, done) {
    try {
      await api('PUT', `/api/users/${id}`, body);
      say('ok', done);
      await load();
    } catch (e) {
      say('error', e.message);
    }
  }

  async function load() {
    const { users } = await get('/api/users');
    fill(
      list,
      table(
        [
          { label: 'ログイン名', cell: (u) => u.login, class: 'mono' },
          { label: '表示名', cell: (u) => u.displayName },
          {
            label: '権限',
            cell: (u) => {
              const s = select('role', ROLES, u.role, { id: `role-${u.id}` });
              // A role decides what someone may change: ask before it moves, and put the
              // select back when the admin says no.
              s.addEventListener('change', () => {
                const from = ROLE_NAMES[u.role] ?? u.role;
                const to = ROLE_NAMES[s.value] ?? s.value;
                if (
                  !confirm(`${u.displayName}（${u.login}）の権限を「${from}」から「${to}」に変更しますか？`)
                ) {
                  s.value = u.role;
                  return;
                }
                update(u.id, { role: s.value }, `${u.login} の権限を「${to}」に変更しました`);
              });
              return s;
            },
          },
          {
            label: '状態',
            cell: (u) =>
              h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    update(
                      u.id,
                      { enabled: !u.enabled },
                      `${u.login} を${u.enabled ? '停止' : '有効に'}しました`,
                    ),
                },
                u.enabled ? '有効（停止する）' : '停止中（有効にする）',
              ),
          },
          {
            label: 'パスワード',
            cell: (u) => {
              const p = h('input', {
                type: 'password',
                minlength: 8,
                autocomplete: 'new-password',
                placeholder: '新しいパスワード',
              });
              return h(
                'span',
                { class: 'row' },
                p,
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: () =>
                      update(u.id, { password: p.value }, `${u.login} のパスワードを変更しました`),
                  },
                  '変更',
                ),
              );
            },
          },
        ],
        users,
        { id: 'users-table' },
      ),
    );
  }
  await load();
}

// The shell: header with the screens, the signed-in user and logout; then the screen for this path.
import { api, can, getMe } from './api.js';
import { clear, fill, h, notice } from './dom.js';

const NAV = [
  ['/orders', 'EC受注一覧'],
  ['/release', '受注在庫予約解除'],
  ['/stock', '在庫'],
  ['/warehouses', '倉庫'],
  ['/shipping', '出荷'],
  ['/stores', 'EC店舗'],
  ['/imports', '取込履歴'],
  ['/rejects', '取込エラー'],
  ['/products', '商品マスタ'],
  ['/sets', 'セット商品'],
  ['/mappings', 'EC店舗別商品マスタ'],
  ['/statuses', 'ステータス'],
  ['/upload-orders', '受注CSV取込'],
  ['/carriers', '配送設定'],
  ['/sales', '売上', 'operator'],
  ['/users', 'ユーザー', 'admin'],
  ['/admin/queues', 'ジョブ (Bull Board)'],
];

const SCREENS = {
  '/orders': () => import('./pages/orders.js'),
  '/release': () => import('./pages/release.js'),
  '/stock': () => import('./pages/stock.js'),
  '/warehouses': () => import('./pages/warehouses.js'),
  '/shipping': () => import('./pages/shipping.js'),
  '/stores': () => import('./pages/stores.js'),
  '/imports': () => import('./pages/imports.js'),
  '/rejects': () => import('./pages/rejects.js'),
  '/products': () => import('./pages/products.js'),
  '/sets': () => import('./pages/sets.js'),
  '/mappings': () => import('./pages/mappings.js'),
  '/statuses': () => import('./pages/statuses.js'),
  '/upload-orders': () => import('./pages/upload-orders.js'),
  '/users': () => import('./pages/users.js'),
  '/carriers': () => import('./pages/carriers.js'),
  '/sales': () => import('./pages/sales.js'),
};

const ROLE_LABEL = { viewer: '閲覧', operator: '担当者', admin: '管理者' };

async function main() {
  const top = document.getElementById('top');
  const main = document.getElementById('main');
  const me = await getMe();
  const role = me.user.role;
  const path = location.pathname.replace(/\/+$/, '') || '/orders';
  const detail = /^\/orders\/(\d+)$/.exec(path);
  const current = detail ? '/orders' : path;
  fill(
    top,
    h(
      'nav',
      { class: 'topnav' },
      h('a', { href: '/orders', class: 'brand' }, '受注 ', h('small', null, 'juchu')),
      h(
        'ul',
        null,
        NAV.filter(([, , need]) => !need || can(role, need)).map(([href, label]) =>
          h('li', null, h('a', { href, class: href === current ? 'active' : null }, label)),
        ),
      ),
      h(
        'div',
        { class: 'who' },
        h(
          'span',
          { id: 'who' },
          me.user.displayName,
          ' ',
          h('span', { class: `role role-${role}` }, ROLE_LABEL[role]),
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'logout',
            onclick: async () => {
              await api('POST', '/logout').catch(() => undefined);
              location.href = '/login';
            },
          },
          'ログアウト',
        ),
      ),
    ),
  );
  const load = detail ? () => import('./pages/order-detail.js') : SCREENS[current];
  clear(main);
  if (!load) {
    main.append(notice('error', 'この画面はありません'));
    return;
  }
  const mod = await load();
  await mod.render(main, {
    me,
    role,
    can: (needed) => can(role, needed),
    id: detail ? Number(detail[1]) : null,
  });
}

main().catch((e) => {
  const m = document.getElementById('main');
  fill(m, notice('error', `画面を表示できません: ${e.message}`));
});

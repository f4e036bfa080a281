// EC店舗: each store's cart, schedule, last import, lag, next run and cursor; a banner for stores
// whose credentials the cart refused or were dropped (the store was moved to another server); "import
// now" and "re-import order"; admins edit the store (テスト店舗 lets it point at a local simulator) and
// enter credentials (write-only: never shown back). カート連携: the store's cart actions waiting (the oldest
// one's age), failed and waiting for a human (要対応); each order's own are on its detail screen.
import { api, get } from '../api.js';
import { ago, clear, dt, field, fill, formValues, h, notice, select, table } from '../dom.js';

const OUTCOME = { succeeded: '成功', failed: '失敗', running: '実行中' };

export async function render(main, ctx) {
  const out = h('div', { id: 'store-messages' });
  const list = h('div', { id: 'store-list' });
  const editor = h('div', { id: 'store-editor' });
  main.append(h('h1', null, 'EC店舗'), out, list, editor);
  const say = (kind, text) => fill(out, notice(kind, text));

  async function load() {
    const { stores } = await get('/api/stores');
    const needs = stores.filter((s) => s.credentialState === 'needs_credentials');
    fill(
      list,
      needs.length
        ? notice(
            'warn',
            h('strong', null, '認証情報の再登録が必要な店舗があります: '),
            needs
              .map((s) => `${s.name}（${s.credentialProblem ?? 'カートが認証を拒否しました'}）`)
              .join('、'),
            ' この店舗の取込は、認証情報を登録し直すまで止まっています。',
            ctx.can('admin')
              ? ' — 「認証情報」から新しい値を登録してください。'
              : ' — 管理者に連絡してください。',
          )
        : '',
      table(
        [
          {
            label: '店舗',
            cell: (s) =>
              h(
                'div',
                null,
                h('strong', null, s.name),
                h('div', { class: 'muted mono' }, s.code),
                s.testStore ? h('div', { class: 'muted test-store' }, 'テスト店舗') : '',
              ),
          },
          {
            label: 'カート',
            cell: (s) =>
              h(
                'div',
                null,
                s.cartLabel,
                s.apiStatus ? h('div', { class: 'muted api-status' }, s.apiStatus.api) : '',
                ...(s.apiStatus?.warnings ?? []).map((w) => h('div', { class: 'bad api-warning' }, w)),
              ),
          },
          { label: '状態', cell: (s) => (s.enabled ? '有効' : '停止中') },
          {
            label: 'スケジュール',
            // In words where the shape has words (10分ごと), the expression beside it for whoever edits it.
            cell: (s) =>
              h(
                'div',
                { class: 'schedule' },
                s.importCronWords ?? '',
                h('div', { class: s.importCronWords ? 'mono muted' : 'mono' }, s.importCron),
              ),
          },
          { label: '次回', cell: (s) => dt(s.nextRun), class: 'nowrap' },
          {
            label: '前回の取込',
            cell: (s) =>
              h(
                'div',
                null,
                h(
                  'span',
                  { class: `outcome o-${s.lastImportOutcome} nowrap` },
                  `${dt(s.lastImportAt)} ${OUTCOME[s.lastImportOutcome] ?? ''}`,
                ),
                // The latest job did not import: say why (the run is in 取込履歴 too).
                s.lastSkip
                  ? h(
                      'div',
                      { class: 'muted last-skip' },
                      `${dt(s.lastSkip.at)} 取込せず: ${s.lastSkip.reason}`,
                    )
                  : '',
              ),
          },
          { label: '遅れ', cell: (s) => ago(s.lagSeconds), class: 'num' },
          { label: 'カーソル', cell: (s) => dt(s.cursor), class: 'nowrap' },
          {
            label: '取込エラー',
            cell: (s) =>
              s.openRejects
                ? h('a', { href: `/rejects?store=${encodeURIComponent(s.code)}` }, `${s.openRejects} 件`)
                : '0',
            class: 'num',
          },
          {
            label: 'カート連携',
            // The outbox: actions waiting (and the oldest one's age), failed, and waiting for a human.
            cell: (s) => {
              const a = s.cartActions;
              if (!a.waiting && !a.failed && !a.refused)
                return h('span', { class: 'muted cart-actions' }, 'なし');
              return h(
                'div',
                { class: 'cart-actions', dataset: { store: s.code } },
                h('div', { class: 'ca-waiting' }, `送信待ち ${a.waiting} 件`),
                a.waiting
                  ? h(
                      'div',
                      { class: 'muted ca-oldest' },
                      `最古 ${ago(a.oldestWaitingSeconds)}前（${dt(a.oldestWaitingAt)}）`,
                    )
                  : '',
                a.failed ? h('div', { class: 'bad ca-failed' }, `失敗 ${a.failed} 件`) : '',
                a.refused ? h('div', { class: 'bad ca-refused' }, `要対応 ${a.refused} 件`) : '',
              );
            },
          },
          {
            label: '認証',
            cell: (s) =>
              s.credentialState === 'needs_credentials'
                ? h(
                    'span',
                    { class: 'bad', title: s.credentialError ?? '' },
                    `要再登録: ${s.credentialProblem ?? ''}`,
                  )
                : s.hasCredentials || s.credentialFields.length === 0
                  ? 'OK'
                  : '未登録',
          },
          { label: '操作', cell: (s) => actions(s) },
        ],
        stores,
        {
          id: 'stores-table',
          rowClass: (s) => (s.credentialState === 'needs_credentials' ? 'attention' : null),
        },
      ),
    );
    if (ctx.can('admin')) fill(editor, newStoreForm());
  }

  function actions(s) {
    const box = h('div', { class: 'store-actions' });
    if (ctx.can('operator')) {
      box.append(
        h(
          'button',
          {
            type: 'button',
            class: 'import-now',
            dataset: { store: s.code },
            onclick: async () => {
              try {
                say('ok', (await api('POST', `/api/stores/${encodeURIComponent(s.code)}/import`)).message);
              } catch (e) {
                say('error', e.message);
              }
            },
          },
          '今すぐ取込',
        ),
      );
      const no = h('input', { placeholder: '注文No', size: 16, class: 'reimport-no' });
      box.append(
        h(
          'span',
          { class: 'row' },
          no,
          h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                try {
                  say(
                    'ok',
                    (
                      await api('POST', `/api/stores/${encodeURIComponent(s.code)}/reimport`, {
                        cartOrderNo: no.value,
                      })
                    ).message,
                  );
                } catch (e) {
                  say('error', e.message);
                }
              },
            },
            '注文を再取込',
          ),
        ),
      );
    }
    if (ctx.can('admin')) {
      box.append(
        h('button', { type: 'button', class: 'edit-store', onclick: () => edit(s) }, '編集'),
        s.credentialFields.length
          ? h(
              'button',
              {
                type: 'button',
                class: 'edit-credentials',
                dataset: { store: s.code },
                onclick: () => credentials(s),
              },
              '認証情報',
            )
          : '',
      );
    }
    return box;
  }

  async function edit(s) {
    const { settings } = await get(`/api/stores/${encodeURIComponent(s.code)}`);
    const form = h(
      'form',
      { class: 'card wide', id: 'edit-store-form' },
      h('h3', null, `${s.name} を編集`),
      field('店舗名', h('input', { name: 'name', value: s.name, required: true })),
      field(
        '取込スケジュール（cron, 日本時間）',
        h('input', { name: 'importCron', value: s.importCron, required: true, class: 'mono' }),
      ),
      field('有効', h('input', { type: 'checkbox', name: 'enabled', value: '1', checked: s.enabled })),
      field(
        'API のベース URL',
        h('input', { name: 'baseUrl', value: s.baseUrl ?? '', size: 40 }),
        '空欄ならカートの本番 URL。別のサーバーに変えると、保存している認証情報は消え、登録し直しになります。',
      ),
      field(
        'テスト店舗（シミュレーター可）',
        h('input', { type: 'checkbox', name: 'testStore', value: '1', checked: s.testStore }),
        'この機械のシミュレーター（127.0.0.1 など）につなげるのはテスト店舗だけです。',
      ),
      field(
        '設定（JSON）',
        h(
          'textarea',
          { name: 'settings', rows: 8, cols: 60, class: 'mono' },
          JSON.stringify(settings, null, 2),
        ),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, '保存'),
        h('button', { type: 'button', onclick: () => clear(editor) && load() }, '閉じる'),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      let parsed;
      try {
        parsed = JSON.parse(v.settings ?? '{}');
      } catch {
        return say('error', '設定の JSON が読めません');
      }
      try {
        const r = await api('PUT', `/api/stores/${encodeURIComponent(s.code)}`, {
          name: v.name,
          importCron: v.importCron,
          enabled: v.enabled === '1',
          baseUrl: v.baseUrl ?? null,
          testStore: v.testStore === '1',
          settings: parsed,
        });
        await load();
        if (r.credentialsDropped) {
          say('warn', `${v.name} を保存しました。${r.credentialsDropped}`);
          if (s.credentialFields.length) credentials({ ...s, ...r.store });
        } else say('ok', `${v.name} を保存しました`);
      } catch (e) {
        say('error', e.message);
      }
    });
    fill(editor, form);
  }

  function credentials(s) {
    const form = h(
      'form',
      { class: 'card wide', id: 'credentials-form', autocomplete: 'off' },
      h('h3', null, `${s.name} の認証情報`),
      h(
        'p',
        { class: 'muted' },
        '保存した値は暗号化して保管し、画面には表示しません。すべての項目を入力してください。',
      ),
      s.credentialFields.map((f) =>
        field(
          f,
          h('input', {
            name: f,
            type: 'password',
            autocomplete: 'new-password',
            size: 40,
            dataset: { credential: f },
          }),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '認証情報を保存')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await api('PUT', `/api/stores/${encodeURIComponent(s.code)}/credentials`, {
          credentials: formValues(form),
        });
        form.reset();
        say('ok', r.message);
        await load();
      } catch (e) {
        say('error', e.message);
      }
    });
    fill(editor, form);
  }

  function newStoreForm() {
    const form = h(
      'form',
      { class: 'card wide', id: 'new-store-form' },
      h('h3', null, '店舗を追加'),
      h(
        'div',
        { class: 'filters' },
        field(
          '店舗コード',
          h('input', { name: 'code', required: true, pattern: '[a-z0-9][a-z0-9-]*', size: 16 }),
        ),
        field('店舗名', h('input', { name: 'name', required: true })),
        field(
          'カート',
          select('cart', [
            ['rakuten', '楽天市場'],
            ['yahoo', 'Yahoo!ショッピング'],
            ['amazon', 'Amazon'],
            ['makeshop', 'makeshop'],
            ['shopify', 'Shopify'],
            ['csv', 'CSV'],
          ]),
        ),
        field('取込スケジュール', h('input', { name: 'importCron', value: '*/10 * * * *', class: 'mono' })),
        field(
          'テスト店舗（シミュレーター可）',
          h('input', { type: 'checkbox', name: 'testStore', value: '1' }),
        ),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, '追加')),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      try {
        await api('PUT', `/api/stores/${encodeURIComponent(v.code ?? '')}`, {
          name: v.name,
          cart: v.cart,
          importCron: v.importCron,
          enabled: true,
          testStore: v.testStore === '1',
        });
        say('ok', `${v.name} を追加しました。「認証情報」から API の認証情報を登録してください`);
        await load();
      } catch (e) {
        say('error', e.message);
      }
    });
    return form;
  }

  await load();
}

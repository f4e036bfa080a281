// The store use case against PostgreSQL: where a store may point its credentials, what a move to
// another server does to them, and the rules the store form used to hold inline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../carts/registry.js';
import { findStore, storeCredentials } from '../db/stores.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { type SaveStoreInput, saveStore, setStoreCredentials } from './save-store.js';

const SHOPIFY_CREDS = { shop: 'juchu-demo', accessToken: 'shpat_stored' };

describe('save-store', () => {
  let t: TestDb;
  let deps: { db: TestDb['db']; key: Buffer };
  const base = (code: string, more: Partial<SaveStoreInput> = {}): SaveStoreInput => ({
    code,
    cart: 'shopify',
    name: `店舗 ${code}`,
    enabled: true,
    importCron: '*/10 * * * *',
    ...more,
  });
  /** The refusal's message, or null when the call went through. */
  const refusal = async (p: Promise<unknown>): Promise<string | null> => {
    try {
      await p;
      return null;
    } catch (e) {
      if (!isRuleRefusal(e)) throw e;
      return e.message;
    }
  };

  beforeAll(async () => {
    t = await createTestDb('save-store');
    deps = { db: t.db, key: TEST_SECRET_KEY };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('creates a store on the cart’s own API (the default base URL) with its credentials', async () => {
    const r = await saveStore(deps, base('shop-a', { credentials: SHOPIFY_CREDS }));
    expect(r).toMatchObject({ created: true, credentialsUpdated: true, credentialsDropped: null });
    expect(r.store).toMatchObject({ baseUrl: null, testStore: false, hasCredentials: true });
    expect(await storeCredentials(t.db, r.store.id, TEST_SECRET_KEY)).toEqual(SHOPIFY_CREDS);
    const again = await saveStore(deps, base('shop-a', { baseUrl: 'https://juchu-demo.myshopify.com' }));
    // Same server as the default for this shop: the credentials stay.
    expect(again).toMatchObject({ created: false, credentialsDropped: null });
    expect(again.store.hasCredentials).toBe(true);
  });

  it.each([
    ['https://evil.example', '接続先 evil.example'],
    ['http://127.0.0.1:4010', 'テスト店舗'],
    ['http://localhost:4010', 'テスト店舗'],
    ['https://10.0.0.1', 'IP アドレス（10.0.0.1）'],
    ['http://169.254.169.254/latest/meta-data/', 'IP アドレス（169.254.169.254）'],
    ['http://juchu-demo.myshopify.com', 'https://'],
    ['https://user:pw@juchu-demo.myshopify.com', '利用者名やパスワード'],
    ['https://juchu-demo.myshopify.com:8443', 'ポート番号'],
  ])('refuses %s for a store that is not a test store, and changes nothing', async (url, message) => {
    expect(await refusal(saveStore(deps, base('shop-a', { baseUrl: url })))).toContain(message);
    expect(await refusal(saveStore(deps, base('shop-new', { baseUrl: url })))).toContain(message);
    const s = await findStore(t.db, 'shop-a');
    expect(s).toMatchObject({ baseUrl: 'https://juchu-demo.myshopify.com', hasCredentials: true });
    expect(await findStore(t.db, 'shop-new')).toBeNull();
  });

  it('lets a test store point at this machine, and refuses to unmark it while it does', async () => {
    const r = await saveStore(
      deps,
      base('shop-sim', { baseUrl: 'http://127.0.0.1:4010', testStore: true, credentials: SHOPIFY_CREDS }),
    );
    expect(r.store).toMatchObject({
      testStore: true,
      baseUrl: 'http://127.0.0.1:4010',
      hasCredentials: true,
    });
    expect(await refusal(saveStore(deps, base('shop-sim', { testStore: false })))).toContain('テスト店舗');
    // A test store still may not reach other addresses.
    expect(await refusal(saveStore(deps, base('shop-sim', { baseUrl: 'http://10.0.0.1' })))).toContain(
      'IP アドレス',
    );
    expect((await findStore(t.db, 'shop-sim'))?.testStore).toBe(true);
  });

  it('drops the stored credentials when the store moves to another server, and says so', async () => {
    const r = await saveStore(deps, base('shop-sim', { baseUrl: 'http://127.0.0.1:4999' }));
    expect(r.credentialsDropped).toMatch(
      /^API のベース URL の接続先が http:\/\/127\.0\.0\.1:4010 から http:\/\/127\.0\.0\.1:4999 に変わったため、保存していた認証情報を消しました/,
    );
    expect(r.store).toMatchObject({ hasCredentials: false, credentialState: 'needs_credentials' });
    expect(r.store.credentialError).toBe(r.credentialsDropped);
    expect(await storeCredentials(t.db, r.store.id, TEST_SECRET_KEY)).toEqual({});
    // Entering them again for the new server makes the store whole.
    const fixed = await setStoreCredentials(deps, { code: 'shop-sim', credentials: SHOPIFY_CREDS });
    expect(fixed).toMatchObject({ hasCredentials: true, credentialState: 'ok', credentialError: null });
  });

  it('keeps new credentials that come with the move (a stores file that names them)', async () => {
    const moved = { shop: 'juchu-demo', accessToken: 'shpat_for_4000' };
    const r = await saveStore(
      deps,
      base('shop-sim', { baseUrl: 'http://127.0.0.1:4000', credentials: moved }),
    );
    expect(r).toMatchObject({ credentialsDropped: null, credentialsUpdated: true });
    expect(await storeCredentials(t.db, r.store.id, TEST_SECRET_KEY)).toEqual(moved);
    // Back to the cart's own API: another server again, so the simulator's token is dropped.
    const prod = await saveStore(deps, base('shop-sim', { baseUrl: null, testStore: false }));
    expect(prod.credentialsDropped).toContain('https://juchu-demo.myshopify.com');
    expect(prod.store.hasCredentials).toBe(false);
  });

  it('checks the token URLs too: Yahoo settings.tokenUrl and Amazon settings.lwaUrl', async () => {
    const yahoo = (settings: Record<string, unknown>, testStore = false) =>
      saveStore(deps, base('yahoo-a', { cart: 'yahoo', settings, testStore }));
    expect(await refusal(yahoo({ tokenUrl: 'https://evil.example/token' }))).toContain(
      'トークン発行 URL（settings.tokenUrl） の接続先 evil.example',
    );
    expect(await refusal(yahoo({}))).toBeNull();
    expect(await refusal(yahoo({ tokenUrl: 'https://auth.login.yahoo.co.jp/yconnect/v2/token' }))).toBeNull();
    // The Yahoo test environment's API host is on the list.
    expect(
      await refusal(
        saveStore(
          deps,
          base('yahoo-a', { cart: 'yahoo', baseUrl: 'https://test.circus.shopping.yahooapis.jp' }),
        ),
      ),
    ).toBeNull();
    const amazon = (settings: Record<string, unknown>, baseUrl: string | null = null) =>
      saveStore(deps, base('amazon-a', { cart: 'amazon', settings, baseUrl }));
    expect(await refusal(amazon({ lwaUrl: 'https://evil.example/auth/o2/token' }))).toContain(
      'LWA のトークン URL（settings.lwaUrl） の接続先 evil.example',
    );
    // A path is resolved on the API host, which does not serve LWA.
    expect(await refusal(amazon({ lwaUrl: '/auth/o2/token' }))).toContain(
      '接続先 sellingpartnerapi-fe.amazon.com',
    );
    expect(await refusal(amazon({}, 'https://sandbox.sellingpartnerapi-fe.amazon.com'))).toBeNull();
    const yahooCreds = cartModule('yahoo').demoCredentials as Record<string, unknown>;
    await setStoreCredentials(deps, { code: 'yahoo-a', credentials: yahooCreds });
    // Moving only the token endpoint moves the credentials too.
    const sim = await saveStore(
      deps,
      base('yahoo-a', {
        cart: 'yahoo',
        testStore: true,
        settings: { tokenUrl: 'http://127.0.0.1:4020/token' },
      }),
    );
    expect(sim.credentialsDropped).toContain('トークン発行 URL（settings.tokenUrl） の接続先が');
  });

  it('keeps a CSV store on a folder, with no credentials to move', async () => {
    const csv = base('csv-a', {
      cart: 'csv',
      baseUrl: 'file:///srv/juchu/inbox',
      settings: { preset: 'rakuten' },
    });
    expect((await saveStore(deps, csv)).store.baseUrl).toBe('file:///srv/juchu/inbox');
    expect(await refusal(saveStore(deps, { ...csv, baseUrl: 'https://example.jp/inbox' }))).toContain(
      'file://',
    );
  });

  it('holds the store form’s rules: code, name, cron, cart, settings, credentials', async () => {
    expect(await refusal(saveStore(deps, base('Bad Code')))).toContain('店舗コード');
    expect(await refusal(saveStore(deps, base('shop-x', { name: '  ' })))).toContain('店舗名');
    expect(await refusal(saveStore(deps, base('shop-x', { importCron: 'not cron' })))).toContain('cron');
    expect(await refusal(saveStore(deps, base('shop-x', { cart: undefined })))).toContain('カートを選んで');
    expect(await refusal(saveStore(deps, base('shop-a', { cart: 'rakuten' })))).toContain(
      'カートは変更できません',
    );
    expect(await refusal(saveStore(deps, base('shop-x', { settings: { deliveryHoldDays: -1 } })))).toContain(
      '設定が正しくありません: deliveryHoldDays',
    );
    expect(await refusal(saveStore(deps, base('shop-x', { credentials: { shop: 'x' } })))).toContain(
      '認証情報が足りません: accessToken',
    );
    expect(await refusal(setStoreCredentials(deps, { code: 'no-such', credentials: {} }))).toContain(
      '店舗 no-such はありません',
    );
  });

  it('refuses credentials for a store whose saved URL fails the rule (a row changed by hand)', async () => {
    await t.db
      .updateTable('stores')
      .set({ base_url: 'https://evil.example' })
      .where('code', '=', 'shop-a')
      .execute();
    expect(
      await refusal(setStoreCredentials(deps, { code: 'shop-a', credentials: SHOPIFY_CREDS })),
    ).toContain('evil.example');
    // And any change of that store until its URL is fixed.
    expect(await refusal(saveStore(deps, base('shop-a')))).toContain('evil.example');
    expect(await refusal(saveStore(deps, base('shop-a', { baseUrl: null })))).toBeNull();
  });
});

describe('save-store: settings checked before they are stored', () => {
  let t: TestDb;
  let deps: { db: TestDb['db']; key: Buffer };
  const base = (code: string, more: Partial<SaveStoreInput> = {}): SaveStoreInput => ({
    code,
    cart: 'yahoo',
    name: `店舗 ${code}`,
    enabled: true,
    importCron: '*/10 * * * *',
    ...more,
  });
  const refusal = async (p: Promise<unknown>): Promise<string | null> => {
    try {
      await p;
      return null;
    } catch (e) {
      if (!isRuleRefusal(e)) throw e;
      return e.message;
    }
  };

  beforeAll(async () => {
    t = await createTestDb('save-store-settings');
    deps = { db: t.db, key: TEST_SECRET_KEY };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.each([
    [
      { importCron: '61 * * * *' },
      /^cron: 取込スケジュール: 「61 \* \* \* \*」は実行できる cron 式ではありません/,
    ],
    [{ importCron: 'every minute' }, /^cron: 取込スケジュール: 「every minute」/],
    [
      { settings: { reconcileCron: '0 25 * * *' } },
      /^設定が正しくありません: reconcileCron: 「0 25 \* \* \*」は実行できる/,
    ],
    [
      { settings: { shippingInstructionCron: '0 0 31 2 *' } },
      /^設定が正しくありません: shippingInstructionCron: /,
    ],
    // A cron setting added later (在庫連携's) is checked as a cron by its name alone.
    [{ settings: { stockFullSyncCron: 'hourly' } }, /^設定が正しくありません: stockFullSyncCron: 「hourly」/],
    [
      { settings: { reconcilCron: '30 3 * * *' } },
      /^設定が正しくありません: reconcilCron: 不明な設定です（reconcileCron のことですか？）/,
    ],
    [{ settings: { pageSize: 0, deliveryHoldDays: 'x' } }, /deliveryHoldDays: .*; pageSize: /],
    [{ settings: { carrierCodes: { yamto: '1001' } } }, /^設定が正しくありません: carrierCodes\.yamto: /],
  ] as Array<[Partial<SaveStoreInput>, RegExp]>)(
    'refuses %o naming the field, and stores nothing',
    async (more, message) => {
      expect(await refusal(saveStore(deps, base('y-bad', more)))).toMatch(message);
      expect(await findStore(t.db, 'y-bad')).toBeNull();
    },
  );

  it('checks an existing store’s settings with its own cart when the form does not send the cart', async () => {
    await saveStore(deps, base('y-1', { settings: { reconcileCron: '0 4 * * *', pageSize: 50 } }));
    const edit = { code: 'y-1', name: 'Y', enabled: true, importCron: '*/5 * * * *' };
    expect(await refusal(saveStore(deps, { ...edit, settings: { pagesize: 50 } }))).toBe(
      '設定が正しくありません: pagesize: 不明な設定です（pageSize のことですか？）',
    );
    expect(await refusal(saveStore(deps, { ...edit, settings: { reconcileCron: '* * *' } }))).toMatch(
      /^設定が正しくありません: reconcileCron: /,
    );
    const ok = await saveStore(deps, { ...edit, settings: { reconcileCron: '15 4 * * *' } });
    expect(ok.store.settings.reconcileCron).toBe('15 4 * * *');
  });

  it('changes a store’s cart only when asked, and then drops the other cart’s credentials', async () => {
    const shopify = { shop: 'juchu-demo', accessToken: 'shpat_x' };
    await saveStore(deps, base('moving', { cart: 'shopify', credentials: shopify }));
    const toMakeshop = base('moving', { cart: 'makeshop' });
    expect(await refusal(saveStore(deps, toMakeshop))).toMatch(
      /^cart: 店舗 moving は shopify の店舗で、カートは変更できません。makeshop に変えるには.*--change-cart/,
    );
    expect(await findStore(t.db, 'moving')).toMatchObject({ cart: 'shopify', hasCredentials: true });
    const moved = await saveStore(deps, { ...toMakeshop, changeCart: true });
    expect(moved.cartChanged).toEqual({ from: 'shopify', to: 'makeshop' });
    expect(moved.credentialsDropped).toMatch(/カートを shopify から makeshop に変えたため/);
    expect(await findStore(t.db, 'moving')).toMatchObject({
      cart: 'makeshop',
      hasCredentials: false,
      credentialState: 'needs_credentials',
    });
  });

  it('takes plain http only for a test store', async () => {
    const sim = { baseUrl: 'http://127.0.0.1:4011' };
    expect(await refusal(saveStore(deps, base('y-http', sim)))).toMatch(/テスト店舗/);
    expect(
      await refusal(saveStore(deps, base('y-http', { baseUrl: 'http://circus.shopping.yahooapis.jp' }))),
    ).toMatch(/https:\/\//);
    expect((await saveStore(deps, base('y-http', { ...sim, testStore: true }))).store.baseUrl).toBe(
      sim.baseUrl,
    );
  });
});

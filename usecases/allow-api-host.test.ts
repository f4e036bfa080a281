// Hosts added by an ops engineer (`juchu stores allow-host`): makeshop's next-generation endpoint is
// sent to each shop by e-mail, so a real store on it can be saved only once its host is added; the
// host counts for that cart's API URL only (not another cart's, not a token endpoint), and taking it
// back refuses the store at its next adapter build (every import builds one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../carts/registry.js';
import { listAddedApiHosts } from '../db/cart-api-hosts.js';
import { getStore } from '../db/stores.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { StoreEndpointRefused, storeAdapterFactory } from '../jobs/deps.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { allowApiHost, disallowApiHost } from './allow-api-host.js';
import { saveStore } from './save-store.js';

const ENDPOINT = 'https://shop-4821.api.next.makeshop.example/graphql';
const HOST = 'shop-4821.api.next.makeshop.example';

describe('allow-api-host', () => {
  let t: TestDb;
  let deps: { db: TestDb['db']; key: Buffer };
  const refusal = async (p: Promise<unknown>): Promise<string | null> => {
    try {
      await p;
      return null;
    } catch (e) {
      if (!isRuleRefusal(e)) throw e;
      return e.message;
    }
  };
  const makeshop = () =>
    saveStore(deps, {
      code: 'makeshop-next',
      cart: 'makeshop',
      name: 'makeshop 次世代',
      enabled: true,
      importCron: '*/10 * * * *',
      baseUrl: ENDPOINT,
      settings: { orderApi: 'next' },
      credentials: cartModule('makeshop').demoCredentials as Record<string, unknown>,
    });

  beforeAll(async () => {
    t = await createTestDb('allow-api-host');
    deps = { db: t.db, key: TEST_SECRET_KEY };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('lets a makeshop next-generation store be saved on its e-mailed endpoint once the host is added', async () => {
    expect(await refusal(makeshop())).toContain(`接続先 ${HOST} には認証情報を送れません`);
    const r = await allowApiHost(deps, {
      cart: 'makeshop',
      host: ` ${HOST.toUpperCase()} `,
      source: 'makeshop アプリ開発申請完了メール 2026-12-05',
      actor: 'ops',
    });
    expect(r).toEqual({ cart: 'makeshop', host: HOST, alreadyPublished: false, added: [HOST] });
    expect((await makeshop()).store).toMatchObject({ baseUrl: ENDPOINT, hasCredentials: true });
    const adapterFor = storeAdapterFactory(t.db, TEST_SECRET_KEY);
    const store = await getStore(t.db, 'makeshop-next');
    await expect(adapterFor(store)).resolves.toBeDefined();

    // Only that cart's API URL: a Shopify store or a Yahoo! token endpoint on the host stays refused.
    expect(
      await refusal(
        saveStore(deps, {
          code: 'shopify-x',
          cart: 'shopify',
          name: 'x',
          enabled: true,
          importCron: '*/10 * * * *',
          baseUrl: `https://${HOST}`,
        }),
      ),
    ).toContain(`接続先 ${HOST}`);
    await allowApiHost(deps, { cart: 'yahoo', host: HOST, source: 'test', actor: 'ops' });
    expect(
      await refusal(
        saveStore(deps, {
          code: 'yahoo-x',
          cart: 'yahoo',
          name: 'x',
          enabled: true,
          importCron: '*/10 * * * *',
          settings: { tokenUrl: `https://${HOST}/token` },
        }),
      ),
    ).toContain(`トークン発行 URL（settings.tokenUrl） の接続先 ${HOST}`);

    // Taken back: the saved store is refused when its adapter is next built (before any request).
    expect(await disallowApiHost(deps, { cart: 'makeshop', host: HOST })).toEqual({ removed: true });
    await expect(adapterFor(store)).rejects.toBeInstanceOf(StoreEndpointRefused);
    expect((await listAddedApiHosts(t.db)).map((h) => `${h.cart} ${h.host} ${h.source}`)).toEqual([
      `yahoo ${HOST} test`,
    ]);
  });

  it.each([
    ['https://shop.example.jp', 'ホスト名だけ'],
    ['*.makeshop.jp', 'ワイルドカード'],
    ['shop.example.jp:8443', 'ポート番号'],
    ['10.0.0.5', 'IP アドレス'],
    ['127.0.0.1', 'IP アドレス'],
    ['localhost', 'この機械自身'],
    ['intranet', 'ホスト名として読めません'],
    ['shop_1.example.jp', 'ホスト名として読めません'],
  ])('refuses %s as a host (%s)', async (host, says) => {
    expect(
      await refusal(allowApiHost(deps, { cart: 'makeshop', host, source: 'x', actor: 'ops' })),
    ).toContain(says);
  });

  it('refuses an unknown cart, the CSV cart and a missing source, and adds nothing for a published host', async () => {
    const add = (cart: string, host: string, source = 'x') =>
      allowApiHost(deps, { cart, host, source, actor: 'ops' });
    expect(await refusal(add('ebay', 'api.ebay.com'))).toContain('カート ebay はありません');
    expect(await refusal(add('csv', 'files.example.jp'))).toContain('CSV 店舗');
    expect(await refusal(add('makeshop', 'api.example.jp', '  '))).toContain('--source');
    const r = await add('makeshop', 'www.makeshop.jp');
    expect(r.alreadyPublished).toBe(true);
    expect((await listAddedApiHosts(t.db)).some((h) => h.host === 'www.makeshop.jp')).toBe(false);
  });
});

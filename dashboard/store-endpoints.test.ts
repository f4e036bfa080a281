// Credentials stay with their cart (issue 12 item 5), through the dashboard's store API and the
// import that follows: an admin cannot point a store that is not a test store at another server or
// an internal address; moving a test store to another server drops its credentials, so the next
// import sends nothing there; a row changed by hand in SQL is refused by the adapter factory, which
// marks the store. "evil" is a local HTTP server that records every request it gets.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { findStore } from '../db/stores.js';
import { processImportStore } from '../jobs/import-store.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { setStoreSettings, testDeps } from '../test/pipeline.js';

const STORE = 'shopify-global';

describe('store endpoints through the dashboard and the import', () => {
  let sim: RunningSimulator;
  let d: TestDashboard;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let admin: Client;
  let evil: Server;
  let evilUrl: string;
  const evilGot: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

  const form = (more: Record<string, unknown>) => ({
    name: 'Shopify 海外向け',
    importCron: '*/10 * * * *',
    enabled: true,
    ...more,
  });
  const put = (more: Record<string, unknown>) =>
    admin.request('PUT', `/api/stores/${STORE}`, { body: form(more) });
  const importNow = async () => {
    try {
      return await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
    } catch (e) {
      return e as Error;
    }
  };

  beforeAll(async () => {
    const now = Date.now();
    sim = await shopifySimulator.start({
      orders: 5,
      seed: 12,
      from: new Date(now - 86_400_000),
      to: new Date(now - 60_000),
      rateLimits: false,
    });
    evil = createServer((req, res) => {
      evilGot.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders":[]}');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    d = await startTestDashboard('store-endpoints', { baseUrls: { shopify: sim.url } });
    await setStoreSettings(d.t, STORE, { initialImportDays: 3, settleLagSeconds: 0 });
    deps = await testDeps(d.t);
    admin = await Client.as(d.url, 'admin');
  });
  afterAll(async () => {
    await deps?.close();
    await d?.close();
    await sim?.stop();
    await new Promise((r) => evil?.close(r));
  });

  it('imports from the simulator as a test store', async () => {
    const s = await findStore(d.t.db, STORE);
    expect(s).toMatchObject({ testStore: true, baseUrl: sim.url, hasCredentials: true });
    const r = await importNow();
    expect(r).toMatchObject({ outcome: 'succeeded' });
  });

  it('refuses another server or an internal address for a store that is not a test store, and changes nothing', async () => {
    for (const baseUrl of [
      'https://evil.example',
      evilUrl,
      sim.url,
      'http://localhost:3000',
      'https://10.0.0.1',
      'http://169.254.169.254/latest/meta-data/',
      'https://192.168.0.10',
      'http://juchu-demo.myshopify.com',
      'https://user:password@juchu-demo.myshopify.com',
      'https://juchu-demo.myshopify.com:8443',
    ]) {
      const r = await put({ baseUrl, testStore: false });
      expect(r.status, baseUrl).toBe(400);
      expect((r.body as { message: string }).message, baseUrl).toMatch(/API のベース URL/);
    }
    // A test store may point at this machine, but not at the rest of the network either.
    expect((await put({ baseUrl: 'http://10.0.0.1', testStore: true })).status).toBe(400);
    expect((await put({ baseUrl: 'http://169.254.169.254', testStore: true })).status).toBe(400);
    const r = await put({ baseUrl: sim.url, testStore: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      credentialsDropped: null,
      store: { testStore: true, hasCredentials: true },
    });
    expect(evilGot).toEqual([]);
  });

  it('drops the credentials when a store moves to another server; the next import sends nothing there', async () => {
    const r = await put({ baseUrl: evilUrl, testStore: true });
    expect(r.status).toBe(200);
    const dropped = (r.body as { credentialsDropped: string }).credentialsDropped;
    expect(dropped).toContain(`${evilUrl} に変わったため、保存していた認証情報を消しました`);
    const list = (await admin.get('/api/stores')).body as {
      stores: Array<{
        code: string;
        credentialState: string;
        credentialError: string;
        hasCredentials: boolean;
      }>;
    };
    expect(list.stores.find((s) => s.code === STORE)).toMatchObject({
      credentialState: 'needs_credentials',
      credentialError: dropped,
      hasCredentials: false,
    });
    const failed = await importNow();
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/credentials incomplete/);
    expect(evilGot).toEqual([]);
  });

  it('refuses a row changed by hand before sending anything, and marks the store', async () => {
    // Credentials entered for the (test store's) evil server, then the row is changed in SQL.
    const creds = await admin.request('PUT', `/api/stores/${STORE}/credentials`, {
      body: { credentials: { shop: 'juchu-demo', accessToken: 'shpat_secret_for_evil' } },
    });
    expect(creds.status).toBe(200);
    await d.t.db.updateTable('stores').set({ test_store: false }).where('code', '=', STORE).execute();
    const failed = await importNow();
    expect((failed as Error).message).toMatch(
      /authentication refused for store shopify-global: .*テスト店舗/,
    );
    const s = await findStore(d.t.db, STORE);
    expect(s).toMatchObject({ credentialState: 'needs_credentials' });
    expect(s?.credentialError).toMatch(/この機械自身です/);
    await d.t.db
      .updateTable('stores')
      .set({ base_url: 'https://evil.example' })
      .where('code', '=', STORE)
      .execute();
    expect(((await importNow()) as Error).message).toMatch(/接続先 evil\.example には認証情報を送れません/);
    expect(evilGot).toEqual([]);
    // The store screen says what to do: the form refuses that URL until it is fixed.
    expect((await put({ testStore: false })).status).toBe(400);
  });

  it('imports again once the store is back on its simulator with its credentials entered again', async () => {
    const back = await put({ baseUrl: sim.url, testStore: true });
    expect(back.status).toBe(200);
    const creds = await admin.request('PUT', `/api/stores/${STORE}/credentials`, {
      body: { credentials: { shop: 'juchu-demo', accessToken: 'shpat_juchu_demo_token' } },
    });
    expect(creds.status).toBe(200);
    expect(await importNow()).toMatchObject({ outcome: 'succeeded' });
    expect(evilGot).toEqual([]);
  });

  it('refuses settings that could never run, in Japanese naming the field, and keeps the stored ones', async () => {
    const before = await findStore(d.t.db, STORE);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { importCron: '61 * * * *' },
        /^cron: 取込スケジュール: 「61 \* \* \* \*」は実行できる cron 式ではありません/,
      ],
      [
        { settings: { reconcileCron: 'every minute' } },
        /^設定が正しくありません: reconcileCron: 「every minute」/,
      ],
      [
        { settings: { pageSise: 10 } },
        /^設定が正しくありません: pageSise: 不明な設定です（pageSize のことですか？）/,
      ],
      [{ cart: 'makeshop' }, /^cart: 店舗 shopify-global は shopify の店舗で、カートは変更できません/],
    ];
    for (const [more, message] of cases) {
      const r = await put(more);
      expect(r.status, JSON.stringify(more)).toBe(400);
      expect((r.body as { message: string }).message).toMatch(message);
    }
    expect(await findStore(d.t.db, STORE)).toEqual(before);
  });
});

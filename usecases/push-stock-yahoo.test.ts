// The full sync at a Yahoo! store: getStock reads what the cart shows, the drift is recorded on the
// store's push state, and the right number is sent again with setStock (issue 17 item 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YAHOO_DEMO_CREDENTIALS } from '../carts/yahoo/demo-credentials.js';
import { type RunningYahooSimulator, startYahooSimulator } from '../carts/yahoo/simulator.js';
import { pushStateOf } from '../db/stock-push.js';
import { type Store, upsertStore } from '../db/stores.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { TEST_SECRET_KEY } from '../test/harness.js';
import { NOW, stockWorld } from '../test/stock-fixtures.js';
import { pushThroughOutbox } from '../test/stock-push-outbox.js';
import { depsOf } from './deps.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };
const LIMITS = { '*': { ratePerSec: 400, burst: 10 } };

describe('stock push full sync at Yahoo!', () => {
  const w = stockWorld('stock-push-yahoo', {}, { TEA: { tokyo: 10 } });
  let sim: RunningYahooSimulator;
  let y: Store;
  const deps = () => ({ ...depsOf(w.db, NOW), actionsFor: storeActionsFactory(w.db, TEST_SECRET_KEY, HTTP) });

  beforeAll(async () => {
    sim = await startYahooSimulator({ orders: 0, limits: LIMITS });
    y = await upsertStore(
      w.db,
      {
        code: 'yh-a',
        cart: 'yahoo',
        name: 'yh-a',
        baseUrl: sim.url,
        testStore: true,
        settings: { stockPush: true, stockPushOwnCodes: false, limits: LIMITS },
        credentials: YAHOO_DEMO_CREDENTIALS,
      },
      TEST_SECRET_KEY,
    );
    await w.db
      .insertInto('store_product_mappings')
      .values([
        {
          store_id: y.id,
          cart_product_code: 'KYUSU-TKN',
          cart_option_code: 'COLOR-RED',
          product_code: 'TEA',
          units_per_cart_unit: 1,
        },
      ])
      .execute();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('pushes, then a full sync finds the drift through getStock and sends the number again', async () => {
    const first = await pushThroughOutbox(deps(), { storeCode: 'yh-a' });
    expect(first.request.actions).toBe(1);
    expect(first.error).toBeNull();
    expect(sim.book.stock.get('KYUSU-TKN:COLOR-RED')).toBe(10);

    // Nothing differs: the full sync reads the cart and sends nothing.
    const clean = await pushThroughOutbox(deps(), { storeCode: 'yh-a', full: true });
    expect(clean.request).toMatchObject({ drifted: 0, actions: 0 });
    expect(sim.stats.byRoute.getStock).toBe(1);

    // Someone set 3 in the store's own screen: the full sync records the drift and repairs it.
    sim.book.stock.set('KYUSU-TKN:COLOR-RED', 3);
    const r = await pushThroughOutbox(deps(), { storeCode: 'yh-a', full: true });
    expect(r.request).toMatchObject({ drifted: 1, actions: 1 });
    expect(r.error).toBeNull();
    expect(sim.book.stock.get('KYUSU-TKN:COLOR-RED')).toBe(10);
    const [row] = await pushStateOf(w.db, { storeId: y.id, onlyProblems: true });
    expect(row).toMatchObject({
      cartProductCode: 'KYUSU-TKN',
      cartOptionCode: 'COLOR-RED',
      cartQuantity: 3,
      drift: -7,
    });
  });
});

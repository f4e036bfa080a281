// Yahoo!'s setStock against its simulator over real HTTP: form fields with absolute numbers, an
// option as `code:subcode`, a customer refused at 0, bad codes refused before sending.
import { afterEach, describe, expect, it } from 'vitest';
import { YAHOO_DEMO_CREDENTIALS } from './demo-credentials.js';
import { yahooCart } from './index.js';
import { type RunningYahooSimulator, startYahooSimulator } from './simulator.js';

const LIMITS = { '*': { ratePerSec: 400, burst: 10 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 3 };
let sims: RunningYahooSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

describe('yahoo setStock', () => {
  it('sets absolute numbers for codes and code:subcode; a sale at 0 is refused', async () => {
    const sim = await startYahooSimulator({ orders: 0, limits: LIMITS });
    sims.push(sim);
    const actions = yahooCart.createActions!({
      storeCode: 'yahoo-main',
      baseUrl: sim.url,
      credentials: YAHOO_DEMO_CREDENTIALS,
      http: HTTP,
      limits: LIMITS,
    });
    expect(actions.stockBatch).toBe(1000);
    const out = await actions.setStock!([
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 0 },
      { cartProductCode: 'KYUSU-TKN', cartOptionCode: 'COLOR-RED', quantity: 3 },
      { cartProductCode: '商品', cartOptionCode: null, quantity: 1 },
    ]);
    expect(Object.fromEntries([...out].map(([k, v]) => [k, v.status]))).toEqual({
      '00000911246': 'done',
      'KYUSU-TKN:COLOR-RED': 'done',
      商品: 'refused',
    });
    expect(sim.stats.byRoute.setStock).toBe(1);
    expect(sim.book.stock.get('KYUSU-TKN:COLOR-RED')).toBe(3);
    const buy = async (item: string) =>
      (await (
        await fetch(`${sim.url}/__sim/orders`, { method: 'POST', body: JSON.stringify({ item }) })
      ).json()) as {
        refused: number;
      };
    expect((await buy('00000911246')).refused).toBe(1);
    expect((await buy('KYUSU-TKN:COLOR-RED')).refused).toBe(0);
    expect(sim.book.stock.get('KYUSU-TKN:COLOR-RED')).toBe(2);
  });

  it('getStock reads what the cart shows now, code and code:subcode; unknown items are absent', async () => {
    const sim = await startYahooSimulator({ orders: 0, limits: LIMITS });
    sims.push(sim);
    const actions = yahooCart.createActions!({
      storeCode: 'yahoo-main',
      baseUrl: sim.url,
      credentials: YAHOO_DEMO_CREDENTIALS,
      http: HTTP,
      limits: LIMITS,
    });
    sim.book.stock.set('00000911246', 7);
    sim.book.stock.set('KYUSU-TKN:COLOR-RED', 2);
    const read = await actions.readStock!([
      { cartProductCode: '00000911246', cartOptionCode: null },
      { cartProductCode: 'KYUSU-TKN', cartOptionCode: 'COLOR-RED' },
      { cartProductCode: 'NEVER-SET', cartOptionCode: null },
      { cartProductCode: '商品', cartOptionCode: null },
    ]);
    expect(Object.fromEntries(read)).toEqual({ '00000911246': 7, 'KYUSU-TKN:COLOR-RED': 2 });
    expect(sim.stats.byRoute.getStock).toBe(1);
  });
});

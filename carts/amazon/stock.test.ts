// Amazon's patchListingsItem against its simulator over real HTTP: merge of fulfillment_availability
// (absolute MFN quantity) accepted, an unknown SKU INVALID as a refusal, no seller id refused before
// sending, a customer refused at 0, and the read-back with includedData=fulfillmentAvailability.
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimits } from '../contract.js';
import { AMAZON_RATE_LIMITS } from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { amazonCart, amazonSimulatorSettings } from './index.js';
import { type AmazonRunningSimulator, startAmazonSimulator } from './simulator.js';
import { SIM_SELLER_ID } from './simulator-stock.js';

const LIMITS: RateLimits = Object.fromEntries(
  Object.keys(AMAZON_RATE_LIMITS).map((k) => [k, { ratePerSec: 200, burst: 20 }]),
);
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 3 };
const running: AmazonRunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function setup(settings: Record<string, unknown>) {
  const sim = await startAmazonSimulator({ orders: 0, limits: LIMITS });
  running.push(sim);
  const actions = amazonCart.createActions!({
    storeCode: 'amazon-main',
    baseUrl: sim.url,
    credentials: AMAZON_DEMO_CREDENTIALS,
    settings: { ...amazonSimulatorSettings, ...settings },
    limits: LIMITS,
    http: HTTP,
  });
  return { sim, actions };
}

describe('amazon patchListingsItem', () => {
  it('sets the MFN quantity per SKU; an unknown SKU is refused with its issue; a sale at 0 is refused', async () => {
    const { sim, actions } = await setup({ sellerId: SIM_SELLER_ID });
    const out = await actions.setStock!([
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 0 },
      { cartProductCode: 'TSE-0013-9124', cartOptionCode: null, quantity: 7 },
      { cartProductCode: 'NO-SUCH-SKU', cartOptionCode: null, quantity: 1 },
    ]);
    expect(Object.fromEntries([...out].map(([k, v]) => [k, v.status]))).toEqual({
      '00000911246': 'done',
      'TSE-0013-9124': 'done',
      'NO-SUCH-SKU': 'refused',
    });
    expect(out.get('NO-SUCH-SKU')?.answer).toMatch(/INVALID/);
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(7);
    expect(sim.stats.byRoute.patchListingsItem).toBe(3);
    const refused = (await (
      await fetch(`${sim.url}/__sim/orders`, {
        method: 'POST',
        body: JSON.stringify({ item: '00000911246' }),
      })
    ).json()) as { refused: number };
    expect(refused.refused).toBe(1);
    const read = await actions.readStock!([
      { cartProductCode: 'TSE-0013-9124', cartOptionCode: null },
      { cartProductCode: 'NO-SUCH-SKU', cartOptionCode: null },
    ]);
    expect(Object.fromEntries(read)).toEqual({ 'TSE-0013-9124': 7 });
  });

  it('without a seller id nothing is sent', async () => {
    const { sim, actions } = await setup({});
    const out = await actions.setStock!([
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 3 },
    ]);
    expect(out.get('00000911246')).toMatchObject({ status: 'refused', code: 'NO_SELLER_ID' });
    expect(sim.stats.byRoute.patchListingsItem ?? 0).toBe(0);
  });
});

// Rakuten's 在庫API against its simulator over real HTTP: ABSOLUTE quantities in bulk, the sale a
// customer cannot make at 0, entries refused before sending, the simulator's validation (a 400
// stores nothing) and the bulk-get read-back.
import { afterEach, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from './demo-credentials.js';
import { rakutenCart } from './index.js';
import { type RunningRakutenSimulator, rakutenSimulator } from './simulator.js';
import { INVENTORY_UPSERT_PATH } from './stock.js';

const LIMITS = { '*': { ratePerSec: 400, burst: 10 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 3 };
let sims: RunningRakutenSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

async function setup(settings: Record<string, unknown> = {}) {
  const sim = await rakutenSimulator.start({ orders: 5, seed: 3, limits: LIMITS });
  sims.push(sim);
  const actions = rakutenCart.createActions!({
    storeCode: 'rakuten-main',
    baseUrl: sim.url,
    credentials: RAKUTEN_DEMO_CREDENTIALS,
    http: HTTP,
    limits: LIMITS,
    settings,
  });
  const buy = async (item: string, quantity = 1) =>
    (await (
      await fetch(`${sim.url}/__sim/orders`, { method: 'POST', body: JSON.stringify({ item, quantity }) })
    ).json()) as { placed: string[]; refused: number };
  return { sim, actions, buy };
}

describe('rakuten inventories bulk-upsert', () => {
  it('sets absolute quantities; a customer cannot buy an item at 0, and buys down from what was set', async () => {
    const { sim, actions, buy } = await setup();
    const out = await actions.setStock!([
      { cartProductCode: 'TSE-0013-9124', cartOptionCode: null, quantity: 0 },
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 2 },
    ]);
    expect([...out.values()].map((o) => o.status)).toEqual(['done', 'done']);
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(0);
    expect(await buy('TSE-0013-9124')).toEqual({ placed: [], refused: 1 });
    expect((await buy('00000911246', 2)).placed).toHaveLength(1);
    expect((await buy('00000911246')).refused).toBe(1);
    expect(sim.book.refusedSales).toBe(2);
    // The same absolute number again changes nothing (idempotent).
    await actions.setStock!([{ cartProductCode: '00000911246', cartOptionCode: null, quantity: 5 }]);
    await actions.setStock!([{ cartProductCode: '00000911246', cartOptionCode: null, quantity: 5 }]);
    expect(sim.book.stock.get('00000911246')).toBe(5);
    const read = await actions.readStock!([
      { cartProductCode: '00000911246', cartOptionCode: null },
      { cartProductCode: 'NEVER-SET', cartOptionCode: null },
    ]);
    expect(Object.fromEntries(read)).toEqual({ '00000911246': 5 });
  });

  it('an option is its SKU; stockIds names another pair; bad codes are refused before sending', async () => {
    const { sim, actions } = await setup({
      stockIds: { '00000940101:RED': 'KYUSU-TKN/kyusu-tkn-color-red' },
    });
    const out = await actions.setStock!([
      { cartProductCode: '00000940101', cartOptionCode: 'RED', quantity: 4 },
      { cartProductCode: 'コード', cartOptionCode: null, quantity: 1 },
    ]);
    expect(out.get('00000940101:RED')?.status).toBe('done');
    expect(out.get('コード')).toMatchObject({ status: 'refused', code: 'INVALID_CODE' });
    expect(sim.book.stock.get('KYUSU-TKN:COLOR-RED')).toBe(4);
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(1);
  });

  it('the simulator validates as RMS: mode required, RELATIVE not for a new record, 400 stores nothing', async () => {
    const { sim } = await setup();
    const post = async (inventories: unknown) =>
      fetch(`${sim.url}${INVENTORY_UPSERT_PATH}`, {
        method: 'POST',
        headers: {
          authorization: `ESA ${Buffer.from(`${RAKUTEN_DEMO_CREDENTIALS.serviceSecret}:${RAKUTEN_DEMO_CREDENTIALS.licenseKey}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ inventories }),
      });
    const noMode = await post([{ manageNumber: '00000911246', variantId: 'normal-inventory', quantity: 3 }]);
    expect(noMode.status).toBe(400);
    expect(
      ((await noMode.json()) as { errors: Array<{ metadata: { propertyPath: string } }> }).errors[0]!.metadata
        .propertyPath,
    ).toBe('inventories[0].mode');
    const mixed = await post([
      { manageNumber: '00000911246', variantId: 'normal-inventory', mode: 'ABSOLUTE', quantity: 3 },
      { manageNumber: 'x'.repeat(33), variantId: 'a', mode: 'ABSOLUTE', quantity: 3 },
    ]);
    expect(mixed.status).toBe(400);
    expect(sim.book.stock.has('00000911246')).toBe(false);
    expect(
      (await post([{ manageNumber: 'new1', variantId: 'a', mode: 'RELATIVE', quantity: 1 }])).status,
    ).toBe(400);
    expect(
      (
        await post(
          Array.from({ length: 401 }, () => ({
            manageNumber: 'a',
            variantId: 'b',
            mode: 'ABSOLUTE',
            quantity: 1,
          })),
        )
      ).status,
    ).toBe(400);
  });
});

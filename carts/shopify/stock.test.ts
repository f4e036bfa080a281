// Shopify's inventorySetQuantities against its simulator over real HTTP: SKUs looked up, absolute
// `available` set with changeFromQuantity and an idempotency key, a stale compare read again and
// sent once more, unknown SKUs and a missing location refused, a customer refused at 0.
import { afterEach, describe, expect, it } from 'vitest';
import { forgetShopifyTokens } from './auth.js';
import { SHOPIFY_LEGACY_DEMO_TOKEN } from './demo-credentials.js';
import { shopifyCart } from './index.js';
import { type ShopifySimulator, startShopifySimulator } from './simulator.js';
import { SIM_LOCATION_ID } from './simulator-stock.js';
import { INVENTORY_SET } from './stock.js';

const FAST = { '*': { ratePerSec: 400, burst: 10 }, graphql: { ratePerSec: 50_000, burst: 2000 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 4 };
let sim: ShopifySimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
  forgetShopifyTokens();
});

async function setup(settings: Record<string, unknown>) {
  sim = await startShopifySimulator({ orders: 0, limits: FAST });
  const actions = shopifyCart.createActions!({
    storeCode: 'shopify-main',
    baseUrl: sim.url,
    credentials: shopifyCart.demoCredentials,
    http: HTTP,
    limits: FAST,
    settings,
  });
  return { sim, actions };
}

describe('shopify inventorySetQuantities', () => {
  it('sets available with compare-and-set; a stale compare is re-read; unknown SKUs refused; sale at 0 refused', async () => {
    const { sim, actions } = await setup({ locationId: SIM_LOCATION_ID });
    sim.book.stock.set('00000911246', 4);
    const out = await actions.setStock!([
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 0 },
      { cartProductCode: 'TSE-0013-9124', cartOptionCode: null, quantity: 9 },
      { cartProductCode: 'NO-SUCH', cartOptionCode: null, quantity: 1 },
    ]);
    expect(Object.fromEntries([...out].map(([k, v]) => [k, v.status]))).toEqual({
      '00000911246': 'done',
      'TSE-0013-9124': 'done',
      'NO-SUCH': 'refused',
    });
    expect(out.get('00000911246')?.answer).toMatch(/4 → 0/);
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(9);
    const buy = (await (
      await fetch(`${sim.url}/__sim/orders`, {
        method: 'POST',
        body: JSON.stringify({ item: '00000911246' }),
      })
    ).json()) as { refused: number };
    expect(buy.refused).toBe(1);
    expect(
      Object.fromEntries(
        await actions.readStock!([{ cartProductCode: 'TSE-0013-9124', cartOptionCode: null }]),
      ),
    ).toEqual({
      'TSE-0013-9124': 9,
    });
  });

  it('the simulator refuses a mutation without an idempotency key and a stale compare; a repeated key applies once', async () => {
    const { sim } = await setup({});
    const post = async (query: string, variables: unknown) =>
      (await (
        await fetch(`${sim.url}/admin/api/2026-10/graphql.json`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-shopify-access-token': SHOPIFY_LEGACY_DEMO_TOKEN,
          },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as {
        data?: { inventorySetQuantities?: { userErrors: Array<{ code: string }> } };
        errors?: unknown[];
      };
    const input = (changeFromQuantity: number | null, quantity: number) => ({
      name: 'available',
      reason: 'correction',
      quantities: [
        {
          inventoryItemId: 'gid://shopify/InventoryItem/44000000001',
          locationId: SIM_LOCATION_ID,
          quantity,
          changeFromQuantity,
        },
      ],
    });
    const noKey = await post(
      INVENTORY_SET.replace(' @idempotent(key: $key)', '').replace(', $key: String!', ''),
      { input: input(0, 5) },
    );
    expect(noKey.errors?.length).toBeGreaterThan(0);
    const stale = await post(INVENTORY_SET, { key: 'k1', input: input(3, 5) });
    expect(stale.data?.inventorySetQuantities?.userErrors[0]?.code).toBe('CHANGE_FROM_QUANTITY_STALE');
    const ok = await post(INVENTORY_SET, { key: 'k2', input: input(0, 5) });
    expect(ok.data?.inventorySetQuantities?.userErrors).toEqual([]);
    // The same key again: the first answer, not applied twice (5 stays 5, no stale error).
    const again = await post(INVENTORY_SET, { key: 'k2', input: input(0, 5) });
    expect(again.data?.inventorySetQuantities?.userErrors).toEqual([]);
    expect(sim.book.stock.get('00000911246')).toBe(5);
  });

  it('without a location nothing is sent', async () => {
    const { actions } = await setup({});
    const out = await actions.setStock!([
      { cartProductCode: '00000911246', cartOptionCode: null, quantity: 1 },
    ]);
    expect(out.get('00000911246')).toMatchObject({ status: 'refused', code: 'NO_LOCATION' });
  });
});

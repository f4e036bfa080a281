// Shopify's write side against its simulator over real HTTP (GraphQL, cost-paced): fulfillment
// orders read, fulfillmentCreate with trackingInfo, the next import seeing the order fulfilled with
// its tracking number (GraphQL and REST), a lost answer found by re-reading instead of fulfilling
// twice, tracking updates on the stored fulfillment, lines never fulfilled twice, carriers refused
// before sending, userErrors as refusals, and orderCancel with its already-cancelled re-read.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { RawOrder } from '../contract.js';
import { CartUnavailableError } from '../errors.js';
import { createShopifyActions, FULFILLMENT_ORDERS_QUERY, orderGidOf } from './actions.js';
import { forgetShopifyTokens } from './auth.js';
import { SHOPIFY_LEGACY_DEMO_TOKEN } from './demo-credentials.js';
import { shopifyCart } from './index.js';
import { type ShopifySimulator, startShopifySimulator } from './simulator.js';

const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
const FAST = { '*': { ratePerSec: 400, burst: 10 }, graphql: { ratePerSec: 50_000, burst: 2000 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 4 };

let sim: ShopifySimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
  forgetShopifyTokens();
});

async function setup(
  o: { settings?: Record<string, unknown>; limits?: typeof FAST; ordersApi?: 'graphql' | 'rest' } = {},
) {
  let t = END.getTime() + 3_600_000;
  const clock = () => new Date(t);
  sim = await startShopifySimulator({
    seed: 5,
    orders: 30,
    from: START,
    to: END,
    clock,
    limits: o.limits ?? FAST,
    foreignShare: 0,
  });
  const opts = {
    storeCode: 'shopify-main',
    baseUrl: sim.url,
    credentials: shopifyCart.demoCredentials,
    http: HTTP,
    limits: o.limits ?? FAST,
    settings: { ordersApi: o.ordersApi ?? 'graphql', ...o.settings },
  };
  const adapter = shopifyCart.createAdapter(opts);
  const actions = createShopifyActions(opts);
  const s = sim;
  /** Every order the store imports now. */
  const importAll = async (): Promise<RawOrder[]> => {
    t += 1500; // cart events are a second apart
    const out: RawOrder[] = [];
    for await (const p of adapter.listOrders({ from: START, to: new Date(t + 1000) })) out.push(...p.orders);
    return out;
  };
  /** The order's fulfillments and fulfillment orders as Shopify shows them (a GraphQL read of our own). */
  const state = async (raw: RawOrder) => {
    t += 1500;
    const res = await fetch(`${s.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': SHOPIFY_LEGACY_DEMO_TOKEN },
      body: JSON.stringify({ query: FULFILLMENT_ORDERS_QUERY, variables: { id: orderGidOf(raw.payload) } }),
    });
    const body = (await res.json()) as {
      data: {
        order: {
          cancelledAt: string | null;
          displayFulfillmentStatus: string;
          fulfillmentOrders: {
            nodes: Array<{ status: string; lineItems: { nodes: Array<{ remainingQuantity: number }> } }>;
          };
          fulfillments: Array<{ id: string; trackingInfo: Array<{ company: string; number: string }> }>;
        };
      };
    };
    return body.data.order;
  };
  return { sim: s, adapter, actions, importAll, state, advance: () => (t += 1500) };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** Paid, unfulfilled, not cancelled orders. */
async function open(s: Setup, minLines = 1): Promise<RawOrder[]> {
  return (await s.importAll()).filter((r) => {
    const n = s.adapter.normalize(r, 'shopify-main');
    return n.ok && n.order.cartStatus === 'paid/unfulfilled' && n.order.lines.length >= minLines;
  });
}

function shipInput(
  raw: RawOrder,
  packages: Array<Partial<ShipmentPackage>>,
  cartRefs: Record<string, string> = {},
): ShipInput {
  return {
    cartOrderNo: raw.cartOrderNo!,
    cartRefs,
    cartPayload: raw.payload,
    packages: packages.map((p, i) => ({
      packageNo: i + 1,
      carrier: 'yamato',
      trackingNumber: `5000-1111-${2000 + i}`,
      shippedOn: '2024-04-25',
      ...p,
    })),
  };
}

describe('shopify fulfillments and cancels against the simulator', () => {
  it('ships: fulfillmentCreate on the fulfillment order; the next import sees it fulfilled, with the tracking number', async () => {
    const s = await setup();
    const [raw] = await open(s);
    const out = await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '4444-5555-6666' }]));
    expect(out.status).toBe('done');
    const id = out.status === 'done' ? out.cartRefs!['fulfillment:1']! : '';
    expect(id).toMatch(/^gid:\/\/shopify\/Fulfillment\/\d+$/);
    const next = (await s.importAll()).find((r) => r.cartOrderNo === raw!.cartOrderNo);
    expect(s.adapter.normalize(next!, 'shopify-main')).toMatchObject({
      order: { cartStatus: 'paid/fulfilled' },
    });
    const st = await s.state(raw!);
    expect(st.fulfillments).toEqual([
      { id, status: 'SUCCESS', trackingInfo: [{ company: 'Yamato (JA)', number: '4444-5555-6666' }] },
    ]);
    expect(st.fulfillmentOrders.nodes[0]!.status).toBe('CLOSED');
    // A REST store's next import carries the fulfillment with tracking_company and tracking_number.
    const rest = shopifyCart.createAdapter({
      storeCode: 'shopify-main',
      baseUrl: s.sim.url,
      credentials: shopifyCart.demoCredentials,
      http: HTTP,
      limits: FAST,
      settings: { ordersApi: 'rest' },
    });
    const r = await rest.fetchOrder(raw!.cartOrderNo!);
    expect((r!.payload as { fulfillments: unknown[] }).fulfillments).toEqual([
      expect.objectContaining({
        tracking_company: 'Yamato (JA)',
        tracking_number: '4444-5555-6666',
        status: 'success',
      }),
    ]);
  });

  it('a lost answer is found by re-reading, never fulfilled twice; the next attempt is `already`', async () => {
    const s = await setup();
    const [raw] = await open(s);
    s.sim.faults.dropReplies = 1;
    s.sim.faults.faultsOnBody = 'fulfillmentCreate';
    const out = await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '7777-8888-9999' }]));
    expect(out.status).toBe('done');
    expect(out.answer).toContain('再読込');
    expect(s.sim.stats.droppedReplies).toBe(1);
    const again = await s.actions.ship!(
      shipInput(raw!, [{ trackingNumber: '7777-8888-9999' }], out.status === 'done' ? out.cartRefs : {}),
    );
    expect(again.status).toBe('already');
    // Even without the stored id, the tracking number finds it.
    expect((await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '7777-8888-9999' }]))).status).toBe(
      'already',
    );
    expect((await s.state(raw!)).fulfillments).toHaveLength(1);
  });

  it('a 5xx on fulfillmentCreate is not retried blindly: re-read, nothing made, the error goes to the outbox', async () => {
    const s = await setup();
    const [raw] = await open(s);
    s.sim.faults.faultsOnBody = 'fulfillmentCreate';
    s.sim.faults.serverErrors = 1;
    await expect(s.actions.ship!(shipInput(raw!, [{}]))).rejects.toBeInstanceOf(CartUnavailableError);
    expect(s.sim.stats.sent5xx).toBe(1); // one attempt of the mutation, no retry by the client
    expect((await s.state(raw!)).fulfillments).toHaveLength(0);
    // The outbox's next attempt makes the one fulfillment.
    expect((await s.actions.ship!(shipInput(raw!, [{}]))).status).toBe('done');
    expect((await s.state(raw!)).fulfillments).toHaveLength(1);
  });

  it('a changed tracking number updates the stored fulfillment (fulfillmentTrackingInfoUpdate)', async () => {
    const s = await setup();
    const [raw] = await open(s);
    const first = await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '1000-0000-0001' }]));
    s.advance();
    const fix = await s.actions.ship!(
      shipInput(
        raw!,
        [{ carrier: 'sagawa', trackingNumber: '3600-0000-0002' }],
        first.status === 'done' ? first.cartRefs : {},
      ),
    );
    expect(fix.status).toBe('done');
    expect(fix.answer).toContain('fulfillmentTrackingInfoUpdate');
    const st = await s.state(raw!);
    expect(st.fulfillments).toHaveLength(1);
    expect(st.fulfillments[0]!.trackingInfo).toEqual([{ company: 'Sagawa (JA)', number: '3600-0000-0002' }]);
  });

  it('packages by line: each its own fulfillment; lines already fulfilled are never fulfilled again', async () => {
    const s = await setup();
    const [raw] = await open(s, 2);
    const n = s.adapter.normalize(raw!, 'shopify-main');
    if (!n.ok) throw new Error(n.message);
    const [a, ...rest] = n.order.lines;
    const one = await s.actions.ship!(
      shipInput(raw!, [{ lines: [{ cartProductCode: a!.cartProductCode, quantity: a!.quantity }] }]),
    );
    expect(one.status).toBe('done');
    const mid = await s.state(raw!);
    expect([mid.displayFulfillmentStatus, mid.fulfillmentOrders.nodes[0]!.status]).toEqual([
      'PARTIALLY_FULFILLED',
      'IN_PROGRESS',
    ]);
    const two = await s.actions.ship!({
      ...shipInput(raw!, []),
      packages: [
        {
          packageNo: 2,
          carrier: 'japanpost',
          trackingNumber: '1234-5678-9012',
          shippedOn: '2024-04-25',
          lines: rest.map((l) => ({ cartProductCode: l.cartProductCode, quantity: l.quantity })),
        },
      ],
    });
    expect(two).toMatchObject({ status: 'done', cartRefs: { 'fulfillment:2': expect.any(String) } });
    const done = await s.state(raw!);
    expect(done.fulfillments.map((f) => f.trackingInfo[0]!.company)).toEqual([
      'Yamato (JA)',
      'Japan Post (JA)',
    ]);
    expect(done.fulfillmentOrders.nodes[0]!.status).toBe('CLOSED');
    // The first line again with another number: nothing of it is left, refused before sending.
    const dup = await s.actions.ship!({
      ...shipInput(raw!, []),
      packages: [
        {
          packageNo: 3,
          carrier: 'yamato',
          trackingNumber: '9999',
          shippedOn: '2024-04-25',
          lines: [{ cartProductCode: a!.cartProductCode, quantity: 1 }],
        },
      ],
    });
    expect(dup).toMatchObject({ status: 'refused', code: 'LINES_ALREADY_FULFILLED' });
    expect((await s.state(raw!)).fulfillments).toHaveLength(2);
  });

  it('refuses before sending: a carrier the store has no company for, `other` without a name, a cancelled order', async () => {
    const s = await setup({ settings: { carrierCodes: { seino: '' } } });
    const [raw, gone] = await open(s);
    const before = s.sim.stats.byRoute.graphql ?? 0;
    const seino = await s.actions.ship!(shipInput(raw!, [{ carrier: 'seino' }]));
    expect(seino).toMatchObject({ status: 'refused', code: 'UNKNOWN_CARRIER' });
    expect(seino.answer).toContain(raw!.cartOrderNo!);
    expect(s.sim.stats.byRoute.graphql ?? 0).toBe(before);
    expect(await s.actions.ship!(shipInput(raw!, [{ carrier: 'other' }]))).toMatchObject({
      code: 'CARRIER_NAME_REQUIRED',
    });
    // `other` with a name, and a carrier Shopify has no link for, go as free text.
    expect(
      (await s.actions.ship!(shipInput(raw!, [{ carrier: 'other', carrierName: 'エコ配' }]))).status,
    ).toBe('done');
    s.sim.book.happen(gone!.cartOrderNo!, 'cancel');
    s.advance();
    expect(await s.actions.ship!(shipInput(gone!, [{ carrier: 'fukuyama' }]))).toMatchObject({
      status: 'refused',
      code: 'ORDER_CANCELLED',
    });
  });

  it('cancels with orderCancel; the next import sees it cancelled; again is `already`; a fulfilled order’s userErrors are a refusal', async () => {
    const s = await setup();
    const [raw, shipped] = await open(s);
    const out = await s.actions.cancel!({
      cartOrderNo: raw!.cartOrderNo!,
      reasonCode: 'INVENTORY',
      reason: '欠品のため',
      cartPayload: raw!.payload,
    });
    expect(out.status).toBe('done');
    expect(out.answer).toContain('INVENTORY');
    const next = (await s.importAll()).find((r) => r.cartOrderNo === raw!.cartOrderNo);
    expect(s.adapter.normalize(next!, 'shopify-main')).toMatchObject({
      order: { cartStatus: 'cancelled', cancelledInCart: true },
    });
    const again = await s.actions.cancel!({
      cartOrderNo: raw!.cartOrderNo!,
      reason: 'x',
      cartPayload: raw!.payload,
    });
    expect(again.status).toBe('already');
    expect(again.answer).toContain('already been cancelled');
    await s.actions.ship!(shipInput(shipped!, [{}]));
    s.advance();
    const refusedCancel = await s.actions.cancel!({
      cartOrderNo: shipped!.cartOrderNo!,
      reason: 'x',
      cartPayload: null,
    });
    expect(refusedCancel).toMatchObject({ status: 'refused', code: 'INVALID' });
    expect(refusedCancel.answer).toContain('fulfillments');
  });

  it('the simulator’s fulfillmentCreate checks its input: unknown fulfillment order, too many units', async () => {
    const s = await setup();
    const [raw] = await open(s);
    const gql = async (query: string, variables: unknown) => {
      const res = await fetch(`${s.sim.url}/admin/api/2026-10/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': SHOPIFY_LEGACY_DEMO_TOKEN },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as {
        data: { fulfillmentCreate: { fulfillment: unknown; userErrors: Array<{ message: string }> } };
        extensions: { cost: { requestedQueryCost: number } };
      };
    };
    const m = `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id } userErrors { field message } } }`;
    const none = await gql(m, {
      f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/11' }] },
    });
    expect(none.data.fulfillmentCreate).toMatchObject({
      fulfillment: null,
      userErrors: [{ message: 'Fulfillment order does not exist.' }],
    });
    expect(none.extensions.cost.requestedQueryCost).toBe(10);
    const st = await s.state(raw!);
    const fo = st.fulfillmentOrders.nodes[0] as unknown as {
      id: string;
      lineItems: { nodes: Array<{ id: string; remainingQuantity: number }> };
    };
    const line = fo.lineItems.nodes[0]!;
    const many = await gql(m, {
      f: {
        lineItemsByFulfillmentOrder: [
          {
            fulfillmentOrderId: fo.id,
            fulfillmentOrderLineItems: [{ id: line.id, quantity: line.remainingQuantity + 1 }],
          },
        ],
      },
    });
    expect(many.data.fulfillmentCreate.userErrors[0]!.message).toContain(
      'Invalid fulfillment order line item quantity',
    );
  });
});

// Hostile strings from carts (issue 7 item 3): SQL, HTML and script, emoji, half-width kana, 4-byte
// characters, control characters and very long text in remarks, names, addresses and product names.
// One simulated order carries them; each cart's renderer writes it in that cart's format (JSON, XML,
// UTF-8 CSV), the cart's own reader and normalize read it back, and importPage stores it in
// PostgreSQL. What comes back — from SQL, from loadOrders and from the dashboard's order API — must
// be the same bytes. The dashboard shows them as text: the API answers JSON (never HTML), and the
// page is a static shell that renders with textContent (dashboard/browser.test.ts checks the DOM).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonCart } from '../carts/amazon/index.js';
import { amazonOrderId, renderOrder as renderAmazonOrder } from '../carts/amazon/render.js';
import type { CartModule, RawOrder } from '../carts/contract.js';
import { csvCart } from '../carts/csv/index.js';
import { csvText, RAKUTEN_SIM_COLUMNS, rakutenCsvOrderNo, rakutenRows } from '../carts/csv/render.js';
import { makeshopCart } from '../carts/makeshop/index.js';
import { renderMakeshopOrder } from '../carts/makeshop/simulator.js';
import { rakutenCart } from '../carts/rakuten/index.js';
import { renderOrderModel } from '../carts/rakuten/render.js';
import { shopifyCart } from '../carts/shopify/index.js';
import { renderShopifyOrder } from '../carts/shopify/simulator.js';
import { generateOrders, type SimOrderView, viewAt } from '../carts/sim/generate.js';
import { yahooCart } from '../carts/yahoo/index.js';
import { renderOrder as renderYahooOrder } from '../carts/yahoo/render.js';
import { buildXml } from '../carts/yahoo/xml.js';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { getStore } from '../db/stores.js';
import type { CartName, CartOrder } from '../domain/order.js';
import { depsOf } from '../usecases/deps.js';
import { importPage } from '../usecases/import-page.js';
import { Client, startTestDashboard, type TestDashboard } from './dashboard-testing.js';

const SQL = "'; DROP TABLE orders; --";
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(document.cookie)>';
/** A template-injection probe, written so that it is not a template here. */
const TEMPLATE = ['$', '{7*7}'].join('');
/** Characters that survive every format. XML 1.0 has no way to carry C0 control characters at all. */
const TEXT_SAFE = `${SQL} ${SCRIPT} ${IMG} 🍵 👨‍👩‍👧‍👦 ｶﾀｶﾅ ﾃﾞｽ 𠮷野家 𩸽 "quoted" \\back\\slash ${TEMPLATE} {{7*7}} %s \u2028\u2029 \ufeff mid`;
/** NUL-free C0/C1 control characters (PostgreSQL text cannot hold NUL at all). */
const CONTROL = '\u0001\u0007\u0008\u000b\u000c\u001b[31m\u007f\u0085';

function hostile(withControl: boolean) {
  const c = withControl ? CONTROL : '';
  return {
    // No leading or trailing whitespace: carts trim their fields, and that is not what is tested here.
    familyName: `<b>${SQL}</b>${c}山田`,
    street: `${IMG}丸の内1-9-1 🍵 ${c}ｶﾀｶﾅ棟`,
    productName: `𠮷野家の𩸽 ${SCRIPT} ｶﾀｶﾅ 🍵${c}茶`,
    // Very long: about 8,200 characters, some of them 4-byte (remarks are kept up to 10,000:
    // domain/record-limits.ts; test/long-text.test.ts has the longer ones, which are rejects).
    remarks: `${TEXT_SAFE}${c}\n${'長い備考𩸽'.repeat(1600)}\n${SCRIPT}`,
  };
}

/** One plain order (cash on delivery, one package, not a gift) with the hostile strings in it. */
function hostileView(withControl: boolean, seq: number): SimOrderView {
  const [o] = generateOrders({
    seed: 4242 + seq,
    count: 1,
    from: new Date('2026-11-20T00:00:00Z'),
    to: new Date('2026-11-21T00:00:00Z'),
    firstSeq: seq,
  });
  const h = hostile(withControl);
  const orderer = { ...o!.orderer, familyName: h.familyName, street: h.street };
  const view = viewAt(
    {
      ...o!,
      orderer,
      shipTos: [orderer],
      gift: false,
      // Cash on delivery: every cart shows such an order at once with its address (Amazon too).
      payment: 'cod',
      cardBrand: null,
      remarks: h.remarks,
      lines: o!.lines.map((l, i) => ({
        ...l,
        packageNo: 1,
        product: i === 0 ? { ...l.product, name: h.productName } : l.product,
      })),
      events: [],
    },
    o!.orderedAt,
  );
  return view;
}

interface Case {
  cart: CartName;
  store: string;
  module: CartModule;
  /** Whether the cart's format can carry control characters (XML cannot). */
  control: boolean;
  raws(view: SimOrderView): RawOrder[];
}

const CASES: Case[] = [
  {
    cart: 'amazon',
    store: 'amazon-jp',
    module: amazonCart,
    control: true,
    // The composite record the adapter builds from getOrders, getOrderItems and getOrderAddress
    // (whose delivery instructions are Amazon's nearest thing to remarks), through JSON.
    raws: (v) => {
      const r = renderAmazonOrder(v, amazonOrderId(v.seq));
      const payload = JSON.parse(JSON.stringify({ order: r.order, items: r.items, address: r.address }));
      return [{ cartOrderNo: r.id, payload }];
    },
  },
  {
    cart: 'rakuten',
    store: 'rakuten-main',
    module: rakutenCart,
    control: true,
    raws: (v) =>
      rakutenCart.rawOrdersFromRecorded(
        Buffer.from(JSON.stringify({ OrderModelList: [renderOrderModel(v, { version: 10 })] })),
      ),
  },
  {
    cart: 'yahoo',
    store: 'yahoo-main',
    module: yahooCart,
    control: false,
    raws: (v) =>
      yahooCart.rawOrdersFromRecorded(
        Buffer.from(
          buildXml({
            ResultSet: { Result: { Status: 'OK', OrderInfo: renderYahooOrder(v, 'hostile').info } },
          }),
        ),
      ),
  },
  {
    cart: 'makeshop',
    store: 'makeshop-main',
    module: makeshopCart,
    control: false,
    raws: (v) =>
      makeshopCart.rawOrdersFromRecorded(
        Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><orders>${renderMakeshopOrder(v).xml}</orders>`),
      ),
  },
  {
    cart: 'shopify',
    store: 'shopify-global',
    module: shopifyCart,
    control: true,
    raws: (v) =>
      shopifyCart.rawOrdersFromRecorded(Buffer.from(JSON.stringify({ orders: [renderShopifyOrder(v)] }))),
  },
  {
    cart: 'csv',
    store: 'csv-wholesale',
    module: csvCart,
    control: true,
    // UTF-8 with a BOM: CP932 has no emoji, 𠮷 or 𩸽, so a Shift_JIS export could not carry them either.
    raws: (v) =>
      csvCart.rawOrdersFromRecorded(
        Buffer.from(`\ufeff${csvText(RAKUTEN_SIM_COLUMNS, rakutenRows(v, rakutenCsvOrderNo(v)))}`, 'utf8'),
      ),
  },
];

/** The fields this test is about, from a normalized or a stored order. */
function hostileFields(o: Pick<CartOrder, 'customerRemarks' | 'orderer' | 'shipTo' | 'lines'>) {
  return {
    remarks: o.customerRemarks,
    ordererName: o.orderer.name,
    ordererAddress: [o.orderer.address1, o.orderer.address2].join('|'),
    shipToName: o.shipTo.name,
    shipToAddress: [o.shipTo.address1, o.shipTo.address2].join('|'),
    productName: o.lines[0]!.name,
  };
}

const bytes = (s: string | null) => Buffer.from(s ?? '\u0000null', 'utf8').toString('hex');

describe('hostile strings through a real import', () => {
  let d: TestDashboard;
  const imported = new Map<CartName, { id: number; normalized: CartOrder; withControl: boolean }>();

  beforeAll(async () => {
    d = await startTestDashboard('hostile');
  });
  afterAll(async () => {
    await d.close();
  });

  it.each(CASES)(
    '$cart: normalized with every hostile string intact, imported without a reject',
    async (c) => {
      const seq = CASES.indexOf(c) + 1;
      const view = hostileView(c.control, seq);
      const h = hostile(c.control);
      const raws = c.raws(view);
      expect(raws).toHaveLength(1);
      const r = c.module.normalize(raws[0]!, c.store);
      if (!r.ok) throw new Error(`${c.cart} rejected the hostile order: ${r.field}: ${r.message}`);
      const f = hostileFields(r.order);
      expect(f.remarks).toContain(h.remarks);
      expect(f.ordererName).toContain(h.familyName);
      // Amazon gives the buyer's name and relay mail only, no buyer address.
      if (c.cart !== 'amazon') expect(f.ordererAddress).toContain(h.street);
      expect(f.shipToAddress).toContain(h.street);
      expect(f.shipToName).toContain(h.familyName);
      expect(f.productName).toContain(h.productName);

      const store = await getStore(d.t.db, c.store);
      const counts = await importPage(depsOf(d.t.db), store, c.module, raws, {
        runId: null,
        actor: 'hostile-test',
        force: true,
      });
      expect(counts).toMatchObject({ new: 1, rejected: 0 });
      const row = await d.t.db
        .selectFrom('orders')
        .select('id')
        .where('store_id', '=', store.id)
        .where('cart_order_no', '=', r.order.cartOrderNo)
        .executeTakeFirstOrThrow();
      imported.set(c.cart, { id: row.id, normalized: r.order, withControl: c.control });
    },
  );

  it('reads every string back byte-equal from PostgreSQL', async () => {
    expect(imported.size).toBe(CASES.length);
    for (const [cart, { id, normalized }] of imported) {
      const want = hostileFields(normalized);
      const o = await sql<{
        customer_remarks: string | null;
      }>`SELECT customer_remarks FROM orders WHERE id = ${id}`.execute(d.t.db);
      const parties = await d.t.db
        .selectFrom('order_parties')
        .select(['role', 'name', 'address1', 'address2'])
        .where('order_id', '=', id)
        .orderBy('package_no')
        .execute();
      const line = await d.t.db
        .selectFrom('order_lines')
        .select('name')
        .where('order_id', '=', id)
        .orderBy('line_no')
        .executeTakeFirstOrThrow();
      const orderer = parties.find((p) => p.role === 'orderer')!;
      const shipTo = parties.find((p) => p.role === 'ship_to')!;
      const got = {
        remarks: o.rows[0]!.customer_remarks,
        ordererName: orderer.name,
        ordererAddress: [orderer.address1, orderer.address2].join('|'),
        shipToName: shipTo.name,
        shipToAddress: [shipTo.address1, shipTo.address2].join('|'),
        productName: line.name,
      };
      for (const k of Object.keys(want) as Array<keyof typeof want>)
        expect(bytes(got[k]), `${cart} ${k}`).toBe(bytes(want[k]));
      // Nothing was executed: the table the SQL string names is still there, with this order in it.
      expect(
        Number((await sql<{ n: number }>`SELECT count(*) AS n FROM orders`.execute(d.t.db)).rows[0]!.n),
      ).toBeGreaterThan(0);
    }
  });

  it('loadOrders gives the same strings', async () => {
    const statuses = await loadStatuses(d.t.db);
    for (const [cart, { id, normalized }] of imported) {
      const [loaded] = await loadOrders(d.t.db, [id], statuses);
      const want = hostileFields(normalized);
      const got = hostileFields(loaded!);
      for (const k of Object.keys(want) as Array<keyof typeof want>)
        expect(bytes(got[k]), `${cart} ${k}`).toBe(bytes(want[k]));
    }
  });

  it('the dashboard answers them as JSON data, byte-equal, never as markup', async () => {
    const viewer = await Client.as(d.url, 'viewer');
    for (const [cart, { id, normalized, withControl }] of imported) {
      const r = await viewer.get(`/api/orders/${id}`);
      expect(r.status, cart).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      const order = (r.body as { order: CartOrder }).order;
      const want = hostileFields(normalized);
      const got = hostileFields(order);
      for (const k of Object.keys(want) as Array<keyof typeof want>)
        expect(bytes(got[k]), `${cart} ${k}`).toBe(bytes(want[k]));
      // Control characters travel as JSON escapes, not raw bytes.
      if (withControl) expect(r.text).toContain('\\u001b');
    }
    // The detail page is the static shell: no order data is written into HTML on the server, and
    // inline scripts are refused by the CSP, so even a string that escaped textContent could not run.
    const [first] = imported.values();
    const page = await viewer.get(`/orders/${first!.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).not.toContain(SCRIPT);
    expect(page.text).not.toContain('onerror=alert');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
  });
});

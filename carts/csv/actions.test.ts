// CSV stores' write side: shipments become rows of the cart's upload file (楽天 発送完了報告CSV,
// Yahoo! 出荷情報, Amazon's shipment flat file) appended to the day's file of the store's outbox folder,
// each row once however often the action is tried, read back with juchu's own CSV reader.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { RawOrder } from '../contract.js';
import { CartUnavailableError } from '../errors.js';
import { generateOrders, viewAt } from '../sim/generate.js';
import { appendShipmentRows, createCsvActions, shipmentLayoutOf } from './actions.js';
import { csvCart } from './index.js';
import { parseOrderFile } from './parse.js';
import { csvText, encodeCp932, RAKUTEN_COLUMNS, rakutenCsvOrderNo, rakutenRows } from './render.js';
import { renderShipmentFile, shipmentRows } from './shipment-export.js';
import { readTable } from './table.js';

const FROM = new Date('2024-04-19T15:00:00Z');
const TO = new Date('2024-04-22T15:00:00Z');
const NOW = new Date('2024-04-25T03:00:00Z'); // 2024-04-25 12:00 in Japan

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'juchu-csv-ship-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Rakuten order exports as the CSV cart reads them (some orders in two packages). */
function rakutenOrders(): RawOrder[] {
  const views = generateOrders({ seed: 3, count: 30, from: FROM, to: TO, multiPackageShare: 0.5 }).map((o) =>
    viewAt(o, TO),
  );
  const rows = views.flatMap((v) => rakutenRows(v, rakutenCsvOrderNo(v)));
  return parseOrderFile(encodeCp932(csvText(RAKUTEN_COLUMNS, rows)), { preset: 'rakuten' }, 'orders.csv')
    .orders;
}

function actions(settings: Record<string, unknown>) {
  return createCsvActions({
    storeCode: 'csv-main',
    baseUrl: csvCart.defaultBaseUrl,
    credentials: csvCart.demoCredentials,
    settings: { inboxDir: dir, ...settings },
    now: () => NOW,
  });
}

function shipInput(raw: RawOrder, packages: Array<Partial<ShipmentPackage>>): ShipInput {
  return {
    cartOrderNo: raw.cartOrderNo!,
    cartRefs: {},
    cartPayload: raw.payload,
    packages: packages.map((p, i) => ({
      packageNo: i + 1,
      carrier: 'yamato',
      trackingNumber: `4000-0000-${1000 + i}`,
      shippedOn: '2024-04-25',
      ...p,
    })),
  };
}

async function outboxFile(name: string) {
  const bytes = await readFile(join(dir, 'shipments', name));
  return { bytes, table: readTable(bytes, name) };
}

describe('CSV stores: shipment upload files', () => {
  it('楽天 発送完了報告CSV: CP932, the RMS header, one row per package with its 送付先ID, carrier code and date', async () => {
    const orders = rakutenOrders();
    const two = orders.find(
      (r) =>
        csvCart.normalize(r, 'csv-main').ok &&
        (csvCart.normalize(r, 'csv-main') as { order: { packages: unknown[] } }).order.packages.length === 2,
    )!;
    expect(two).toBeDefined();
    const a = actions({ preset: 'rakuten' });
    const out = await a.ship!(shipInput(two, [{}, { carrier: 'sagawa', trackingNumber: '3600-0000-0001' }]));
    expect(out).toMatchObject({ status: 'done', cartRefs: { file: 'rakuten-shipments-20240425.csv' } });
    expect(out.answer).toContain('2 行');
    const { bytes, table } = await outboxFile('rakuten-shipments-20240425.csv');
    expect(bytes.includes(Buffer.from('注文番号', 'utf8'))).toBe(false); // not UTF-8: CP932
    expect(table.encoding).toBe('cp932');
    expect(table.headers).toEqual([
      '注文番号',
      '送付先ID',
      '発送明細ID',
      'お荷物伝票番号',
      '配送会社',
      '発送日',
    ]);
    const ids = [
      ...new Set((two.payload as { rows: Array<Record<string, string>> }).rows.map((r) => r.送付先ID)),
    ];
    expect(table.rows).toEqual([
      {
        注文番号: two.cartOrderNo,
        送付先ID: ids[0],
        発送明細ID: '',
        お荷物伝票番号: '4000-0000-1000',
        配送会社: '1001',
        発送日: '2024-04-25',
      },
      {
        注文番号: two.cartOrderNo,
        送付先ID: ids[1],
        発送明細ID: '',
        お荷物伝票番号: '3600-0000-0001',
        配送会社: '1002',
        発送日: '2024-04-25',
      },
    ]);
  });

  it('appends to the day’s file; an attempt repeated (a lost answer) writes nothing twice and is `already`', async () => {
    const [x, y] = rakutenOrders();
    const a = actions({ preset: 'rakuten' });
    expect((await a.ship!(shipInput(x!, [{}]))).status).toBe('done');
    expect((await a.ship!(shipInput(x!, [{}]))).status).toBe('already');
    expect(
      (await a.ship!(shipInput(y!, [{ carrier: 'japanpost', trackingNumber: '1234-5678-9012' }]))).status,
    ).toBe('done');
    const { table } = await outboxFile('rakuten-shipments-20240425.csv');
    expect(table.rows.map((r) => [r.注文番号, r.配送会社])).toEqual([
      [x!.cartOrderNo, '1001'],
      [y!.cartOrderNo, '1003'],
    ]);
    // Concurrent workers appending different orders lose no row and write the header once.
    const more = rakutenOrders().slice(2, 12);
    await Promise.all(more.map((r) => a.ship!(shipInput(r, [{}]))));
    const after = await outboxFile('rakuten-shipments-20240425.csv');
    expect(after.table.rows).toHaveLength(12);
    expect(after.table.rows.filter((r) => r.注文番号 === '注文番号')).toHaveLength(0);
  });

  it('Yahoo! 出荷情報: OrderId, ShipCompanyCode, ShipInvoiceNumber1, ShipDate YYYYMMDD, ShipStatus 3', async () => {
    const payload = {
      file: 'y.csv',
      preset: 'yahoo',
      columns: {},
      rows: [{ OrderId: 'store-10000001', ShipMethod: 'postage1' }],
      rowNumbers: [2],
      dateFormat: null,
      taxIncluded: null,
      currency: 'JPY',
    };
    const a = actions({ preset: 'yahoo' });
    const out = await a.ship!(
      shipInput({ cartOrderNo: 'store-10000001', payload }, [{ trackingNumber: '123456789012' }]),
    );
    expect(out.status).toBe('done');
    const { table } = await outboxFile('yahoo-shipments-20240425.csv');
    expect(table.rows).toEqual([
      {
        OrderId: 'store-10000001',
        ShipMethod: 'postage1',
        ShipCompanyCode: '1001',
        ShipInvoiceNumber1: '123456789012',
        ShipDate: '20240425',
        ShipStatus: '3',
      },
    ]);
  });

  it('Amazon’s shipment flat file: tab-separated, a row per item with order-item-id, Other with carrier-name', async () => {
    const payload = {
      file: 'a.txt',
      preset: 'custom',
      columns: { sku: ['sku'], quantity: ['quantity-purchased'] },
      rows: [
        {
          'order-id': '250-1234567-7654321',
          'order-item-id': '111',
          sku: 'TEA-1',
          'quantity-purchased': '2',
        },
        {
          'order-id': '250-1234567-7654321',
          'order-item-id': '222',
          sku: 'TEA-2',
          'quantity-purchased': '1',
        },
      ],
      rowNumbers: [2, 3],
      dateFormat: null,
      taxIncluded: null,
      currency: 'JPY',
    };
    const a = actions({ shipmentLayout: 'amazon' });
    const raw = { cartOrderNo: '250-1234567-7654321', payload };
    const out = await a.ship!(shipInput(raw, [{ carrier: 'japanpost', trackingNumber: '1111-2222-3333' }]));
    expect(out.status).toBe('done');
    const text = (await readFile(join(dir, 'shipments', 'amazon-shipments-20240425.txt'), 'utf8')).split(
      '\r\n',
    );
    expect(text[0]).toBe(
      'order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method',
    );
    expect(text.slice(1, 3)).toEqual([
      '250-1234567-7654321\t111\t2\t2024-04-25\tOther\t日本郵便\t1111-2222-3333\t',
      '250-1234567-7654321\t222\t1\t2024-04-25\tOther\t日本郵便\t1111-2222-3333\t',
    ]);
    // Without an order-item-id column the file cannot be made: refused, naming the product.
    const bare = { ...payload, rows: payload.rows.map(({ 'order-item-id': _, ...r }) => r) };
    const no = await a.ship!(shipInput({ cartOrderNo: raw.cartOrderNo, payload: bare }, [{}]));
    expect(no).toMatchObject({ status: 'refused', code: 'ORDER_ITEM_UNKNOWN' });
    expect(no.answer).toContain('TEA-1');
  });

  it('refuses: no layout for an EC-CUBE store, a carrier without a code; a folder it cannot write is retried later', async () => {
    const [x] = rakutenOrders();
    expect(shipmentLayoutOf({ preset: 'ec-cube' })).toBeNull();
    const none = await actions({ preset: 'ec-cube' }).ship!(shipInput(x!, [{}]));
    expect(none).toMatchObject({ status: 'refused', code: 'NO_SHIPMENT_LAYOUT' });
    const yahoo = await actions({ preset: 'yahoo' }).ship!(shipInput(x!, [{ carrier: 'seino' }]));
    expect(yahoo).toMatchObject({ status: 'refused', code: 'UNKNOWN_CARRIER' });
    expect(yahoo.answer).toContain('西濃運輸');
    await writeFile(join(dir, 'blocked'), 'a file, not a folder');
    const blocked = actions({ preset: 'rakuten', outboxDir: join(dir, 'blocked', 'sub') });
    await expect(blocked.ship!(shipInput(x!, [{}]))).rejects.toBeInstanceOf(CartUnavailableError);
    expect(await readdir(dir)).not.toContain('shipments');
  });

  it('the builder and the appender are usable on their own (the outbox job may call appendShipmentRows)', async () => {
    const [x] = rakutenOrders();
    const built = shipmentRows('rakuten', shipInput(x!, [{}]), () => '1001');
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const first = await appendShipmentRows(join(dir, 'out'), 'rakuten', built.rows, NOW);
    const again = await appendShipmentRows(
      join(dir, 'out'),
      'rakuten',
      built.rows,
      new Date(NOW.getTime() + 86_400_000),
    );
    expect(first).toEqual({ file: 'rakuten-shipments-20240425.csv', written: 1, skipped: 0 });
    expect(again).toMatchObject({ written: 0, skipped: 1 }); // a later day's attempt still finds it
    expect(
      renderShipmentFile('rakuten', [['1', '', '', '2', '1001', '2024-04-25']], true).toString('latin1'),
    ).toContain('\r\n');
  });
});

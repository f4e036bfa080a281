import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartAdapter, RawOrder } from '../contract.js';
import { CartRequestError, CartUnavailableError } from '../errors.js';
import { generateOrders, viewAt } from '../sim/generate.js';
import { CsvFormatError } from './format-error.js';
import { csvCart, PROCESSED_DIR } from './index.js';
import { csvText, encodeCp932, RAKUTEN_COLUMNS, rakutenCsvOrderNo, rakutenRows } from './render.js';
import { csvSimulator, type RunningCsvSimulator } from './simulator.js';

const WINDOW = { from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-01T00:00:00Z') };
const FROM = new Date('2024-04-19T15:00:00Z');
const TO = new Date('2024-04-22T15:00:00Z');

function adapterFor(inboxDir: string, settings: Record<string, unknown> = {}, now?: () => Date): CartAdapter {
  return csvCart.createAdapter({
    storeCode: 'csv-main',
    baseUrl: csvCart.defaultBaseUrl,
    credentials: csvCart.demoCredentials,
    settings: { inboxDir, minFileAgeMs: 0, ...settings },
    now,
  });
}

async function pages(adapter: CartAdapter): Promise<RawOrder[][]> {
  const out: RawOrder[][] = [];
  for await (const page of adapter.listOrders(WINDOW)) out.push(page.orders);
  return out;
}

/** A Rakuten export of generated orders `seqs`, dated `mtime`. */
async function dropFile(
  dir: string,
  name: string,
  seed: number,
  count: number,
  mtime: Date,
): Promise<string[]> {
  const views = generateOrders({ seed, count, from: FROM, to: TO }).map((o) => viewAt(o, TO));
  const nos = views.map((v) => `${seed}-${rakutenCsvOrderNo(v)}`);
  const rows = views.flatMap((v, i) => rakutenRows(v, nos[i]!));
  await writeFile(join(dir, name), encodeCp932(csvText(RAKUTEN_COLUMNS, rows)));
  await utimes(join(dir, name), mtime, mtime);
  return nos;
}

describe('inbox adapter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'juchu-csv-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields one page per file, oldest first, and moves them to processed/ after the window', async () => {
    const newest = await dropFile(dir, 'a-newest.csv', 3, 4, new Date('2024-04-22T12:00:00Z'));
    const oldest = await dropFile(dir, 'z-oldest.csv', 1, 5, new Date('2024-04-20T12:00:00Z'));
    const middle = await dropFile(dir, 'm-middle.CSV', 2, 3, new Date('2024-04-21T12:00:00Z'));
    await writeFile(join(dir, 'notes.xlsx'), 'not a csv');
    await writeFile(join(dir, '.upload-in-progress.csv'), 'partial');

    const adapter = adapterFor(dir);
    const got = await pages(adapter);
    expect(got.map((p) => p.map((o) => o.cartOrderNo))).toEqual([oldest, middle, newest]);
    expect(got.flat().every((raw) => csvCart.normalize(raw, 'csv-main').ok)).toBe(true);

    await adapter.afterWindow!();
    expect((await readdir(dir)).sort()).toEqual(['.upload-in-progress.csv', 'notes.xlsx', PROCESSED_DIR]);
    expect((await readdir(join(dir, PROCESSED_DIR))).sort()).toEqual([
      'a-newest.csv',
      'm-middle.CSV',
      'z-oldest.csv',
    ]);
    expect(await pages(adapter)).toEqual([]);

    // Re-import by order number searches processed/ too.
    const found = await adapter.fetchOrder(middle[1]!);
    expect(found?.cartOrderNo).toBe(middle[1]);
    expect(found?.payload).toMatchObject({ file: 'm-middle.CSV', preset: 'rakuten' });
    expect(await adapter.fetchOrder('385712-20240101-0000009999')).toBeNull();
  });

  it('re-reads the files when the import stopped before its cursor was saved', async () => {
    const nos = await dropFile(dir, 'day1.csv', 1, 3, new Date('2024-04-20T12:00:00Z'));
    expect((await pages(adapterFor(dir))).flat().map((o) => o.cartOrderNo)).toEqual(nos);
    // A new process after a crash: no afterWindow happened, so the file is still in the inbox.
    const again = adapterFor(dir);
    expect((await pages(again)).flat().map((o) => o.cartOrderNo)).toEqual(nos);
    await again.afterWindow!();
    expect(await readdir(join(dir, PROCESSED_DIR))).toEqual(['day1.csv']);
  });

  it('gives a file dropped again under the same name a new name in processed/', async () => {
    const adapter = adapterFor(dir);
    for (const seed of [1, 2]) {
      await dropFile(dir, 'orders.csv', seed, 1, new Date());
      await pages(adapter);
      await adapter.afterWindow!();
    }
    expect((await readdir(join(dir, PROCESSED_DIR))).sort()).toEqual(['orders.2.csv', 'orders.csv']);
  });

  it('leaves a file that may still be uploading for the next run', async () => {
    const now = new Date('2024-04-22T12:00:10Z');
    await dropFile(dir, 'old.csv', 1, 2, new Date('2024-04-22T12:00:00Z'));
    await dropFile(dir, 'young.csv', 2, 2, new Date('2024-04-22T12:00:09Z'));
    const adapter = adapterFor(dir, { minFileAgeMs: 5000 }, () => now);
    expect((await pages(adapter)).length).toBe(1);
    await adapter.afterWindow!();
    expect(await readdir(dir)).toEqual(['processed', 'young.csv']);
  });

  it('reads the good files, then refuses the unknown one naming its missing columns', async () => {
    const good = await dropFile(dir, 'good.csv', 1, 2, new Date('2024-04-21T00:00:00Z'));
    await writeFile(join(dir, 'items.csv'), encodeCp932('商品管理番号,商品名,販売価格\r\nx,y,1\r\n'));
    await utimes(join(dir, 'items.csv'), new Date('2024-04-20T00:00:00Z'), new Date('2024-04-20T00:00:00Z'));
    const adapter = adapterFor(dir, { preset: 'rakuten' });
    const seen: string[] = [];
    const run = (async () => {
      for await (const page of adapter.listOrders(WINDOW))
        seen.push(...page.orders.map((o) => o.cartOrderNo!));
    })();
    const e = await run.catch((x: unknown) => x);
    expect(seen).toEqual(good);
    expect(e).toBeInstanceOf(CsvFormatError);
    expect((e as CsvFormatError).message).toBe(
      'items.csv: 列がありません: 注文番号, 注文日時, 個数, 単価 (形式 rakuten)',
    );
    expect((e as CsvFormatError).retryable).toBe(false);
  });

  it('reports a missing inbox as unavailable (retryable), and needs an inbox to start', async () => {
    const gone = adapterFor(join(dir, 'unmounted'));
    const e = await pages(gone).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CartUnavailableError);
    expect(() =>
      csvCart.createAdapter({ storeCode: 's', baseUrl: 'https://example.jp', credentials: {}, settings: {} }),
    ).toThrow(CartRequestError);
  });

  it('takes the inbox from a file:// base URL', async () => {
    const nos = await dropFile(dir, 'x.csv', 4, 2, new Date('2024-04-20T00:00:00Z'));
    const adapter = csvCart.createAdapter({
      storeCode: 's',
      baseUrl: pathToFileURL(dir).href,
      credentials: {},
      settings: { minFileAgeMs: 0 },
    });
    expect((await pages(adapter)).flat().map((o) => o.cartOrderNo)).toEqual(nos);
  });
});

describe('csvSimulator', () => {
  let sim: RunningCsvSimulator;
  const clock = () => new Date('2024-04-22T15:00:00Z');
  afterEach(async () => {
    await sim?.stop();
  });

  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  it('writes a day of orders per file; the adapter reads every order exactly once', async () => {
    sim = await csvSimulator.start({ seed: 42, orders: 60, clock });
    expect(sim.url).toBe(pathToFileURL(sim.inboxDir).href);
    const adapter = csvCart.createAdapter({
      storeCode: 'csv-main',
      baseUrl: sim.url,
      credentials: csvCart.demoCredentials,
      settings: { minFileAgeMs: 0 },
    });
    const got = await pages(adapter);
    const nos = got.flat().map((o) => o.cartOrderNo);
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(nos.length).toBe(60);
    expect(new Set(nos).size).toBe(60);
    expect(new Set(nos)).toEqual(new Set(sim.book.visible().map((v) => sim.book.cartOrderNo(v))));
    const results = got.flat().map((raw) => adapter.normalize(raw, 'csv-main'));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const stats = await control('/__sim/stats');
    expect(stats).toMatchObject({ orders: 60, byRoute: { export: got.length } });
  });

  it('exports a cart-side cancel as a new file with the new status', async () => {
    sim = await csvSimulator.start({ seed: 7, orders: 10, clock });
    const adapter = csvCart.createAdapter({
      storeCode: 's',
      baseUrl: sim.url,
      credentials: {},
      settings: { minFileAgeMs: 0 },
    });
    const first = (await pages(adapter)).flat();
    await adapter.afterWindow!();
    const target = first[3]!.cartOrderNo!;

    expect(await control(`/__sim/orders/${target}/cancel`, {})).toMatchObject({ state: 'cancelled' });
    const next = (await pages(adapter)).flat();
    expect(next.map((o) => o.cartOrderNo)).toEqual([target]);
    const r = adapter.normalize(next[0]!, 's');
    expect(r.ok && [r.order.cartStatus, r.order.cancelledInCart]).toEqual(['キャンセル確定', true]);
  });

  it('honours the malformed-records fault: that order is rejected, the other comes through', async () => {
    sim = await csvSimulator.start({ seed: 9, orders: 0, clock });
    await control('/__sim/faults', { malformedRecords: 1 });
    await control('/__sim/orders', { count: 2 });
    const adapter = csvCart.createAdapter({
      storeCode: 's',
      baseUrl: sim.url,
      credentials: {},
      settings: { minFileAgeMs: 0 },
    });
    const results = (await pages(adapter)).flat().map((raw) => adapter.normalize(raw, 's'));
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(results[0]).toMatchObject({ field: 'lines[0].quantity (個数)' });
    expect(await control('/__sim/stats')).toMatchObject({ malformedServed: 1 });
  });

  it('trickles a new small file every trickleMs and removes its temp inbox on stop', async () => {
    sim = await csvSimulator.start({ seed: 3, orders: 0, trickleMs: 40 });
    await sleep(300);
    const files = (await readdir(sim.inboxDir)).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const adapter = csvCart.createAdapter({
      storeCode: 's',
      baseUrl: sim.url,
      credentials: {},
      settings: { minFileAgeMs: 0 },
    });
    const got = await pages(adapter);
    expect(got.every((p) => p.length === 1)).toBe(true);
    const inbox = sim.inboxDir;
    await sim.stop();
    await expect(readdir(inbox)).rejects.toThrow();
  });

  it('writes into fixturesDir and keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'juchu-csv-fixtures-'));
    try {
      await mkdir(dir, { recursive: true });
      sim = await csvSimulator.start({ seed: 1, orders: 5, fixturesDir: dir, clock });
      expect(sim.inboxDir).toBe(dir);
      const before = (await readdir(dir)).length;
      const name = sim.exportNow();
      expect(await readdir(dir)).toHaveLength(before + 1);
      expect(name && (await readdir(dir)).includes(name)).toBe(true);
      await sim.stop();
      expect((await readdir(dir)).length).toBe(before + 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

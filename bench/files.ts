// `npm run bench:files`: files of any size in constant memory (issue 15 item 2), on private
// PostgreSQL and Redis started for the run. Not a test: it prints what it measured.
//   inbox file    a 30,000-order CSV (Rakuten layout, CP932) in a CSV store's inbox, imported by a
//                 real `juchu worker` with the image's heap limit (--max-old-space-size=160): its
//                 outcome, orders stored, peak RSS
//   stock upload  `juchu stock upload` (heap capped at 96 MB) of 100,000 and 1,000,000 arrival rows side by side: time,
//                 peak RSS, progress lines printed, exit code; the RSS ratio 1M / 100k says whether
//                 memory stays flat (goal ≤ 1.5)
//   order upload  `juchu import-file --store` (heap capped at 96 MB) of 10,000 and 100,000 one-line
//                 orders side by side: time, peak RSS, progress lines, exit code, the RSS ratio
//   product CSV   `juchu products import` (heap capped at 96 MB) of 10,000 and 100,000 products side
//                 by side: the same figures
// Options: --orders N (inbox file), --rows N (the large stock upload; the small one is a tenth),
//          --order-rows N, --product-rows N (the large ones; the small ones a tenth),
//          --only inbox|stock|orders|products, --unsafe-fast.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import {
  csvText,
  encodeCp932,
  RAKUTEN_COLUMNS,
  rakutenCsvOrderNo,
  rakutenRows,
} from '../carts/csv/render.js';
import { generateOrders, viewAt } from '../carts/sim/generate.js';
import { upsertStore } from '../db/stores.js';
import {
  BENCH_KEY,
  openQueues,
  peakRssKb,
  ROOT,
  sleep,
  startBenchServices,
  WorkerPool,
  workerEnv,
} from './harness.js';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string' },
    rows: { type: 'string' },
    'order-rows': { type: 'string' },
    'product-rows': { type: 'string' },
    only: { type: 'string' },
    'unsafe-fast': { type: 'boolean', default: false },
  },
});
const ORDERS = Number(args.orders ?? 30_000);
const ROWS = Number(args.rows ?? 1_000_000);
const ORDER_ROWS = Number(args['order-rows'] ?? 100_000);
const PRODUCT_ROWS = Number(args['product-rows'] ?? 100_000);
const only = args.only?.split(',');
const say = (line: string) => process.stdout.write(`${line}\n`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

const services = await startBenchServices({ unsafeFast: args['unsafe-fast'] });
const dir = await mkdtemp(path.join(os.tmpdir(), 'juchu-bench-files-'));
const report: string[] = [
  `# bench:files (${new Date().toISOString()}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
];
const line = (s: string) => {
  say(s);
  report.push(s);
};

try {
  if (!only || only.includes('inbox')) await inboxFile();
  if (!only || only.includes('stock')) await stockUploads();
  if (!only || only.includes('orders')) await orderUploads();
  if (!only || only.includes('products')) await productUploads();
} finally {
  await rm(dir, { recursive: true, force: true });
  await services.stop();
}
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench/results/files-latest.md'), `${report.join('\n')}\n`);

async function inboxFile(): Promise<void> {
  const b = await services.database('inbox');
  const inbox = path.join(dir, 'inbox');
  await mkdir(inbox, { recursive: true });
  const from = new Date('2026-11-01T00:00:00Z');
  const to = new Date('2026-11-30T00:00:00Z');
  // Written a thousand orders at a time (the bench itself stays small too).
  const file = path.join(inbox, 'rms-30000.csv');
  const out = createWriteStream(file);
  for (let i = 0; i < ORDERS; i += 1000) {
    const views = generateOrders({ seed: 7 + i, count: Math.min(1000, ORDERS - i), from, to }).map((o) =>
      viewAt(o, to),
    );
    const rows = views.flatMap((v, k) => rakutenRows(v, `B${i + k}-${rakutenCsvOrderNo(v)}`));
    let text = csvText(RAKUTEN_COLUMNS, rows);
    if (i > 0) text = text.slice(text.indexOf('\n') + 1); // one header
    out.write(encodeCp932(text));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const size = (await stat(file)).size;
  await upsertStore(
    b.db,
    {
      code: 'csv-big',
      cart: 'csv',
      name: '大きな CSV',
      baseUrl: null,
      settings: {
        inboxDir: inbox,
        minFileAgeMs: 0,
        importStatuses: ['注文確認待ち', '楽天処理中', '発送待ち', '変更確定待ち'],
      },
    },
    BENCH_KEY,
  );
  const q = await openQueues(services.redisUrl, b.url);
  const env = {
    ...workerEnv({ databaseUrl: b.url, redisUrl: services.redisUrl, prefix: q.prefix, concurrency: 1 }),
    NODE_OPTIONS: '--max-old-space-size=160',
  };
  const pool = new WorkerPool(env);
  const started = Date.now();
  try {
    await pool.startMany(1, q.queues);
    await q.queues.add('import-store', { storeCode: 'csv-big', trigger: 'manual', requestedBy: 'bench' });
    let run:
      | { outcome: string; error: string | null; fetched: number; rejected: number; skipped: number }
      | undefined;
    for (;;) {
      await sleep(1000);
      run = await b.db
        .selectFrom('import_runs')
        .select(['outcome', 'error', 'fetched', 'rejected', 'skipped'])
        .where('outcome', '!=', 'running')
        .executeTakeFirst();
      if (run || Date.now() - started > 30 * 60_000 || pool.live().length === 0) break;
    }
    const orders = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(b.db)).rows[0]!.n,
    );
    const w = pool.procs[0]!;
    const peak = Math.max(w.peakKb, peakRssKb(w.pid) ?? 0);
    line('');
    line(`## inbox file: ${ORDERS.toLocaleString('en')} orders, ${(size / 1024 / 1024).toFixed(1)} MB CP932`);
    line(
      `worker --max-old-space-size=160: run ${run?.outcome ?? 'not finished'}${run?.error ? ` (${run.error.slice(0, 120)})` : ''}`,
    );
    line(
      `orders read ${run?.fetched.toLocaleString('en') ?? '?'} / ${ORDERS.toLocaleString('en')}, stored ${orders.toLocaleString('en')}, ` +
        `not imported by the store's statuses ${run?.skipped ?? '?'}, rejected ${run?.rejected ?? '?'}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    line(`worker peak RSS ${mb(peak)}; worker exits ${pool.procs.filter((p) => p.exit).length} (restarts 0)`);
  } finally {
    await pool.stopAll();
    await q.close();
    await b.drop();
  }
}

async function writeStockFile(file: string, rows: number, products: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('商品コード,倉庫,入荷数\n');
  for (let i = 0; i < rows; i++) {
    const line = `BP${String(i % products).padStart(6, '0')},${i % 2 ? 'osaka' : 'tokyo'},${1 + (i % 5)}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

type UploadRun = { ms: number; peakKb: number; code: number | null; progress: number; last: string };

async function upload(url: string, file: string, command = ['stock', 'upload']): Promise<UploadRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/juchu.mjs'), ...command, file], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REDIS_URL: services.redisUrl,
      // A heap far smaller than the file's rows would need if they were held: the upload must
      // finish within it (memory flat), and RSS is not just V8 growing its heap because it may.
      NODE_OPTIONS: '--max-old-space-size=96',
      JUCHU_SECRET_KEY: BENCH_KEY.toString('hex'),
      LOG_LEVEL: 'warn',
    },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peakKb = 0;
  let progress = 0;
  let last = '';
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, peakRssKb(child.pid!) ?? 0);
  }, 200);
  child.stdout.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) {
      if (l.startsWith('…')) progress++;
      if (l.trim()) last = l;
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    last = d.toString().trim().split('\n').at(-1) ?? last;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(sampler);
  return { ms: Date.now() - started, peakKb, code, progress, last };
}

async function stockUploads(): Promise<void> {
  const b = await services.database('stock');
  const products = 10_000;
  await sql`INSERT INTO warehouses (code, name, priority) VALUES ('tokyo', '東京', 1), ('osaka', '大阪', 2)
            ON CONFLICT DO NOTHING`.execute(b.db);
  await sql`INSERT INTO products (code, name, tax_rate)
            SELECT 'BP' || lpad(g::text, 6, '0'), '商品 ' || g, 10 FROM generate_series(0, ${products - 1}) g`.execute(
    b.db,
  );
  line('');
  line(
    `## stock upload: juchu stock upload, arrivals over ${products.toLocaleString('en')} products × 2 warehouses`,
  );
  const results: Array<{ rows: number; r: Awaited<ReturnType<typeof upload>> }> = [];
  for (const rows of [Math.round(ROWS / 10), ROWS]) {
    const file = path.join(dir, `stock-${rows}.csv`);
    await writeStockFile(file, rows, products);
    const size = (await stat(file)).size;
    const r = await upload(b.url, file);
    results.push({ rows, r });
    line(
      `${rows.toLocaleString('en')} rows (${(size / 1024 / 1024).toFixed(1)} MB): ${(r.ms / 1000).toFixed(0)} s, ` +
        `${Math.round(rows / (r.ms / 1000)).toLocaleString('en')} rows/s, peak RSS ${mb(r.peakKb)}, ` +
        `${r.progress} progress lines, exit ${r.code}; ${r.last}`,
    );
  }
  const [small, large] = results;
  if (small && large)
    line(
      `peak RSS ratio ${large.rows.toLocaleString('en')} / ${small.rows.toLocaleString('en')} rows: ${(large.r.peakKb / small.r.peakKb).toFixed(2)} (goal ≤ 1.5: flat)`,
    );
  const again = await upload(b.url, path.join(dir, `stock-${ROWS}.csv`));
  line(
    `the ${ROWS.toLocaleString('en')}-row file again: ${(again.ms / 1000).toFixed(1)} s, exit ${again.code}; ${again.last}`,
  );
  await b.drop();
}

async function writeLines(
  file: string,
  header: string,
  rows: number,
  row: (i: number) => string,
): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++)
    if (!out.write(`${row(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** The small and the large file of one kind, each sent by its own CLI process: the side-by-side lines. */
async function sideBySide(
  url: string,
  name: string,
  large: number,
  write: (file: string, rows: number) => Promise<void>,
  command: string[],
): Promise<void> {
  const results: Array<{ rows: number; r: UploadRun }> = [];
  for (const rows of [Math.round(large / 10), large]) {
    const file = path.join(dir, `${name}-${rows}.csv`);
    await write(file, rows);
    const size = (await stat(file)).size;
    const r = await upload(url, file, command);
    results.push({ rows, r });
    line(
      `${rows.toLocaleString('en')} rows (${(size / 1024 / 1024).toFixed(1)} MB): ${(r.ms / 1000).toFixed(0)} s, ` +
        `${Math.round(rows / (r.ms / 1000)).toLocaleString('en')} rows/s, peak RSS ${mb(r.peakKb)}, ` +
        `${r.progress} progress lines, exit ${r.code}; ${r.last.slice(0, 200)}`,
    );
  }
  const [s, l] = results;
  if (s && l)
    line(
      `time ratio ${(l.r.ms / s.r.ms).toFixed(1)}; peak RSS ratio ${l.rows.toLocaleString('en')} / ${s.rows.toLocaleString('en')} rows: ` +
        `${(l.r.peakKb / s.r.peakKb).toFixed(2)} (goal ≤ 1.5: flat)`,
    );
}

async function orderUploads(): Promise<void> {
  const b = await services.database('orders');
  await upsertStore(
    b.db,
    { code: 'csv-up', cart: 'csv', name: 'CSV アップロード', baseUrl: null, settings: {} },
    BENCH_KEY,
  );
  line('');
  line('## order upload: juchu import-file --store, one line per order (generic headers, UTF-8)');
  await sideBySide(
    b.url,
    'orders',
    ORDER_ROWS,
    (file, rows) =>
      writeLines(
        file,
        '注文番号,注文日時,商品コード,商品名,数量,単価,税率,注文者名,注文者電話番号,注文者郵便番号,注文者住所,備考,支払方法',
        rows,
        (i) =>
          `F${rows}-${String(i).padStart(7, '0')},2026/11/25 10:03,BP${String(i % 1000).padStart(6, '0')},商品 ${i % 1000},1,550,10%,山田 花子,090-1111-2222,1000005,東京都千代田区丸の内1-9-1,,代金引換`,
      ),
    ['import-file', '--store', 'csv-up'],
  );
  await b.drop();
}

async function productUploads(): Promise<void> {
  const b = await services.database('products');
  line('');
  line('## product CSV: juchu products import (checked whole, then applied a batch per transaction)');
  await sideBySide(
    b.url,
    'products',
    PRODUCT_ROWS,
    (file, rows) =>
      writeLines(
        file,
        '商品コード,商品名,税率,有効',
        rows,
        (i) => `M${rows}-${String(i).padStart(7, '0')},商品 ${i},${i % 3 ? 10 : 8},1`,
      ),
    ['products', 'import'],
  );
  await b.drop();
}

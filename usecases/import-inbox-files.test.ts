// The CSV inbox through the import job (real PostgreSQL): a file that is not an order file is moved
// to failed/ with its reason, listed, and the run ends failed while the good files are imported; a
// file that a dead worker was reading is set aside on the next attempt (never read a second time)
// and the run it left `running` is closed; an operator who moves it back gets it read again.
import { mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  csvText,
  encodeCp932,
  RAKUTEN_COLUMNS,
  rakutenCsvOrderNo,
  rakutenRows,
} from '../carts/csv/render.js';
import { generateOrders, viewAt } from '../carts/sim/generate.js';
import { ABANDONED_RUN, closeExpiredRuns } from '../db/import-runs.js';
import { beginInboxFile, listFailedInboxFiles } from '../db/inbox-files.js';
import { type Store, upsertStore } from '../db/stores.js';
import { processImportStore } from '../jobs/import-store.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { countOrders, testDeps } from '../test/pipeline.js';

let STORE = 'csv-inbox';
let n = 0;
const FROM = new Date('2024-04-19T15:00:00Z');
const TO = new Date('2024-04-22T15:00:00Z');

async function dropFile(dir: string, name: string, seed: number, count: number, mtime: Date) {
  const views = generateOrders({ seed, count, from: FROM, to: TO }).map((o) => viewAt(o, TO));
  const rows = views.flatMap((v) => rakutenRows(v, `${seed}-${rakutenCsvOrderNo(v)}`));
  await writeFile(join(dir, name), encodeCp932(csvText(RAKUTEN_COLUMNS, rows)));
  await utimes(join(dir, name), mtime, mtime);
}

describe('CSV inbox files through the import', () => {
  let t: TestDb;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let dir: string;
  let store: Store;
  const runs = () =>
    t.db
      .selectFrom('import_runs')
      .select(['id', 'outcome', 'error'])
      .where('store_id', '=', store.id)
      .orderBy('id')
      .execute();
  const importNow = () =>
    processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps).then(
      (r) => ({ ok: true as const, r }),
      (e: Error) => ({ ok: false as const, e }),
    );

  beforeAll(async () => {
    t = await createTestDb('inbox-files');
    deps = await testDeps(t);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'juchu-inbox-'));
    STORE = `csv-inbox-${++n}`; // a store of its own per test
    store = await upsertStore(
      t.db,
      {
        code: STORE,
        cart: 'csv',
        name: 'CSV 受信テスト',
        baseUrl: null,
        settings: {
          inboxDir: dir,
          minFileAgeMs: 0,
          pageSize: 3,
          importStatuses: ['注文確認待ち', '楽天処理中', '発送待ち', '変更確定待ち'],
        },
      },
      TEST_SECRET_KEY,
    );
  });
  afterAll(async () => {
    await deps?.close();
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('moves a file that is not an order file to failed/ with its reason, imports the others, fails the run', async () => {
    await dropFile(dir, 'a-good.csv', 1, 7, new Date('2024-04-20T00:00:00Z'));
    await writeFile(join(dir, 'b-items.csv'), encodeCp932('商品管理番号,商品名\r\nx,y\r\n'));
    await dropFile(dir, 'c-good.csv', 2, 4, new Date('2024-04-23T00:00:00Z'));

    const first = await importNow();
    expect(first.ok).toBe(false);
    expect(!first.ok && first.e.message).toMatch(/1 件のファイルを failed\/ に移しました: b-items\.csv/);
    expect(await countOrders(t.db, STORE)).toBe(11);
    expect(await readdir(dir)).toEqual(['failed', 'processed']);
    expect((await readdir(join(dir, 'processed'))).sort()).toEqual(['a-good.csv', 'c-good.csv']);
    expect((await readdir(join(dir, 'failed'))).sort()).toEqual(['b-items.csv', 'b-items.csv.reason.txt']);
    const reason = await readFile(join(dir, 'failed', 'b-items.csv.reason.txt'), 'utf8');
    expect(reason).toContain('取り込めないファイルです: b-items.csv: 列がありません: 注文番号');
    const [run] = await runs();
    expect(run).toMatchObject({ outcome: 'failed' });
    expect(run!.error).toContain('b-items.csv');
    const failed = await listFailedInboxFiles(t.db, { store: STORE });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ name: 'b-items.csv', store: STORE, runId: run!.id });
    expect(failed[0]!.error).toContain('b-items.csv: 列がありません: 注文番号');

    // The next slot finds an empty inbox and succeeds.
    const next = await importNow();
    expect(next.ok && next.r.outcome).toBe('succeeded');
  });

  it('sets aside a file a dead worker was reading, closes its run, and reads it again once moved back', async () => {
    await dropFile(dir, 'big.csv', 3, 9, new Date('2024-04-20T00:00:00Z'));
    await dropFile(dir, 'next.csv', 4, 2, new Date('2024-04-21T00:00:00Z'));
    // What a worker that died while reading big.csv leaves: its run `running`, the file `reading`,
    // the store's lease held by it until it runs out.
    const dead = await sql<{ id: number }>`
      INSERT INTO import_runs (store_id, trigger, job_id) VALUES (${store.id}, 'manual', 'dead-job')
      RETURNING id`.execute(t.db);
    const deadRun = dead.rows[0]!.id;
    const st = await stat(join(dir, 'big.csv'));
    await beginInboxFile(t.db, {
      storeId: store.id,
      runId: deadRun,
      file: { name: 'big.csv', size: st.size, mtimeMs: st.mtimeMs },
    });
    await t.db
      .updateTable('stores')
      .set({ import_lease_owner: 'dead-worker', import_lease_until: sql`now() + interval '1 hour'` })
      .where('id', '=', store.id)
      .execute();
    // While the dead worker's lease runs, no import may start (it could still be alive).
    const busy = await importNow();
    expect(busy.ok && busy.r.outcome).toBe('delayed');
    await t.db
      .updateTable('stores')
      .set({ import_lease_until: sql`now() - interval '1 second'` })
      .where('id', '=', store.id)
      .execute();

    const r = await importNow();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.e.message).toContain('big.csv');
    const [closed, failedRun] = await runs();
    expect(closed).toMatchObject({ id: deadRun, outcome: 'failed', error: ABANDONED_RUN });
    expect(failedRun).toMatchObject({ outcome: 'failed' });
    expect(await countOrders(t.db, STORE)).toBe(2); // next.csv only: big.csv was not read again
    expect((await readdir(join(dir, 'failed'))).sort()).toEqual(['big.csv', 'big.csv.reason.txt']);
    expect(await readFile(join(dir, 'failed', 'big.csv.reason.txt'), 'utf8')).toContain(
      '前回の取込がこのファイルを読んでいる途中で終わりませんでした',
    );
    expect((await listFailedInboxFiles(t.db, { store: STORE }))[0]).toMatchObject({ name: 'big.csv' });

    // The operator looked at it and moved it back (mv keeps its time): it is read again.
    await rename(join(dir, 'failed', 'big.csv'), join(dir, 'big.csv'));
    const again = await importNow();
    expect(again.ok && again.r).toMatchObject({ outcome: 'succeeded', fetched: 9 });
    expect(await countOrders(t.db, STORE)).toBe(2 + (again.ok ? (again.r.new ?? 0) : 0));
    expect(await listFailedInboxFiles(t.db, { store: STORE })).toEqual([]);
  });

  it('moves a file whose orders were stored but whose move was lost, without reading it again', async () => {
    await dropFile(dir, 'once.csv', 5, 3, new Date('2024-04-20T00:00:00Z'));
    expect((await importNow()).ok).toBe(true);
    // As if the process had died between recording the file and moving it: put it back.
    await rename(join(dir, 'processed', 'once.csv'), join(dir, 'once.csv'));
    await t.db.updateTable('inbox_files').set({ state: 'imported' }).execute();
    const r = await importNow();
    expect(r.ok && r.r).toMatchObject({ outcome: 'succeeded', fetched: 0 });
    expect(await readdir(dir)).toEqual(['processed']);
  });

  it('closes, in the sweep, a run left running whose lease ran out', async () => {
    const left = await sql<{ id: number }>`
      INSERT INTO import_runs (store_id, trigger) VALUES (${store.id}, 'schedule') RETURNING id`.execute(
      t.db,
    );
    await t.db
      .updateTable('stores')
      .set({ import_lease_owner: 'gone', import_lease_until: sql`now() + interval '1 hour'` })
      .where('id', '=', store.id)
      .execute();
    expect(await closeExpiredRuns(t.db)).toBe(0); // its lease still runs: it may be alive
    await t.db
      .updateTable('stores')
      .set({ import_lease_until: sql`now() - interval '1 second'` })
      .where('id', '=', store.id)
      .execute();
    expect(await closeExpiredRuns(t.db)).toBe(1);
    const run = await t.db
      .selectFrom('import_runs')
      .select(['outcome', 'error', 'finished_at'])
      .where('id', '=', left.rows[0]!.id)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ outcome: 'failed', error: ABANDONED_RUN });
    expect(run.finished_at).not.toBeNull();
  });
});

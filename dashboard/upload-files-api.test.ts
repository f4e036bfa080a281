// Operator uploads over HTTP as one unit (issue 15 item 2), against the real dashboard, PostgreSQL
// and Redis: with UPLOAD_ANSWER_WAIT_MS=0 every upload that is recorded answers 202 with its id at
// once (as a large file does after the wait), and its progress and result are read back at
// /api/uploads/:id, whoever asks — the browser that sent it needs not stay. The same file again
// changes nothing; a file that cannot be read is recorded as failed with its reason.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S } from '../domain/statuses.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';

interface Upload {
  id: number;
  kind: string;
  status: 'running' | 'succeeded' | 'failed';
  rowsRead: number;
  rowsFailed: number;
  error: string | null;
  result: { ok: number; failed: number; lines: string[]; counts?: Record<string, number> } | null;
}

const HEAD =
  '注文番号,注文日時,商品コード,商品名,数量,単価,税率,注文者名,注文者電話番号,注文者郵便番号,注文者住所,備考,支払方法';
/** `n` orders of one line each; the `bad` ones have no order number (kept in 取込エラー). */
function orderCsv(n: number, opts: { prefix?: string; bad?: number } = {}): Buffer {
  const rows = [HEAD];
  for (let i = 1; i <= n; i++)
    rows.push(
      `${opts.prefix ?? 'U'}-${String(i).padStart(5, '0')},2026/11/25 10:03,00000940104,竹製 茶さじ,1,550,10%,山田 花子,090-1111-2222,1000005,東京都千代田区丸の内1-9-1,,代金引換`,
    );
  for (let i = 0; i < (opts.bad ?? 0); i++)
    rows.push(
      ',2026/11/25 11:00,00000940104,竹製 茶さじ,1,550,10%,注文番号なし,090-0000-0000,1000005,東京都千代田区丸の内1-9-1,,代金引換',
    );
  return Buffer.from(`${rows.join('\n')}\n`);
}

describe('uploads over HTTP: 202, the upload id, the stored result', () => {
  let d: TestDashboard;
  let admin: Client;
  let operator: Client;
  let viewer: Client;

  /** Follows an upload as the screen does, until it is no longer running. */
  async function finished(id: number): Promise<Upload> {
    for (;;) {
      const r = await viewer.get(`/api/uploads/${id}`);
      expect(r.status, r.text).toBe(200);
      const u = (r.body as { upload: Upload }).upload;
      if (u.status !== 'running') return u;
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  const send = (client: Client, url: string, file: Buffer, name: string) =>
    client.request('POST', url, { raw: file, headers: { 'x-file-name': encodeURIComponent(name) } });

  beforeAll(async () => {
    d = await startTestDashboard('uploads202', { env: { UPLOAD_ANSWER_WAIT_MS: '0' } });
    [admin, operator, viewer] = await Promise.all([
      Client.as(d.url, 'admin'),
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'viewer'),
    ]);
    for (const code of ['csv-a', 'csv-b']) {
      const r = await admin.request('PUT', `/api/stores/${code}`, {
        body: { name: `CSV ${code}`, cart: 'csv', importCron: '*/30 * * * *', enabled: true, settings: {} },
      });
      expect(r.status, r.text).toBe(200);
    }
  });
  afterAll(async () => {
    await d?.close();
  });

  it('an order file: 202 with the upload id, then its result from /api/uploads/:id; the same file again imports nothing', async () => {
    const file = orderCsv(40, { bad: 2 });
    const up = await send(operator, '/api/stores/csv-a/orders-upload', file, '受注_1204.csv');
    expect(up.status, up.text).toBe(202);
    const running = up.body as { status: string; uploadId: number; message: string };
    expect(running.status).toBe('running');
    expect(running.uploadId).toBeGreaterThan(0);
    expect(running.message).toContain('受注_1204.csv');
    expect(running.message).toContain('画面を閉じても処理は続きます');

    const u = await finished(running.uploadId);
    expect(u.kind).toBe('orders');
    expect(u.status, u.error ?? '').toBe('succeeded');
    expect(u.result!.counts).toMatchObject({ new: 40, rejected: 2, rows: 42 });
    expect(u.result!.failed).toBe(2);
    expect(u.rowsRead).toBe(42);
    expect(u.rowsFailed).toBe(2);
    // Japanese lines naming the file; the refused orders by field, and the summary with the ids.
    expect(u.result!.lines.filter((l) => l.startsWith('✗ 受注_1204.csv'))).toHaveLength(2);
    expect(u.result!.lines.at(-1)).toMatch(
      new RegExp(`^受注_1204\\.csv（42 行）: 新規 40 件.*エラー 2 件.*アップロード #${running.uploadId}`),
    );
    const orders = async (store: string) =>
      (
        await d.t.db
          .selectFrom('orders')
          .innerJoin('stores', 'stores.id', 'orders.store_id')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('stores.code', '=', store)
          .executeTakeFirstOrThrow()
      ).n;
    expect(Number(await orders('csv-a'))).toBe(40);

    // The same bytes again (another name): the first upload's answer at once, nothing imported.
    const again = await send(operator, '/api/stores/csv-a/orders-upload', file, 'もう一度.csv');
    expect(again.status, again.text).toBe(200);
    const ab = again.body as { repeated: boolean; uploadId: number; lines: string[]; runId: number };
    expect(ab.repeated).toBe(true);
    expect(ab.uploadId).toBe(running.uploadId);
    expect(ab.lines[0]).toContain(`アップロード #${running.uploadId}`);
    expect(ab.lines[0]).toContain('今回は何も取り込んでいません');
    expect(Number(await orders('csv-a'))).toBe(40);
    const runs = await d.t.db
      .selectFrom('import_runs')
      .select('id')
      .where('trigger', '=', 'upload')
      .execute();
    expect(runs).toHaveLength(1);

    // The same file for another store is that store's upload.
    const other = await send(operator, '/api/stores/csv-b/orders-upload', file, '受注_1204.csv');
    expect(other.status, other.text).toBe(202);
    const otherId = (other.body as { uploadId: number }).uploadId;
    expect(otherId).not.toBe(running.uploadId);
    expect((await finished(otherId)).status).toBe('succeeded');
    expect(Number(await orders('csv-b'))).toBe(40);

    const list = (await viewer.get('/api/uploads?kind=orders')).body as { uploads: Upload[] };
    expect(list.uploads.map((x) => x.id)).toEqual([otherId, running.uploadId]);
  });

  it('an order file that cannot be read is recorded as failed with its reason, and a fixed one goes in', async () => {
    const up = await send(
      operator,
      '/api/stores/csv-a/orders-upload',
      Buffer.from('a,b\n1,2\n'),
      '壊れた.csv',
    );
    expect(up.status, up.text).toBe(202);
    const id = (up.body as { uploadId: number }).uploadId;
    const u = await finished(id);
    expect(u.status).toBe('failed');
    expect(u.error).toContain('壊れた.csv');
    const detail = (await viewer.get(`/api/uploads/${id}`)).body as { upload: Upload };
    expect(detail.upload.error).toBe(u.error);

    const fixed = await send(
      operator,
      '/api/stores/csv-a/orders-upload',
      orderCsv(3, { prefix: 'F' }),
      '直した.csv',
    );
    expect(fixed.status, fixed.text).toBe(202);
    expect((await finished((fixed.body as { uploadId: number }).uploadId)).result!.counts).toMatchObject({
      new: 3,
    });
  });

  it('the product master CSV: a dry run answers at once; the import answers 202 and is one upload; a bad file is recorded with its rows', async () => {
    const csv = Buffer.from('商品コード,商品名,税率\r\nHTTP-1,HTTP の商品,8\r\nHTTP-2,二つ目,10\r\n');
    const dry = await send(admin, '/api/product-import?dryRun=1', csv, '商品.csv');
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ ok: true, applied: false, uploadId: null, counts: { new: 2 } });

    const up = await send(admin, '/api/product-import', csv, '商品.csv');
    expect(up.status, up.text).toBe(202);
    const id = (up.body as { uploadId: number }).uploadId;
    const u = await finished(id);
    expect(u).toMatchObject({ kind: 'products', status: 'succeeded', rowsRead: 2 });
    expect(u.result!.lines.at(-1)).toMatch(new RegExp(`^商品\\.csv: 2 行を登録.*アップロード #${id}`));
    expect((await viewer.get('/api/product-master/HTTP-2')).status).toBe(200);

    const again = await send(admin, '/api/product-import', csv, '商品.csv');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, uploadId: id, applied: false });

    const bad = Buffer.from('商品コード,商品名,JAN\nHTTP-3,良い行,\nHTTP 4,悪いコード,4006381333932\n');
    const refused = await send(admin, '/api/product-import', bad, '悪い.csv');
    expect(refused.status, refused.text).toBe(202);
    const rid = (refused.body as { uploadId: number }).uploadId;
    const ru = await finished(rid);
    expect(ru.status).toBe('failed');
    expect(ru.result!.lines.at(-1)).toBe('1 行にエラーがあるため、何も登録していません（全 2 行）');
    expect(ru.result!.lines[0]).toMatch(/^✗ 悪い\.csv 3 行目 商品コード: /);
    const detail = (await viewer.get(`/api/uploads/${rid}`)).body as { errors: Array<{ line: number }> };
    expect(detail.errors.map((e) => e.line)).toEqual([3, 3]);
    expect((await viewer.get('/api/product-master/HTTP-3')).status).toBe(404);
  });

  it('a carrier result file: 202 with the upload id, the order shipped, unmatched rows by line in Japanese; the same file again changes nothing', async () => {
    const shop = await createShop(d.t.db, 'track-shop');
    await seedStock(d.t.db, { TRK1: { tokyo: 5 } });
    await importOrders(
      d.t.db,
      shop,
      [cartOrder(shop, 'T-1', { lines: [['TRK1', 1]], orderedAt: at(1) })],
      new Date(),
    );
    const order = await orderView(d.t.db, shop.id, 'T-1');
    const instructed = await operator.request('POST', '/api/shipping/instruction', {
      body: { orderIds: [order.id] },
    });
    expect(instructed.status, instructed.text).toBe(200);
    expect((await orderView(d.t.db, shop.id, 'T-1')).status).toBe(S.shipping);

    const file = iconv.encode(
      [
        '"お客様管理番号","送り状種類","クール区分","伝票番号"',
        `"${order.orderNo}01","0","0","400012345678"`,
        '"0000999901","0","0","400012345679"',
        `"${order.orderNo}01","0","0","12-34"`,
      ].join('\r\n'),
      'cp932',
    );
    const up = await send(operator, '/api/shipping/tracking-upload?carrier=yamato', file, 'B2発行済み.csv');
    expect(up.status, up.text).toBe(202);
    const running = up.body as { status: string; uploadId: number; message: string };
    expect(running.message).toContain('B2発行済み.csv');
    const u = await finished(running.uploadId);
    expect(u).toMatchObject({ kind: 'tracking', status: 'succeeded', rowsRead: 3, rowsFailed: 2 });
    expect(u.result!.lines.filter((l) => l.startsWith('✗'))).toEqual([
      '✗ B2発行済み.csv 3 行目: お客様管理番号「0000999901」: 受注No 00009999 の注文はありません',
      '✗ B2発行済み.csv 4 行目: 伝票番号「12-34」は数字10〜14桁ではありません',
    ]);
    expect(u.result!.lines.at(-1)).toBe(
      `B2発行済み.csv: 1 行を取込、2 行はエラー。出荷完了 1 件、一致しない行 2 件（user:operator、アップロード #${running.uploadId}）`,
    );
    expect((await orderView(d.t.db, shop.id, 'T-1')).status).toBe(S.shipped);
    const detail = (await viewer.get(`/api/uploads/${running.uploadId}`)).body as {
      errors: Array<{ line: number; message: string }>;
    };
    expect(detail.errors.map((e) => e.line)).toEqual([3, 4]);
    const history = (await viewer.get('/api/shipping/tracking-uploads')).body as {
      uploads: Array<{ id: number; result: { carrier: string } }>;
    };
    expect(history.uploads.map((x) => [x.id, x.result.carrier])).toEqual([[running.uploadId, 'yamato']]);

    // The same bytes again: the first upload's answer at once, no second upload, nothing changed.
    const again = await send(operator, '/api/shipping/tracking-upload?carrier=yamato', file, 'もう一度.csv');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, uploadId: running.uploadId, status: 'succeeded' });
    expect((again.body as { lines: string[] }).lines[0]).toContain('今回は何も変えていません');
    const parcels = await d.t.db.selectFrom('order_parcels').select('tracking_number').execute();
    expect(parcels.map((p) => p.tracking_number)).toEqual(['400012345678']);
    expect((await viewer.get('/api/uploads?kind=tracking')).body).toMatchObject({
      uploads: [{ id: running.uploadId }],
    });
    // A carrier that is not one of ours is refused before anything is read.
    const bad = await send(operator, '/api/shipping/tracking-upload?carrier=dhl', file, 'x.csv');
    expect(bad.status).toBe(400);
  }, 60_000);

  it('a viewer may read uploads but not send them', async () => {
    expect((await send(viewer, '/api/stores/csv-a/orders-upload', orderCsv(1), 'x.csv')).status).toBe(403);
  });
});

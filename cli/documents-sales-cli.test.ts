// juchu labels picking|delivery-note and juchu sales list|export|return on a real database (the picking list
// as its own process, the rest in-process): the PDFs written and read back, the daily CSV in Shift_JIS, a
// return by line number.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyParty } from '../domain/order.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { pdfText } from '../test/pdf-text.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { instructShipping } from '../usecases/shipping-instruction.js';

describe('juchu labels picking|delivery-note and juchu sales', () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let batchId = 0;
  let orderNo = '';
  const juchu = (...args: string[]) => runJuchuInProcess(args, env);
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestDb('docs-cli');
    env = childEnv(t.url, uniquePrefix('docs-cli'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-docs-'));
    const shop = await createShop(t.db, 'doc-shop', { invoiceRegistrationNumber: 'T9876543210987' });
    await seedStock(t.db, { NORI: { tokyo: 10 } });
    await t.db
      .updateTable('products')
      .set({ name: '焼き海苔 全形10枚', tax_rate: 8 })
      .where('code', '=', 'NORI')
      .execute();
    const o = cartOrder(shop, 'S-1', { lines: [['NORI', 2]], orderedAt: at(1) });
    o.lines = [{ ...o.lines[0]!, name: '焼き海苔 全形10枚', unitPrice: 540, taxRate: 8, taxAmount: null }];
    o.orderer = { ...emptyParty(), name: '佐藤 三郎' };
    await importOrders(t.db, shop, [o], new Date());
    const ops = depsOf(t.db);
    batchId = (await instructShipping(ops, { storeCodes: ['doc-shop'], actor: 'test' })).batchId!;
    const v = await orderView(t.db, shop.id, 'S-1');
    orderNo = v.orderNo;
    expect((await confirmShipment(ops, { orderId: v.id, actor: 'test' })).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('writes the picking list and the 納品書 as PDF', async () => {
    const picking = path.join(dir, 'picking.pdf');
    const r = await runJuchu(['labels', 'picking', '--batch', String(batchId), '--out', picking], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 orders');
    expect((await pdfText(await readFile(picking)))[0]).toContain('焼き海苔 全形10枚');
    const note = path.join(dir, 'note.pdf');
    const n = await juchu('labels', 'delivery-note', '--order', orderNo, '--out', note);
    expect(n.code, n.stderr).toBe(0);
    const [text] = await pdfText(await readFile(note));
    expect(text).toContain('登録番号 T9876543210987');
    expect(text).toContain('8%対象（軽減税率） ¥1,080 消費税 ¥80');
    const bad = await juchu('labels', 'delivery-note', '--batch', '999', '--out', note);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('出荷バッチ 999 はありません');
  });

  it('lists, returns and exports the sales', async () => {
    const ret = await juchu('sales', 'return', '--order', orderNo, '--line', '1:1', '--reason', '破損');
    expect(ret.code, ret.stderr).toBe(0);
    expect(ret.stdout).toContain(`返品1 of ${orderNo} on ${today}: -¥540`);
    const over = await juchu('sales', 'return', '--order', orderNo, '--line', '1:2');
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('返品できるのはあと 1 点です');
    const list = await juchu('sales', 'list', '--from', today, '--to', today);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`${today}  doc-shop  1件  売上 ¥1,080`);
    expect(list.stdout).toContain('返品 -¥540');
    const csv = path.join(dir, 'sales.csv');
    const e = await juchu(
      'sales',
      'export',
      '--from',
      today,
      '--to',
      today,
      '--encoding',
      'sjis',
      '--out',
      csv,
    );
    expect(e.code, e.stderr).toBe(0);
    expect(iconv.decode(await readFile(csv), 'cp932').split('\r\n')[1]).toBe(
      `${today},doc-shop,店舗 doc-shop,1,1080,0,0,-540,0,0,540,40,0,540`,
    );
  });
});

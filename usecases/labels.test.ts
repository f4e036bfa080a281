// 出荷 end to end on a real database: carrier rules choose each order's carrier (an operator may
// change it before the instruction), the instruction makes a batch and freezes the choice, each
// carrier's label file comes out in Shift_JIS and the same bytes twice, and the carrier's result file
// confirms the shipments (a tracking number per package; a row matching no order is listed).
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parcelsOf, shipmentPackages } from '../db/parcels.js';
import { batchExports } from '../db/shipping-batches.js';
import { ordersWithCarriers } from '../db/shipping-orders.js';
import type { Store } from '../db/stores.js';
import { getUpload, listUploadErrors } from '../db/uploads.js';
import type { CartOrder, Party } from '../domain/order.js';
import { emptyParty } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import {
  at,
  cartOrder,
  createShop,
  importOrders,
  NOW,
  orderView,
  seedStock,
} from '../test/stock-fixtures.js';
import { applyTrackingFile } from '../uploads/tracking-file.js';
import { depsOf } from './deps.js';
import { exportLabels } from './export-labels.js';
import { createSelectionBatch } from './record-shipping-batch.js';
import { saveShippingSettings } from './save-shipping-settings.js';
import { setOrderCarrier } from './set-order-carrier.js';
import { setProductSize } from './set-product-size.js';
import { instructShipping } from './shipping-instruction.js';

const party = (p: Partial<Party>): Party => ({ ...emptyParty(), phone: '090-1111-2222', ...p });
const TOKYO = party({
  name: '東京 一郎',
  postalCode: '150-0001',
  prefecture: '東京都',
  address1: '渋谷区神宮前1-1',
});
const OKINAWA = party({
  name: '沖縄 花子',
  postalCode: '900-0001',
  prefecture: '沖縄県',
  address1: '那覇市港町2-3',
});
const ISLAND = party({
  name: '八丈 次郎',
  postalCode: '100-1511',
  prefecture: '東京都',
  address1: '八丈島八丈町三根1',
});

describe('labels, tracking numbers and carrier rules', () => {
  let t: TestDb;
  let shop: Store;
  const ops = () => depsOf(t.db, NOW);
  const ids: Record<string, number> = {};

  function order(
    no: string,
    shipTo: Party,
    over: Partial<CartOrder> = {},
    lines: Array<[string, number]> = [['TEA', 1]],
  ) {
    const o = cartOrder(shop, no, { lines, orderedAt: at(Object.keys(ids).length + 1) });
    return { ...o, shipTo, totals: { ...o.totals, total: 3300, tax: 300 }, ...over };
  }

  beforeAll(async () => {
    t = await createTestDb('labels');
    shop = await createShop(t.db, 'shop-l');
    await seedStock(t.db, { TEA: { tokyo: 50 }, BIG: { tokyo: 10 } });
    await setProductSize(ops(), { productCode: 'BIG', sizeClass: '160' });
    await saveShippingSettings(ops(), {
      storeCode: 'shop-l',
      actor: 'user:admin',
      sender: {
        name: '',
        postalCode: '1000001',
        phone: '03-1234-5678',
        address1: '東京都千代田区千代田1-1',
        address2: '',
      },
      defaults: { carrier: 'yamato', method: 'takkyubin' },
      codMethods: null,
      codes: { yamatoBillingCustomerCode: '012345678901' },
      rules: [
        {
          position: 1,
          kind: 'prefecture',
          values: ['沖縄県'],
          carrier: 'japanpost',
          method: 'yupack',
          note: null,
        },
        {
          position: 2,
          kind: 'postal',
          values: ['1000100-1002999'],
          carrier: 'japanpost',
          method: 'yupack',
          note: '伊豆・小笠原諸島',
        },
        { position: 3, kind: 'size', values: ['140'], carrier: 'sagawa', method: 'hikyaku', note: null },
      ],
    });
    const gift = order('L-5', TOKYO, {
      packages: [
        { packageNo: 1, shipTo: TOKYO },
        { packageNo: 2, shipTo: party({ ...TOKYO, name: '贈り先 三郎', address1: '渋谷区神宮前2-2' }) },
      ],
    });
    gift.lines = [
      { ...gift.lines[0]!, packageNo: 1 },
      { ...gift.lines[0]!, packageNo: 2 },
    ];
    await importOrders(
      t.db,
      shop,
      [
        order('L-1', TOKYO, {
          delivery: {
            requestedDate: '2026-12-05',
            timeSlot: '14:00-16:00',
            carrier: null,
            method: null,
            fee: 0,
          },
        }),
        order('L-2', OKINAWA),
        order('L-3', ISLAND),
        order('L-4', TOKYO, { payment: { method: '代金引換', cardType: null, fee: 330, paidAt: null } }, [
          ['BIG', 1],
        ]),
        gift,
        order('L-6', TOKYO),
      ],
      NOW,
    );
    for (const no of ['L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6'])
      ids[no] = (await orderView(t.db, shop.id, no)).id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('the rules choose each order’s carrier and say which rule; an operator changes one before the instruction', async () => {
    const { carriers } = await ordersWithCarriers(t.db, Object.values(ids));
    const of = (no: string) => carriers.get(ids[no]!)!;
    expect(of('L-1')).toMatchObject({
      carrier: 'yamato',
      source: 'default',
      reason: '既定: ヤマト運輸 宅急便',
    });
    expect(of('L-2')).toMatchObject({
      carrier: 'japanpost',
      rule: 1,
      reason: 'ルール1: 沖縄県 → 日本郵便 ゆうパック',
    });
    expect(of('L-3')).toMatchObject({ carrier: 'japanpost', rule: 2 });
    expect(of('L-4')).toMatchObject({ carrier: 'sagawa', rule: 3 });
    const r = await setOrderCarrier(ops(), {
      orderId: ids['L-6']!,
      choice: { carrier: 'sagawa', method: 'hikyaku' },
      actor: 'user:ops',
    });
    expect(r.message).toContain('運送会社を 佐川急便 飛脚宅配便 にしました');
    await setOrderCarrier(ops(), { orderId: ids['L-5']!, parcels: 2, actor: 'user:ops' });
    await expect(
      setOrderCarrier(ops(), {
        orderId: ids['L-6']!,
        choice: { carrier: 'yamato', method: 'yupack' },
        actor: 'x',
      }),
    ).rejects.toThrow('ヤマト運輸に配送方法「yupack」はありません');
  });

  it('the instruction is a batch; carriers freeze; no change after it', async () => {
    const { results, batchId } = await instructShipping(ops(), { storeCodes: ['shop-l'], actor: 'user:ops' });
    expect(results.every((r) => r.ok && r.to === S.shipping)).toBe(true);
    expect(batchId).toBeGreaterThan(0);
    const row = await t.db
      .selectFrom('orders')
      .select(['ship_carrier', 'ship_method', 'ship_carrier_source', 'ship_carrier_reason'])
      .where('id', '=', ids['L-2']!)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      ship_carrier: 'japanpost',
      ship_method: 'yupack',
      ship_carrier_source: 'rule',
      ship_carrier_reason: 'ルール1: 沖縄県 → 日本郵便 ゆうパック',
    });
    await expect(
      setOrderCarrier(ops(), {
        orderId: ids['L-2']!,
        choice: { carrier: 'yamato', method: 'takkyubin' },
        actor: 'x',
      }),
    ).rejects.toThrow('出荷指示の後は運送会社を変えられません');
  });

  it('one file per carrier: the layout, Shift_JIS, the same bytes twice', async () => {
    const batchId = (await t.db.selectFrom('shipping_batches').select('id').executeTakeFirstOrThrow()).id;
    const yamato = await exportLabels(ops(), { batchId, carrier: 'yamato', actor: 'user:ops' });
    expect(yamato.fileName).toBe(`yamato-b2-batch${batchId}-20261202.csv`);
    const text = iconv.decode(yamato.bytes, 'cp932');
    const lines = text.split('\r\n').filter(Boolean);
    // Title row + L-1 + L-5's two packages (2 parcels each).
    expect(lines).toHaveLength(4);
    const first = lines[1]!.split('","').map((c) => c.replace(/^"|"$/g, ''));
    const l1 = (await orderView(t.db, shop.id, 'L-1')).orderNo;
    expect(first.slice(0, 7)).toEqual([`${l1}01`, '0', '0', '', '2026/12/02', '2026/12/05', '1416']);
    expect(first[11]).toBe('東京都渋谷区神宮前1-1');
    expect(first[24]).toBe('店舗 shop-l');
    expect(first[39]).toBe('012345678901');
    expect(lines[2]!).toContain('"2","1"'); // L-5 package 1: 発行枚数 2, 個数口枠 1
    expect(yamato.others.map((o) => o.reason).sort()).toEqual([
      '佐川急便',
      '佐川急便',
      '日本郵便',
      '日本郵便',
    ]);
    const again = await exportLabels(ops(), { batchId, carrier: 'yamato', actor: 'user:ops' });
    expect(again.bytes.equals(yamato.bytes)).toBe(true);
    expect(again.changedSinceLast).toBe(false);

    const sagawa = await exportLabels(ops(), { batchId, carrier: 'sagawa', actor: 'user:ops' });
    const s = iconv.decode(sagawa.bytes, 'cp932').split('\r\n').filter(Boolean);
    expect(s[0]!.startsWith('"お届け先コード取得区分"')).toBe(true);
    expect(s).toHaveLength(3);
    expect(s.find((l) => l.includes('"3300","300","1"'))).toBeDefined(); // L-4 代引 3300, tax 300, 決済種別 1

    const post = await exportLabels(ops(), { batchId, carrier: 'japanpost', actor: 'user:ops' });
    expect(iconv.decode(post.bytes, 'cp932')).toContain('"沖縄県那覇市港町2-3"');
    expect(post.orders).toBe(2);
    expect((await batchExports(t.db, batchId)).map((e) => e.carrier)).toEqual([
      'japanpost',
      'sagawa',
      'yamato',
      'yamato',
    ]);
  });

  it('the result file confirms shipments in batches, a tracking number per package; unmatched rows are kept by line; the same file again changes nothing', async () => {
    const no = async (n: string) => (await orderView(t.db, shop.id, n)).orderNo;
    const title = '"お客様管理番号","送り状種類","クール区分","伝票番号","出荷予定日"';
    const row = (key: string, tracking: string) => `"${key}","0","0","${tracking}","2026/12/02"`;
    const gift = await no('L-5');
    const file1 = [
      title,
      row(`${await no('L-1')}01`, '400000000011'),
      row(`${gift}01`, '400000000021'),
      row(`${gift}01`, '400000000022'),
      row('9999999901', '400000000099'),
      row('ABC', '400000000098'),
      row(`${gift}07`, '400000000097'),
      row(`${gift}02`, 'ない'),
    ].join('\r\n');
    const progress: number[] = [];
    // Two rows a batch: the gift's two parcels of package 1 fall into different transactions.
    const r1 = await applyTrackingFile(ops(), {
      carrier: 'yamato',
      file: iconv.encode(file1, 'cp932'),
      fileName: 'b2-issued.csv',
      actor: 'user:ops',
      batchSize: 2,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(r1.status).toBe('succeeded');
    expect(r1.repeated).toBe(false);
    expect(progress).toEqual([0, 2, 4, 6, 7]);
    expect(r1.ok).toBe(3);
    expect(r1.failed).toBe(4);
    expect(r1.counts).toEqual({ shipped: 1, already: 0, waiting: 1, refused: 0, unmatched: 4 });
    expect(r1.carrier).toBe('yamato');
    const upload = await getUpload(t.db, r1.uploadId);
    expect(upload).toMatchObject({ kind: 'tracking', rowsRead: 7, rowsApplied: 3, rowsFailed: 4 });
    // Each refused row by line, naming the file and the field (Japanese).
    expect(r1.lines.filter((l) => l.startsWith('✗'))).toEqual([
      `✗ b2-issued.csv 5 行目: お客様管理番号「9999999901」: 受注No 99999999 の注文はありません`,
      '✗ b2-issued.csv 6 行目: お客様管理番号「ABC」は juchu が書き出した番号（受注No＋荷物番号2桁）ではありません',
      `✗ b2-issued.csv 7 行目: お客様管理番号「${gift}07」: 受注No ${gift} に荷物7はありません`,
      '✗ b2-issued.csv 8 行目: 伝票番号「ない」は数字10〜14桁ではありません',
    ]);
    expect(r1.lines).toContain(
      `… 受注No ${gift}: 荷物2の伝票番号がまだないため、出荷完了にしていません（伝票番号 400000000021、400000000022）`,
    );
    expect(r1.lines).toContain('b2-issued.csv: 列は項目名の行で見つけました（ヤマト運輸）');
    expect(r1.lines.at(-1)).toBe(
      `b2-issued.csv: 3 行を取込、4 行はエラー。出荷完了 1 件、一致しない行 4 件、伝票番号待ち 1 件（user:ops、アップロード #${r1.uploadId}）`,
    );
    expect((await listUploadErrors(t.db, r1.uploadId)).map((e) => e.line)).toEqual([5, 6, 7, 8]);
    expect((await orderView(t.db, shop.id, 'L-1')).status).toBe(S.shipped);
    expect((await orderView(t.db, shop.id, 'L-5')).status).toBe(S.shipping);
    const parcelUploads = await t.db.selectFrom('order_parcels').select('upload_id').distinct().execute();
    expect(parcelUploads.map((p) => Number(p.upload_id))).toEqual([r1.uploadId]);

    // The same bytes again (another name): the first upload's answer, nothing read or changed.
    const same = await applyTrackingFile(ops(), {
      carrier: 'yamato',
      file: iconv.encode(file1, 'cp932'),
      fileName: 'もう一度.csv',
      actor: 'user:ops',
    });
    expect(same.repeated).toBe(true);
    expect(same.uploadId).toBe(r1.uploadId);
    expect(same.lines[0]).toContain('今回は何も変えていません');
    expect(await listUploadErrors(t.db, r1.uploadId)).toHaveLength(4);

    // The second package's number arrives in a later file, with a number already known.
    const file2 = [title, row(`${gift}02`, '400000000023'), row(`${gift}01`, '400000000021')].join('\r\n');
    const r2 = await applyTrackingFile(ops(), {
      carrier: 'yamato',
      file: Buffer.from(file2),
      fileName: 'b2-2.csv',
      actor: 'user:ops',
    });
    expect(r2.counts).toMatchObject({ shipped: 1, unmatched: 0 });
    expect(r2.failed).toBe(0);
    expect((await orderView(t.db, shop.id, 'L-5')).status).toBe(S.shipped);
    expect(
      (await parcelsOf(t.db, [ids['L-5']!])).get(ids['L-5']!)!.map((p) => [p.packageNo, p.trackingNumber]),
    ).toEqual([
      [1, '400000000021'],
      [1, '400000000022'],
      [2, '400000000023'],
    ]);
    expect(await shipmentPackages(t.db, ids['L-1']!)).toEqual([
      { packageNo: 1, carrier: 'yamato', trackingNumber: '400000000011', shippedOn: '2026-12-02' },
    ]);
    // Another file naming a shipped order: its number is kept, the order stays as it is.
    const r3 = await applyTrackingFile(ops(), {
      carrier: 'yamato',
      file: Buffer.from(`${file2}\r\n`),
      fileName: 'b2-3.csv',
      actor: 'user:ops',
    });
    expect(r3.repeated).toBe(false);
    expect(r3.counts).toMatchObject({ shipped: 0, already: 1 });
    // A file without a title row is read by the carrier's positions.
    const r4 = await applyTrackingFile(ops(), {
      carrier: 'yamato',
      file: Buffer.from(`"${await no('L-1')}01","0","0","400000000011","2026/12/02"\r\n`),
      fileName: 'b2-4.csv',
      actor: 'user:ops',
    });
    expect(r4.lines).toContain('b2-4.csv: 項目名の行がないため、ヤマト運輸の並びで読みました');
    expect(r4.counts).toMatchObject({ already: 1, unmatched: 0 });
  });

  it('a selection batch takes 出荷作業中 orders only; a store without a sender cannot export', async () => {
    await expect(createSelectionBatch(ops(), { orderIds: [ids['L-1']!], actor: 'x' })).rejects.toThrow(
      '出荷作業中の注文だけをバッチにできます',
    );
    const { batchId } = await createSelectionBatch(ops(), {
      orderIds: [ids['L-2']!, ids['L-3']!],
      actor: 'user:ops',
    });
    const other = await createShop(t.db, 'shop-nosender');
    await importOrders(
      t.db,
      other,
      [{ ...cartOrder(other, 'N-1', { lines: [['TEA', 1]], orderedAt: at(30) }), shipTo: TOKYO }],
      NOW,
    );
    const n1 = (await orderView(t.db, other.id, 'N-1')).id;
    await saveShippingSettings(ops(), {
      storeCode: 'shop-nosender',
      actor: 'x',
      sender: { name: '', postalCode: '', phone: '', address1: '', address2: '' },
      defaults: { carrier: 'japanpost', method: 'yupack' },
      codMethods: null,
      codes: {},
      rules: [],
    });
    const { batchId: b2 } = await instructShipping(ops(), { orderIds: [n1], actor: 'x' });
    const post = await exportLabels(ops(), { batchId: b2!, carrier: 'japanpost', actor: 'x' });
    expect(post.rows).toBe(0);
    expect(post.refused[0]!.message).toContain('ご依頼主（郵便番号・電話番号・住所）が配送設定にありません');
    const sel = await exportLabels(ops(), { batchId, carrier: 'japanpost', actor: 'x' });
    expect(sel.rows).toBe(2);
    await expect(
      saveShippingSettings(ops(), {
        storeCode: 'shop-l',
        actor: 'x',
        sender: { name: '', postalCode: '12', phone: '', address1: '', address2: '' },
        defaults: null,
        codMethods: null,
        codes: { nope: '1' },
        rules: [
          {
            position: 1,
            kind: 'prefecture',
            values: ['沖縄'],
            carrier: 'yamato',
            method: 'takkyubin',
            note: null,
          },
        ],
      }),
    ).rejects.toThrow(
      '配送設定を保存できません: ご依頼主の郵便番号は7桁にしてください（例: 100-0001） / コード「nope」はありません',
    );
  });
});

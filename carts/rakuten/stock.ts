// Rakuten 在庫API: absolute stock per SKU (issue 17). Kept apart from actions.ts (ship, confirm,
// cancel) so each grows on its own; createActions merges the two.
//  - write: POST /es/2.0/inventories/bulk-upsert, ≤ 400 entries `{manageNumber, variantId, mode:
//    "ABSOLUTE", quantity}`, 204 on success, 400 `{errors:[{code, message, metadata.propertyPath}]}`
//    [V: RMS inventories.bulk.upsert]. An unknown manageNumber/variantId is no error (the record
//    floats, deleted 24 h later) [V].
//  - read (the full sync's drift check): POST /es/2.1/inventories/bulk-get, ≤ 1000 entries, answer
//    `{inventories:[{manageNumber, variantId, quantity, …}]}` [V: RMS inventories.bulk.get].
// An inventory record is named by 商品管理番号 + SKU管理番号; juchu's items by the store's cart code
// and option. Default: the code is the manageNumber, the option the variantId, and an item without
// an option is the SKU `normal-inventory` [T: single-SKU items after Rakuten's SKU migration]. A store
// whose orders carry another code (システム連携用SKU番号, 商品番号) names each item's pair in
// `settings.stockIds` (`{"code[:option]": "manageNumber/variantId"}`).
import { z } from 'zod';
import { type ActionOutcome, type CartActions, type StockLevel, stockKey } from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { CartHttpClient, type HttpResponse, parseJsonBody } from '../http.js';
import type { RakutenCredentials } from './client.js';
import { classifyRakuten, RAKUTEN_LIMITS } from './client.js';
import { esaAuthorization } from './codes.js';

export const INVENTORY_UPSERT_PATH = '/es/2.0/inventories/bulk-upsert';
export const INVENTORY_GET_PATH = '/es/2.1/inventories/bulk-get';
/** [V] 1..400 per bulk-upsert; 1..1000 per bulk-get. */
export const UPSERT_BATCH = 400;
export const GET_BATCH = 1000;
/** [V] quantity: at most 99999; codes: a–z A–Z 0–9 - _, at most 32 bytes. */
export const MAX_QUANTITY = 99_999;
const CODE = /^[A-Za-z0-9_-]{1,32}$/;
export const DEFAULT_VARIANT_ID = 'normal-inventory';

export const rakutenStockSettingsSchema = z.object({
  /** `code[:option]` → `manageNumber/variantId` where the order's codes are not the inventory's. */
  stockIds: z.record(z.string(), z.string().regex(/^[^/]+\/[^/]+$/)).default({}),
  /** SKU管理番号 of an item without an option. */
  stockDefaultVariantId: z.string().regex(CODE).default(DEFAULT_VARIANT_ID),
});

export interface InventoryId {
  manageNumber: string;
  variantId: string;
}

/** The inventory record an item names (lowercased: Rakuten lowercases both on upsert [V]). */
export function inventoryIdOf(
  level: Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>,
  settings: z.infer<typeof rakutenStockSettingsSchema>,
): InventoryId {
  const own = settings.stockIds[stockKey(level)];
  if (own) {
    const [manageNumber, variantId] = own.split('/') as [string, string];
    return { manageNumber: manageNumber.toLowerCase(), variantId: variantId.toLowerCase() };
  }
  return {
    manageNumber: level.cartProductCode.toLowerCase(),
    variantId: (level.cartOptionCode ?? settings.stockDefaultVariantId).toLowerCase(),
  };
}

const idKey = (i: InventoryId) => `${i.manageNumber}/${i.variantId}`;

const ErrorsSchema = z.object({
  errors: z.array(
    z.object({
      code: z.string(),
      message: z.string(),
      metadata: z.object({ propertyPath: z.string().optional() }).optional(),
    }),
  ),
});

const GetSchema = z.object({
  inventories: z.array(z.object({ manageNumber: z.string(), variantId: z.string(), quantity: z.number() })),
});

export class RakutenStock {
  readonly stockBatch = UPSERT_BATCH;
  private readonly http: CartHttpClient;
  private readonly settings: z.infer<typeof rakutenStockSettingsSchema>;

  constructor(opts: AdapterOptions<RakutenCredentials>) {
    const parsed = rakutenStockSettingsSchema.safeParse(opts.settings ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new CartResponseError(`rakuten settings: ${i.path.join('.')}: ${i.message}`, 'rakuten');
    }
    this.settings = parsed.data;
    const auth = esaAuthorization(opts.credentials.serviceSecret, opts.credentials.licenseKey);
    this.http = new CartHttpClient({
      cart: 'rakuten',
      baseUrl: opts.baseUrl,
      http: opts.http,
      limits: opts.limits ?? RAKUTEN_LIMITS,
      // A 400 names the entries it refuses: read it here rather than failing the whole batch.
      classify: (res) =>
        res.status === 400 && /"errors"/.test(res.text) ? { kind: 'ok' } : classifyRakuten(res),
      authorize: () => ({ Authorization: auth }),
    });
  }

  private post(operation: string, path: string, body: unknown): Promise<HttpResponse> {
    return this.http.send({
      method: 'POST',
      path,
      operation,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** ABSOLUTE quantities, ≤ 400 per call; entries Rakuten would refuse are refused before sending. */
  async setStock(levels: StockLevel[]): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    const send: Array<{ level: StockLevel; id: InventoryId }> = [];
    for (const level of levels) {
      const id = inventoryIdOf(level, this.settings);
      if (!CODE.test(id.manageNumber) || !CODE.test(id.variantId))
        out.set(stockKey(level), {
          status: 'refused',
          code: 'INVALID_CODE',
          answer: `商品管理番号「${id.manageNumber}」/SKU管理番号「${id.variantId}」は楽天の在庫APIで使えない文字か32バイトを超えています。ストア設定の stockIds で対応を登録してください。`,
        });
      else if (!Number.isInteger(level.quantity) || level.quantity < 0)
        out.set(stockKey(level), {
          status: 'refused',
          code: 'INVALID_QUANTITY',
          answer: `在庫数 ${level.quantity} は送れません`,
        });
      else send.push({ level, id });
    }
    for (let i = 0; i < send.length; i += UPSERT_BATCH) {
      const chunk = send.slice(i, i + UPSERT_BATCH);
      const res = await this.post('inventoryBulkUpsert', INVENTORY_UPSERT_PATH, {
        inventories: chunk.map(({ level, id }) => ({
          ...id,
          mode: 'ABSOLUTE',
          // More than Rakuten keeps is "plenty" at the cart.
          quantity: Math.min(level.quantity, MAX_QUANTITY),
        })),
      });
      if (res.status === 204 || (res.status >= 200 && res.status < 300)) {
        for (const { level } of chunk)
          out.set(stockKey(level), {
            status: 'done',
            answer: `在庫数 ${Math.min(level.quantity, MAX_QUANTITY)}（ABSOLUTE）`,
          });
        continue;
      }
      const parsed = ErrorsSchema.safeParse(parseJsonBody('rakuten', 'inventoryBulkUpsert', res));
      if (!parsed.success)
        throw new CartResponseError(
          `rakuten inventoryBulkUpsert: HTTP ${res.status}: ${res.text.slice(0, 200)}`,
          'rakuten',
          res.status,
        );
      // Errors name their entry (`inventories[3].quantity`); the request as a whole was refused, so
      // the entries not named were not stored either: refused with the batch's first error.
      const byIndex = new Map<number, string>();
      for (const e of parsed.data.errors) {
        const m = /^inventories\[(\d+)\]/.exec(e.metadata?.propertyPath ?? '');
        if (m) byIndex.set(Number(m[1]), `${e.code} ${e.message}`);
      }
      const first = parsed.data.errors[0];
      chunk.forEach(({ level }, idx) => {
        const own = byIndex.get(idx);
        out.set(
          stockKey(level),
          own
            ? {
                status: 'refused',
                code: own.split(' ')[0],
                answer: `楽天が在庫を受け付けませんでした: ${own}`,
              }
            : {
                status: 'refused',
                code: 'BATCH_REFUSED',
                answer: `楽天が同じ依頼の別の在庫を拒否したため保存されていません: ${first ? `${first.code} ${first.message}` : ''}`,
              },
        );
      });
    }
    return out;
  }

  /** What Rakuten shows now (2.1 bulk-get, ≤ 1000 per call); a record it does not have is absent. */
  async readStock(
    items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const valid = items
      .map((item) => ({ item, id: inventoryIdOf(item, this.settings) }))
      .filter(({ id }) => CODE.test(id.manageNumber) && CODE.test(id.variantId));
    for (let i = 0; i < valid.length; i += GET_BATCH) {
      const chunk = valid.slice(i, i + GET_BATCH);
      const res = await this.post('inventoryBulkGet', INVENTORY_GET_PATH, {
        inventories: chunk.map((c) => c.id),
      });
      if (res.status !== 200)
        throw new CartResponseError(
          `rakuten inventoryBulkGet: HTTP ${res.status}: ${res.text.slice(0, 200)}`,
          'rakuten',
          res.status,
        );
      const parsed = GetSchema.safeParse(parseJsonBody('rakuten', 'inventoryBulkGet', res));
      if (!parsed.success)
        throw new CartResponseError(
          'rakuten inventoryBulkGet: unexpected response shape',
          'rakuten',
          res.status,
        );
      const got = new Map(
        parsed.data.inventories.map((r) => [
          idKey({ manageNumber: r.manageNumber.toLowerCase(), variantId: r.variantId.toLowerCase() }),
          r.quantity,
        ]),
      );
      for (const { item, id } of chunk) {
        const q = got.get(idKey(id));
        if (q !== undefined) out.set(stockKey(item), q);
      }
    }
    return out;
  }
}

/** Rakuten's write side with its stock: the same actions object, given setStock and readStock. */
export function withRakutenStock<A extends CartActions>(
  actions: A,
  opts: AdapterOptions<RakutenCredentials>,
): A & Required<Pick<CartActions, 'setStock' | 'readStock' | 'stockBatch'>> {
  const stock = new RakutenStock(opts);
  return Object.assign(actions, {
    stockBatch: stock.stockBatch,
    setStock: (levels: StockLevel[]) => stock.setStock(levels),
    readStock: (items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>) =>
      stock.readStock(items),
  });
}

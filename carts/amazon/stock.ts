// Amazon 在庫 (issue 17): the seller-fulfilled quantity of a listing with Listings Items 2021-08-01
// `patchListingsItem`: PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=… with
// `{productType, patches:[{op:"merge", path:"/attributes/fulfillment_availability", value:[
// {fulfillment_channel_code:"DEFAULT", quantity}]}]}`; 5 rps, burst 5; the answer `{sku, status:
// ACCEPTED|INVALID|VALID, submissionId, issues[]}` [V: listingsItems_2021-08-01.json; changelog
// 2025-06-16 "merge"]. One SKU per call (the JSON_LISTINGS_FEED is the bulk path, not used yet).
// Read-back for the full sync: getListingsItem with includedData=fulfillmentAvailability [V: model].
// Only MFN quantity can be set; FBA stock is Amazon's [V].
import { z } from 'zod';
import { type ActionOutcome, type CartActions, type StockLevel, stockKey } from '../actions.js';
import { CartRequestError, CartResponseError } from '../errors.js';
import type { HttpResponse } from '../http.js';
import type { AmazonAdapter } from './client.js';

export const LISTINGS_PATH = (sellerId: string, sku: string) =>
  `/listings/2021-08-01/items/${encodeURIComponent(sellerId)}/${encodeURIComponent(sku)}`;

export const amazonStockSettingsSchema = z.object({
  /** セラーID (merchant token) the Listings API path needs; Seller Central → アカウント情報. */
  sellerId: z.string().min(1).optional(),
  /**
   * productType sent with the patch. `PRODUCT` is the generic type for patches of offer-only
   * attributes [I: unverified]; a store whose patches come back INVALID sets its listings' type.
   */
  stockProductType: z.string().min(1).default('PRODUCT'),
});

const PatchAnswer = z.object({
  sku: z.string().optional(),
  status: z.string(),
  submissionId: z.string().optional(),
  issues: z
    .array(z.object({ code: z.string(), message: z.string(), severity: z.string().optional() }))
    .optional(),
});

function errorsOf(res: HttpResponse): string {
  try {
    const j = JSON.parse(res.text) as { errors?: Array<{ code?: string; message?: string }> };
    return (
      (j.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') ||
      res.text.slice(0, 200)
    );
  } catch {
    return res.text.slice(0, 200);
  }
}

export class AmazonStock {
  readonly stockBatch = 20;
  private readonly settings: z.infer<typeof amazonStockSettingsSchema>;
  constructor(
    private readonly adapter: AmazonAdapter,
    settings: Record<string, unknown> | undefined,
  ) {
    const parsed = amazonStockSettingsSchema.safeParse(settings ?? {});
    if (!parsed.success)
      throw new CartRequestError(`amazon settings: ${parsed.error.issues[0]!.message}`, 'amazon');
    this.settings = parsed.data;
  }

  private sku(level: Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>): string {
    // An Amazon listing is one SKU: an option code, when a mapping has one, is part of the SKU name.
    return level.cartOptionCode ? `${level.cartProductCode}-${level.cartOptionCode}` : level.cartProductCode;
  }

  async setStock(levels: StockLevel[]): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    const sellerId = this.settings.sellerId;
    for (const level of levels) {
      if (!sellerId) {
        out.set(stockKey(level), {
          status: 'refused',
          code: 'NO_SELLER_ID',
          answer: 'Amazon の在庫更新にはセラーIDが必要です。ストア設定の sellerId に登録してください。',
        });
        continue;
      }
      const quantity = Math.max(0, level.quantity);
      const res = await this.adapter.write({
        method: 'PATCH',
        path: LISTINGS_PATH(sellerId, this.sku(level)),
        query: { marketplaceIds: this.adapter.settings.marketplaceId },
        operation: 'patchListingsItem',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          productType: this.settings.stockProductType,
          patches: [
            {
              op: 'merge',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
            },
          ],
        }),
      });
      if (res.status === 400 || res.status === 404) {
        out.set(stockKey(level), {
          status: 'refused',
          code: `HTTP_${res.status}`,
          answer: `Amazon が在庫を受け付けませんでした: ${errorsOf(res)}`,
        });
        continue;
      }
      const parsed = PatchAnswer.safeParse(JSON.parse(res.text || '{}'));
      if (!parsed.success)
        throw new CartResponseError(
          `amazon patchListingsItem: unexpected answer: ${res.text.slice(0, 120)}`,
          'amazon',
          res.status,
        );
      const a = parsed.data;
      if (a.status === 'ACCEPTED' || a.status === 'VALID')
        out.set(stockKey(level), {
          status: 'done',
          answer: `在庫数 ${quantity}（${a.status}, submissionId ${a.submissionId ?? '-'}）`,
          cartRefs: a.submissionId ? { submissionId: a.submissionId } : undefined,
        });
      else
        out.set(stockKey(level), {
          status: 'refused',
          code: a.issues?.[0]?.code ?? a.status,
          answer: `Amazon が在庫を受け付けませんでした（${a.status}）: ${(a.issues ?? []).map((i) => `${i.code} ${i.message}`).join('; ')}`,
        });
    }
    return out;
  }

  async readStock(
    items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const sellerId = this.settings.sellerId;
    if (!sellerId) return out;
    for (const item of items) {
      const res = await this.adapter.write({
        method: 'GET',
        path: LISTINGS_PATH(sellerId, this.sku(item)),
        query: {
          marketplaceIds: this.adapter.settings.marketplaceId,
          includedData: 'fulfillmentAvailability',
        },
        operation: 'getListingsItem',
      });
      if (res.status === 404 || res.status === 400) continue;
      const j = JSON.parse(res.text || '{}') as {
        fulfillmentAvailability?: Array<{ fulfillmentChannelCode?: string; quantity?: number }>;
      };
      const mfn = j.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === 'DEFAULT');
      if (typeof mfn?.quantity === 'number') out.set(stockKey(item), mfn.quantity);
    }
    return out;
  }
}

export function withAmazonStock<A extends CartActions>(
  actions: A,
  adapter: AmazonAdapter,
  settings: Record<string, unknown> | undefined,
): A {
  const stock = new AmazonStock(adapter, settings);
  return Object.assign(actions, {
    stockBatch: stock.stockBatch,
    setStock: (levels: StockLevel[]) => stock.setStock(levels),
    readStock: (items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>) =>
      stock.readStock(items),
  });
}

// The Amazon simulator's Listings Items 2021-08-01 for stock: patchListingsItem (PATCH, JSON Patch
// `merge`/`replace` of /attributes/fulfillment_availability with fulfillment_channel_code DEFAULT and
// a quantity ≥ 0) and getListingsItem with includedData=fulfillmentAvailability, as the model
// describes them (productType and patches required, marketplaceIds required, the answer `{sku,
// status, submissionId, issues}`; an unknown SKU 404 on read). The seller id in the path must be the
// simulated seller's. It keeps each catalog item's sellable quantity (the order book's stock, keyed
// by SellerSKU = catalog cart code), so a customer cannot buy at 0. Issue codes are ours [I].
import { randomUUID } from 'node:crypto';
import { CATALOG } from '../sim/catalog.js';
import type { OrderBook, SimReply, SimRequest, SimRoute } from '../sim/kit.js';
import { simStockKey } from '../sim/kit.js';

export const SIM_SELLER_ID = 'A1JUCHUSIMSELLER';

export function amazonStockRoutes(
  authorize: (req: SimRequest) => SimReply | null,
  reply: (status: number, body: unknown, operation?: string) => SimReply,
  book: OrderBook,
  marketplaceId: string,
): SimRoute[] {
  // SellerSKU (render.ts: the catalog cart code) → stock key.
  const skus = new Map<string, string>();
  for (const p of CATALOG) skus.set(p.cartCode, simStockKey(p));
  const err = (status: number, code: string, message: string, op: string) =>
    reply(status, { errors: [{ code, message, details: '' }] }, op);
  const path = '/listings/2021-08-01/items/:sellerId/:sku';

  const check = (req: SimRequest, op: string): SimReply | null => {
    const denied = authorize(req);
    if (denied) return denied;
    if (req.params.sellerId !== SIM_SELLER_ID)
      return err(403, 'Unauthorized', 'Access to requested resource is denied.', op);
    const m = req.url.searchParams.get('marketplaceIds');
    if (!m) return err(400, 'InvalidInput', 'Missing required parameter: marketplaceIds', op);
    if (m !== marketplaceId) return err(400, 'InvalidInput', `Invalid marketplaceIds: ${m}`, op);
    return null;
  };

  const patch: SimRoute = {
    method: 'PATCH',
    path,
    name: 'patchListingsItem',
    handler: (req) => {
      const op = 'patchListingsItem';
      const bad = check(req, op);
      if (bad) return bad;
      let body: { productType?: unknown; patches?: unknown };
      try {
        body = JSON.parse(req.body) as typeof body;
      } catch {
        return err(400, 'InvalidInput', 'The request body is not valid JSON.', op);
      }
      if (typeof body.productType !== 'string' || !body.productType)
        return err(400, 'InvalidInput', 'productType is required.', op);
      if (!Array.isArray(body.patches) || body.patches.length === 0)
        return err(400, 'InvalidInput', 'patches is required.', op);
      const sku = req.params.sku!;
      const submissionId = randomUUID().replace(/-/g, '');
      const issues: Array<{ code: string; message: string; severity: string }> = [];
      let quantity: number | null = null;
      for (const p of body.patches as Array<Record<string, unknown>>) {
        if (!['add', 'replace', 'merge', 'delete'].includes(String(p.op)))
          return err(400, 'InvalidInput', `Invalid patch op: ${String(p.op)}`, op);
        if (p.path !== '/attributes/fulfillment_availability') continue;
        const v = Array.isArray(p.value) ? (p.value[0] as Record<string, unknown> | undefined) : undefined;
        if (v?.fulfillment_channel_code !== 'DEFAULT')
          issues.push({
            code: '90220',
            message: "'fulfillment_channel_code' must be DEFAULT for seller-fulfilled quantity",
            severity: 'ERROR',
          });
        else if (typeof v.quantity !== 'number' || !Number.isInteger(v.quantity) || v.quantity < 0)
          issues.push({
            code: '90220',
            message: "'quantity' must be an integer 0 or more",
            severity: 'ERROR',
          });
        else quantity = v.quantity;
      }
      const key = skus.get(sku);
      if (!key)
        issues.push({
          code: '4000001',
          message: `SKU ${sku} is not in the seller's catalog`,
          severity: 'ERROR',
        });
      if (issues.length) return reply(200, { sku, status: 'INVALID', submissionId, issues }, op);
      if (quantity !== null) book.stock.set(key!, quantity);
      return reply(200, { sku, status: 'ACCEPTED', submissionId, issues: [] }, op);
    },
  };

  const get: SimRoute = {
    method: 'GET',
    path,
    name: 'getListingsItem',
    handler: (req) => {
      const op = 'getListingsItem';
      const bad = check(req, op);
      if (bad) return bad;
      const sku = req.params.sku!;
      const key = skus.get(sku);
      if (!key) return err(404, 'NOT_FOUND', `SKU '${sku}' not found in marketplace ${marketplaceId}`, op);
      const included = (req.url.searchParams.get('includedData') ?? 'summaries').split(',');
      const q = book.stock.get(key);
      return reply(
        200,
        {
          sku,
          ...(included.includes('fulfillmentAvailability')
            ? {
                fulfillmentAvailability:
                  q === undefined ? [] : [{ fulfillmentChannelCode: 'DEFAULT', quantity: q }],
              }
            : {}),
        },
        op,
      );
    },
  };
  return [patch, get];
}

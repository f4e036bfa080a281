// The Rakuten simulator's 在庫API: inventories bulk-upsert (2.0) and bulk-get (2.1), validating as
// the RMS pages describe (1..400 / 1..1000 entries, codes a–z A–Z 0–9 - _ up to 32 bytes, mode
// required, ABSOLUTE for a new record, quantity ≤ 99999) and keeping the quantity each catalog item
// may sell (the order book's stock): a customer cannot buy an item at 0. Records the catalog does not
// know float, as Rakuten keeps them (never sold). Facts: carts/rakuten/README.md.

import { CATALOG } from '../sim/catalog.js';
import type { OrderBook, SimReply, SimRequest, SimRoute } from '../sim/kit.js';
import { simStockKey } from '../sim/kit.js';
import { DEFAULT_VARIANT_ID, INVENTORY_GET_PATH, INVENTORY_UPSERT_PATH, MAX_QUANTITY } from './stock.js';

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** manageNumber/variantId (lowercased) → catalog stock key, as render.ts names the catalog's items. */
function catalogIds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of CATALOG) {
    const m = p.cartCode.toLowerCase();
    if (p.cartOptionCode) out.set(`${m}/${m}-${p.cartOptionCode.toLowerCase()}`, simStockKey(p));
    else {
      out.set(`${m}/${m}`, simStockKey(p));
      out.set(`${m}/${DEFAULT_VARIANT_ID}`, simStockKey(p));
    }
  }
  return out;
}

type Gateway = (req: SimRequest) => SimReply | { json: unknown };

const bad = (code: string, message: string, propertyPath: string): SimReply => ({
  status: 400,
  body: { errors: [{ code, message, metadata: { propertyPath } }] },
});

export function rakutenStockRoutes(gateway: Gateway, book: OrderBook): SimRoute[] {
  const ids = catalogIds();
  /** Every record set through the API (floating ones too): id → quantity. */
  const records = new Map<string, number>();
  const quantityOf = (id: string): number | undefined => {
    const key = ids.get(id);
    return key !== undefined ? book.stock.get(key) : records.get(id);
  };

  function entries(json: unknown, max: number): SimReply | Array<Record<string, unknown>> {
    const list = (json as { inventories?: unknown } | null)?.inventories;
    if (!Array.isArray(list) || list.length === 0 || list.length > max)
      return bad('IE0001', `inventories must have 1 to ${max} entries.`, 'inventories');
    for (const [i, e] of list.entries()) {
      for (const f of ['manageNumber', 'variantId'] as const) {
        const v = (e as Record<string, unknown>)?.[f];
        if (typeof v !== 'string' || v === '')
          return bad('IE0001', `${f} is required.`, `inventories[${i}].${f}`);
        if (Buffer.byteLength(v) > 32)
          return bad('IE0004', `Max length of ${f} must be within 32 bytes.`, `inventories[${i}].${f}`);
        if (!CODE.test(v)) return bad('IE0002', `${f} has invalid characters.`, `inventories[${i}].${f}`);
      }
    }
    return list as Array<Record<string, unknown>>;
  }

  function upsert(req: SimRequest): SimReply {
    const g = gateway(req);
    if (!('json' in g)) return g;
    const list = entries(g.json, 400);
    if (!Array.isArray(list)) return list;
    // Checked whole before anything is stored: a 400 stores nothing.
    const changes: Array<[string, number]> = [];
    for (const [i, e] of list.entries()) {
      const id = `${String(e.manageNumber).toLowerCase()}/${String(e.variantId).toLowerCase()}`;
      const mode = e.mode;
      const q = e.quantity;
      if (mode !== 'ABSOLUTE' && mode !== 'RELATIVE')
        return bad('IE0001', 'mode is required (ABSOLUTE or RELATIVE).', `inventories[${i}].mode`);
      if (typeof q !== 'number' || !Number.isInteger(q))
        return bad('IE0001', 'quantity must be an integer.', `inventories[${i}].quantity`);
      const before = quantityOf(id);
      if (mode === 'RELATIVE' && before === undefined)
        return bad('IE0005', 'mode must be ABSOLUTE for a new inventory.', `inventories[${i}].mode`);
      const after = mode === 'ABSOLUTE' ? q : (before ?? 0) + q;
      if (after < 0 || after > MAX_QUANTITY)
        return bad('IE0003', `quantity must be between 0 and ${MAX_QUANTITY}.`, `inventories[${i}].quantity`);
      changes.push([id, after]);
    }
    for (const [id, q] of changes) {
      records.set(id, q);
      const key = ids.get(id);
      if (key !== undefined) book.stock.set(key, q);
    }
    return { status: 204, body: '' };
  }

  function get(req: SimRequest): SimReply {
    const g = gateway(req);
    if (!('json' in g)) return g;
    const list = entries(g.json, 1000);
    if (!Array.isArray(list)) return list;
    const inventories = list.flatMap((e) => {
      const id = `${String(e.manageNumber).toLowerCase()}/${String(e.variantId)}`;
      const q = quantityOf(id.toLowerCase());
      return q === undefined
        ? []
        : [{ manageNumber: String(e.manageNumber).toLowerCase(), variantId: e.variantId, quantity: q }];
    });
    return { status: 200, body: { inventories } };
  }

  return [
    { method: 'POST', path: INVENTORY_UPSERT_PATH, name: 'inventoryBulkUpsert', handler: upsert },
    { method: 'POST', path: INVENTORY_GET_PATH, name: 'inventoryBulkGet', handler: get },
  ];
}

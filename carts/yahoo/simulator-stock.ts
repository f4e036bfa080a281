// The Yahoo! simulator's setStock: form fields (seller_id, item_code ≤ 1,000 comma-separated,
// quantity the same count; a bare number sets, `+N`/`-N` adds), as setStock.html describes. It keeps
// each catalog item's sellable quantity (the order book's stock, `code` or `code:subcode`), so a
// customer cannot buy an item at 0. Unknown codes are no error (Yahoo! links them later). The
// answer's per-item field names (`ItemCode`, `Quantity`) are the simulator's guess [I]; `ErrorCode`
// marks an item that failed [T].
import type { OrderBook, SimReply, SimRequest, SimRoute } from '../sim/kit.js';
import { GET_STOCK_PATH, SET_STOCK_PATH } from './stock.js';
import { buildXml, errorXml } from './xml.js';

const XML = 'application/xml; charset=UTF-8';
const reply = (status: number, body: string): SimReply => ({
  status,
  headers: { 'content-type': XML },
  body,
});
const ITEM = /^[A-Za-z0-9-]{1,99}(:[A-Za-z0-9-]{1,99})?$/;

export function yahooStockRoute(
  gate: (req: SimRequest) => SimReply | null,
  book: OrderBook,
  sellerId: string,
): SimRoute {
  return {
    method: 'POST',
    path: SET_STOCK_PATH,
    name: 'setStock',
    handler: (req) => {
      const g = gate(req);
      if (g) return g;
      if (!/^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
        return reply(400, errorXml('Invalid parameter: form parameters expected', 'ed-00002'));
      const form = new URLSearchParams(req.body);
      if (form.get('seller_id') !== sellerId) return reply(400, errorXml('Invalid seller_id', 'ed-00002'));
      const codes = (form.get('item_code') ?? '').split(',').filter(Boolean);
      const quantities = (form.get('quantity') ?? '').split(',');
      if (codes.length === 0 || codes.length > 1000 || quantities.length !== codes.length)
        return reply(400, errorXml('item_code and quantity must name the same 1 to 1000 items', 'ed-00002'));
      const results = codes.map((code, i) => {
        const q = quantities[i]!.trim();
        if (q === 'INI') return { ItemCode: code, ErrorCode: 'st-02104' };
        const m = /^([+-]?)(\d{1,9})$/.exec(q);
        if (!ITEM.test(code) || !m) return { ItemCode: code, ErrorCode: 'ed-10001' };
        const n = Number(m[2]);
        const before = book.stock.get(code) ?? 0;
        const after = m[1] === '+' ? before + n : m[1] === '-' ? before - n : n;
        book.stock.set(code, after);
        return { ItemCode: code, Quantity: String(after) };
      });
      return reply(
        200,
        buildXml({ ResultSet: { '@_totalResultsReturned': String(results.length), Result: results } }),
      );
    },
  };
}

/**
 * The simulator's getStock: the same form fields; a `Result` per known item with `ItemCode`,
 * `SubCode` and `Quantity` (the field names are our reading [I]); unknown codes are left out.
 */
export function yahooGetStockRoute(
  gate: (req: SimRequest) => SimReply | null,
  book: OrderBook,
  sellerId: string,
): SimRoute {
  return {
    method: 'POST',
    path: GET_STOCK_PATH,
    name: 'getStock',
    handler: (req) => {
      const g = gate(req);
      if (g) return g;
      if (!/^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
        return reply(400, errorXml('Invalid parameter: form parameters expected', 'ed-00002'));
      const form = new URLSearchParams(req.body);
      if (form.get('seller_id') !== sellerId) return reply(400, errorXml('Invalid seller_id', 'ed-00002'));
      const codes = (form.get('item_code') ?? '').split(',').filter(Boolean);
      if (codes.length === 0 || codes.length > 1000 || !codes.every((c) => ITEM.test(c)))
        return reply(400, errorXml('item_code must name 1 to 1000 valid items', 'ed-00002'));
      const results = codes
        .filter((code) => book.stock.has(code))
        .map((code) => {
          const [item, sub] = code.split(':');
          return {
            SellerId: sellerId,
            ItemCode: item,
            ...(sub ? { SubCode: sub } : {}),
            Quantity: String(book.stock.get(code)),
          };
        });
      return reply(
        200,
        buildXml({ ResultSet: { '@_totalResultsReturned': String(results.length), Result: results } }),
      );
    },
  };
}

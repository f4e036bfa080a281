// Yahoo! Shopping 在庫: `setStock` (issue 17). Form-encoded POST parameters, not XML: `seller_id`,
// `item_code` (≤ 1,000 codes, comma-separated, `code:subcode` for an option with its own code) and
// `quantity` (the same number of values; a bare number sets the stock, `+N`/`-N` add and subtract)
// [V: developer.yahoo.co.jp/webapi/shopping/setStock.html; T: JSPSystem SetStockClient]. juchu sends
// bare numbers only (absolute). An unknown item_code is no error: the stock links to the item when it
// is created [V]. The answer is a `ResultSet` with a `Result` per item; an item that failed carries an
// `ErrorCode` [T: JSPSystem getErrorItems]; its other fields' names are not documented where we could
// read them, so results are matched by `ItemCode` when present and else by position [I].
import { type ActionOutcome, type CartActions, type StockLevel, stockKey } from '../actions.js';
import { CartRequestError, CartResponseError } from '../errors.js';
import type { YahooAdapter } from './client.js';
import { asList, errorOf, isObject, parseXml, text } from './xml.js';

export const SET_STOCK_PATH = '/ShoppingWebService/V1/setStock';
/**
 * 在庫参照API (getStock): the same form fields `seller_id` and `item_code` (≤ 1,000, comma-separated,
 * `code:subcode`) [V: developer.yahoo.co.jp/webapi/shopping/getStock.html, read 2026-12-03]. The
 * page's response field list was not in the stored copy: `Result` per item with `ItemCode`, `SubCode`
 * and `Quantity` is our reading [I], so both `ItemCode` = `code:subcode` and a separate `SubCode` are
 * accepted.
 */
export const GET_STOCK_PATH = '/ShoppingWebService/V1/getStock';
/** [V] at most 1,000 item codes per call. */
export const SET_STOCK_BATCH = 1000;
/** [V] 半角英数字と「-」, 99 characters at most per code (each half of `code:subcode`). */
const ITEM_CODE = /^[A-Za-z0-9-]{1,99}$/;
/** [V] −999999999 … 999999999. */
export const MAX_QUANTITY = 999_999_999;

export function yahooItemCode(level: Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>): string {
  return level.cartOptionCode ? `${level.cartProductCode}:${level.cartOptionCode}` : level.cartProductCode;
}

export function validItemCode(code: string): boolean {
  return code.split(':').length <= 2 && code.split(':').every((p) => ITEM_CODE.test(p));
}

export class YahooStock {
  readonly stockBatch = SET_STOCK_BATCH;
  constructor(
    private readonly adapter: YahooAdapter,
    private readonly sellerId: string,
  ) {}

  /** The quantity Yahoo! shows per `code[:subcode]` (the full sync's drift check); unknown items absent. */
  async readStock(
    items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const codes = [...new Set(items.map(yahooItemCode).filter(validItemCode))];
    for (let i = 0; i < codes.length; i += SET_STOCK_BATCH) {
      const chunk = codes.slice(i, i + SET_STOCK_BATCH);
      const form = new URLSearchParams({ seller_id: this.sellerId, item_code: chunk.join(',') });
      await this.adapter.tokens.current();
      const res = await this.adapter.http.send({
        method: 'POST',
        path: GET_STOCK_PATH,
        operation: 'getStock',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/xml' },
        body: form.toString(),
      });
      let doc: Record<string, unknown>;
      try {
        doc = parseXml(res.text);
      } catch (e) {
        throw new CartResponseError(
          `yahoo getStock: response is not XML: ${res.text.slice(0, 120)}`,
          'yahoo',
          null,
          { cause: e },
        );
      }
      const err = errorOf(doc);
      if (err) throw new CartResponseError(`yahoo getStock: ${err.code ?? ''} ${err.message}`, 'yahoo');
      const set = isObject(doc.ResultSet) ? doc.ResultSet : null;
      if (!set)
        throw new CartResponseError(`yahoo getStock: no ResultSet: ${res.text.slice(0, 120)}`, 'yahoo');
      const wanted = new Set(chunk);
      for (const r of asList(set.Result).filter(isObject)) {
        const item = text(r.ItemCode);
        const sub = text(r.SubCode);
        const qty = Number(text(r.Quantity));
        if (!item || !Number.isFinite(qty)) continue;
        const key = sub && !item.includes(':') ? `${item}:${sub}` : item;
        if (wanted.has(key)) out.set(key, qty);
      }
    }
    return out;
  }

  async setStock(levels: StockLevel[]): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    const send: StockLevel[] = [];
    for (const l of levels) {
      if (!validItemCode(yahooItemCode(l)))
        out.set(stockKey(l), {
          status: 'refused',
          code: 'INVALID_ITEM_CODE',
          answer: `商品コード「${yahooItemCode(l)}」は Yahoo!ショッピングの在庫更新に使えません（半角英数字と「-」、99文字まで）`,
        });
      else send.push(l);
    }
    for (let i = 0; i < send.length; i += SET_STOCK_BATCH) {
      const chunk = send.slice(i, i + SET_STOCK_BATCH);
      const form = new URLSearchParams({
        seller_id: this.sellerId,
        item_code: chunk.map(yahooItemCode).join(','),
        quantity: chunk.map((l) => String(Math.min(Math.max(0, l.quantity), MAX_QUANTITY))).join(','),
      });
      await this.adapter.tokens.current();
      let body: string;
      try {
        const res = await this.adapter.http.send({
          method: 'POST',
          path: SET_STOCK_PATH,
          operation: 'setStock',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/xml' },
          body: form.toString(),
        });
        body = res.text;
      } catch (e) {
        // Yahoo! refused the request as a whole (st-02104, ed-00002, …): every entry waits for a human.
        if (!(e instanceof CartRequestError)) throw e;
        for (const l of chunk)
          out.set(stockKey(l), {
            status: 'refused',
            code: 'REQUEST_REFUSED',
            answer: `Yahoo!ショッピングが在庫更新を受け付けませんでした: ${e.message}`,
          });
        continue;
      }
      let doc: Record<string, unknown>;
      try {
        doc = parseXml(body);
      } catch (e) {
        throw new CartResponseError(
          `yahoo setStock: response is not XML: ${body.slice(0, 120)}`,
          'yahoo',
          null,
          { cause: e },
        );
      }
      const err = errorOf(doc);
      if (err) {
        for (const l of chunk)
          out.set(stockKey(l), {
            status: 'refused',
            code: err.code ?? undefined,
            answer: `Yahoo!ショッピングが在庫更新を受け付けませんでした: ${err.code ?? ''} ${err.message}`,
          });
        continue;
      }
      const set = isObject(doc.ResultSet) ? doc.ResultSet : null;
      if (!set) throw new CartResponseError(`yahoo setStock: no ResultSet: ${body.slice(0, 120)}`, 'yahoo');
      const results = asList(set.Result).filter(isObject);
      const byCode = new Map(results.filter((r) => text(r.ItemCode)).map((r) => [text(r.ItemCode)!, r]));
      chunk.forEach((l, idx) => {
        const r = byCode.get(yahooItemCode(l)) ?? results[idx];
        const code = r ? text(r.ErrorCode) : null;
        out.set(
          stockKey(l),
          code
            ? {
                status: 'refused',
                code,
                answer: `Yahoo!ショッピングがこの商品の在庫を受け付けませんでした（${code}）`,
              }
            : { status: 'done', answer: `在庫数 ${Math.min(l.quantity, MAX_QUANTITY)}（setStock）` },
        );
      });
    }
    return out;
  }
}

/** Yahoo!'s write side given setStock and getStock (the same actions object). */
export function withYahooStock<A extends CartActions>(
  actions: A,
  adapter: YahooAdapter,
  sellerId: string,
): A {
  const stock = new YahooStock(adapter, sellerId);
  return Object.assign(actions, {
    stockBatch: stock.stockBatch,
    setStock: (levels: StockLevel[]) => stock.setStock(levels),
    readStock: (items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>) =>
      stock.readStock(items),
  });
}

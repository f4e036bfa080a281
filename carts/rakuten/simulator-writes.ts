// The simulator's write endpoints: confirmOrder, updateOrderShipping, updateOrderShippingAsync +
// getResultUpdateOrderShippingAsync and cancelOrder, with their request checks and error bodies, and
// effects the next getOrder shows (100 → 200 on confirm, then 300 when the simulated Rakuten releases
// it; a report's ShippingModels with their shippingDetailIds, 500 once every basket has one; 900
// with the reason on cancel). Codes are Rakuten's where public ([V]/[T], README "Writing to
// Rakuten"); `…_SIM0n` codes are the simulator's own where Rakuten's are not public.
import type { SimShipment } from '../sim/generate.js';
import type { OrderBook, SimReply, SimRequest } from '../sim/kit.js';
import {
  CANCEL_ORDER_PATH,
  CANCEL_REASONS,
  CANCELLABLE_PROGRESS,
  CONFIRM_ORDER_PATH,
  DELIVERY_COMPANIES,
  GET_RESULT_UPDATE_ORDER_SHIPPING_ASYNC_PATH,
  INVENTORY_RESTORE_TYPES,
  MACHINE_DEPENDENT,
  MAX_SHIPPING_NUMBER,
  MAX_SHIPPINGS_PER_BASKET,
  MAX_WRITE_ORDERS,
  UPDATE_ORDER_SHIPPING_ASYNC_PATH,
  UPDATE_ORDER_SHIPPING_PATH,
} from './codes.js';
import { basketIdOf, CONFIRMED_PROGRESS, milestones, shipmentKey } from './render.js';

type Message = {
  messageType: 'INFO' | 'ERROR' | 'WARNING';
  messageCode: string;
  message: string;
  orderNumber?: string;
  dataNumber?: number | null;
  shippingDetailId?: number | null;
  requestId?: string;
};

export interface RakutenWriteOptions {
  /**
   * How long after confirmOrder the simulated Rakuten moves the order to 300 発送待ち (its payment and
   * fraud checks), in simulator-clock ms; null: only `release(no)` does. Default 10 minutes [I].
   */
  releaseAfterMs?: number | null;
  /** getResultUpdateOrderShippingAsync answers "no result yet" this many times first. Default 1. */
  asyncPendingPolls?: number;
  /**
   * How long a request's result is kept, in simulator-clock ms from the request: Rakuten keeps
   * results 30 days [V: changelog v4.4] (the default). After that the request is done (what it said
   * is recorded) but its id is unknown: the same "no result" INFO_101 as a request still processing.
   */
  asyncResultsKeptMs?: number;
}

export interface RakutenWriteControls {
  /** Rakuten's checks are done now: a confirmed order (200) moves to 300 発送待ち. */
  release(cartOrderNo: string): boolean;
  /** Async shipping requests received, by requestId (`known`: false once expired or lost). */
  readonly asyncRequests: ReadonlyMap<
    string,
    { orders: number; polls: number; done: boolean; known: boolean }
  >;
  /**
   * Rakuten lost the request before doing it [I]: nothing of it is recorded, and its id answers
   * "no result" from now on. False when there is no such request.
   */
  loseAsyncRequest(requestId: string): boolean;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): v is string =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

const msg = (type: Message['messageType'], code: string, message: string, extra: Partial<Message> = {}) => ({
  messageType: type,
  messageCode: code,
  message,
  ...extra,
});

export function createRakutenWriteRoutes(ctx: {
  gateway: (req: SimRequest) => SimReply | { json: unknown };
  book: OrderBook;
  clock: () => Date;
  opts: RakutenWriteOptions;
}) {
  const { book } = ctx;
  const releaseAfterMs = ctx.opts.releaseAfterMs === undefined ? 10 * 60_000 : ctx.opts.releaseAfterMs;
  const pendingPolls = ctx.opts.asyncPendingPolls ?? 1;
  const keptMs = ctx.opts.asyncResultsKeptMs ?? 30 * 86_400_000;
  type AsyncJob = {
    body: Array<Record<string, unknown>>;
    polls: number;
    results: unknown[] | null;
    /** Simulator-clock ms of the request. */
    at: number;
    /** Expired (after keptMs) or lost: its id answers "no result". */
    unknown: boolean;
  };
  const asyncJobs = new Map<string, AsyncJob>();
  let asyncSeq = 0;

  /** Does what the request says (once): each order's parcels recorded, or its errors. */
  function runAsync(job: AsyncJob): unknown[] {
    job.results ??= job.body.map((o) => {
      const r = shipOrder(o.orderNumber, o.BasketidModelList, 'ORDER_EXT_API_UPDATE_ORDERSHIPPING', true);
      const strip = (m: Message) => {
        const { orderNumber: _n, ...rest } = m;
        return rest;
      };
      return {
        orderNumber: o.orderNumber,
        MessageModelList: (r.errors.length ? r.errors : r.infos).map(strip),
      };
    });
    return job.results;
  }

  const stateOf = (no: string) => {
    const view = book.find(no);
    return view ? { view, progress: milestones(view).progress } : null;
  };

  function confirmOrder(req: SimRequest): SimReply {
    const g = ctx.gateway(req);
    if (!('json' in g)) return g;
    const list = isObj(g.json) ? g.json.orderNumberList : undefined;
    const code = (n: string) => `ORDER_EXT_API_CONFIRM_ORDER_${n}`;
    if (!Array.isArray(list) || list.length === 0)
      return {
        status: 400,
        body: {
          MessageModelList: [msg('ERROR', code('ERROR_009'), 'orderNumberListの項目を指定して下さい。')],
        },
      };
    if (list.length > MAX_WRITE_ORDERS || !list.every((n) => typeof n === 'string'))
      return {
        status: 400,
        body: {
          MessageModelList: [
            msg(
              'ERROR',
              code('ERROR_SIM01'),
              `orderNumberListは${MAX_WRITE_ORDERS}件以内の文字列で指定して下さい。`,
            ),
          ],
        },
      };
    const messages: Message[] = [];
    for (const no of list as string[]) {
      const s = stateOf(no);
      if (!s)
        messages.push(
          msg('ERROR', code('ERROR_SIM02'), '指定された注文番号は存在しません。', { orderNumber: no }),
        );
      // [T] ERROR_102 cancelled, ERROR_103 status already moved, ERROR_105 amounts not fixed.
      else if (s.progress === 800 || s.progress === 900)
        messages.push(
          msg('ERROR', code('ERROR_102'), '指定された注文番号は既にキャンセルされています。', {
            orderNumber: no,
          }),
        );
      else if (s.progress !== 100)
        messages.push(
          msg('ERROR', code('ERROR_103'), '指定された注文番号は既にステータスが移動しています。', {
            orderNumber: no,
          }),
        );
      else if (s.view.state === 'new' && s.view.shipTos.some((p) => p.prefecture === '沖縄県'))
        messages.push(
          msg('ERROR', code('ERROR_105'), '金額が未確定（送料等）のため注文確認できません。', {
            orderNumber: no,
          }),
        );
      else {
        book.happen(no, 'status', { cartStatus: String(CONFIRMED_PROGRESS) });
        if (releaseAfterMs !== null)
          book.schedule(no, 'paid', new Date(ctx.clock().getTime() + releaseAfterMs));
        messages.push(msg('INFO', code('INFO_101'), '注文確認に成功しました。', { orderNumber: no }));
      }
    }
    return { status: 200, body: { MessageModelList: messages } };
  }

  /**
   * Checks one order's BasketidModelList and, when `apply`, records it. Messages carry dataNumber,
   * the 1-based index over every basket's ShippingModels. `prefix` is the API's message prefix.
   */
  function shipOrder(
    no: unknown,
    baskets: unknown,
    prefix: string,
    apply: boolean,
  ): { errors: Message[]; infos: Message[] } {
    const errors: Message[] = [];
    const e = (c: string, m: string, extra: Partial<Message> = {}) =>
      errors.push(
        msg('ERROR', `${prefix}_ERROR_${c}`, m, {
          ...(typeof no === 'string' ? { orderNumber: no } : {}),
          ...extra,
        }),
      );
    if (typeof no !== 'string' || no === '') {
      e('009', 'orderNumberの項目を指定して下さい。');
      return { errors, infos: [] };
    }
    if (!Array.isArray(baskets) || baskets.length === 0) {
      e('009', 'BasketidModelListの項目を指定して下さい。');
      return { errors, infos: [] };
    }
    let dataNumber = 0;
    const models: Array<{ basketId: number; m: Record<string, unknown>; dataNumber: number }> = [];
    for (const b of baskets) {
      if (!isObj(b) || !isInt(b.basketId) || b.basketId < 1 || b.basketId > 9_999_999_999) {
        e('011', 'basketIdの書式が不正です。');
        continue;
      }
      const list = b.ShippingModelList;
      if (!Array.isArray(list) || list.length === 0) {
        e('009', 'ShippingModelListの項目を指定して下さい。');
        continue;
      }
      if (list.length > MAX_SHIPPINGS_PER_BASKET)
        e('SIM01', `ShippingModelListは送付先ごとに${MAX_SHIPPINGS_PER_BASKET}件以内で指定して下さい。`);
      for (const m of list) {
        dataNumber++;
        const at = {
          dataNumber,
          shippingDetailId: isObj(m) && isInt(m.shippingDetailId) ? m.shippingDetailId : null,
        };
        if (!isObj(m)) {
          e('011', 'ShippingModelの書式が不正です。', at);
          continue;
        }
        if (m.shippingDetailId !== undefined && m.shippingDetailId !== null && !isInt(m.shippingDetailId))
          e('011', 'shippingDetailIdの書式が不正です。', at);
        // [V] a code, not a name: `佐川急便` is ERROR_011.
        if (
          m.deliveryCompany !== undefined &&
          (typeof m.deliveryCompany !== 'string' || !DELIVERY_COMPANIES[m.deliveryCompany])
        )
          e('011', 'deliveryCompanyの書式が不正です。', at);
        if (
          m.shippingNumber !== undefined &&
          (typeof m.shippingNumber !== 'string' ||
            m.shippingNumber.length > MAX_SHIPPING_NUMBER ||
            MACHINE_DEPENDENT.test(m.shippingNumber))
        )
          e('011', 'shippingNumberの書式が不正です。', at);
        // [V] YYYY-MM-DD only (`2018/01/25` is ERROR_011); '' clears the value.
        if (m.shippingDate !== undefined && m.shippingDate !== '' && !isDate(m.shippingDate))
          e('011', 'shippingDateの書式が不正です。', at);
        if (m.shippingDeleteFlag !== undefined && m.shippingDeleteFlag !== 0 && m.shippingDeleteFlag !== 1)
          e('011', 'shippingDeleteFlagの書式が不正です。', at);
        models.push({ basketId: b.basketId, m, dataNumber });
      }
    }
    if (errors.length) return { errors, infos: [] };
    const s = stateOf(no);
    if (!s) {
      e('SIM02', '指定された注文番号は存在しません。');
      return { errors, infos: [] };
    }
    // [V: getResultUpdateOrderShippingAsync sample] ERROR_102 for a cancelled order.
    if (s.progress === 800 || s.progress === 900) {
      e(
        '102',
        '指定された注文番号は既にキャンセルされているため、発送完了報告が出来る状態ではありませんでした。',
      );
      return { errors, infos: [] };
    }
    // [I] an order Rakuten has not released (100 注文確認待ち, 200 楽天処理中) cannot be reported shipped.
    if (s.progress < 300) {
      e('SIM03', `注文ステータスが${s.progress}のため発送完了報告できません。`);
      return { errors, infos: [] };
    }
    const view = s.view;
    const packageOf = new Map(view.shipTos.map((_, i) => [basketIdOf(view, i + 1), i + 1]));
    const existing = new Map(view.shipments.filter((x) => x.carrier !== '').map((x) => [x.key, x]));
    let nextId = 900_000_000 + view.seq * 1000 + view.shipments.length;
    const planned: Array<{ shipment: SimShipment; info: Message }> = [];
    for (const { basketId, m, dataNumber: dn } of models) {
      const packageNo = packageOf.get(basketId);
      if (packageNo === undefined) {
        e('SIM04', '指定された送付先IDはこの注文にありません。', { dataNumber: dn, shippingDetailId: null });
        continue;
      }
      const lines = view.lines
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.packageNo === packageNo)
        .map(({ i }) => ({
          line: i,
          quantity: i === 0 ? view.lines[0]!.quantity + view.edits : view.lines[i]!.quantity,
        }));
      const id = isInt(m.shippingDetailId) ? m.shippingDetailId : null;
      const before = id === null ? null : existing.get(shipmentKey(basketId, id));
      if (id !== null && !before) {
        e('SIM05', '指定された発送明細IDは存在しません。', { dataNumber: dn, shippingDetailId: id });
        continue;
      }
      const newId = id ?? ++nextId;
      const key = shipmentKey(basketId, newId);
      if (m.shippingDeleteFlag === 1) {
        planned.push({
          shipment: { key, carrier: '', carrierName: null, trackingNumber: '', shippedOn: '', lines: [] },
          info: msg('INFO', `${prefix}_INFO_102`, '発送情報の更新設定が完了しました。', {
            dataNumber: dn,
            shippingDetailId: newId,
          }),
        });
        continue;
      }
      // [V] an omitted key leaves the value as it was; an empty string clears it.
      const pick = (k: 'deliveryCompany' | 'shippingNumber' | 'shippingDate', was: string) =>
        typeof m[k] === 'string' ? (m[k] as string) : was;
      const shipment: SimShipment = {
        key,
        carrier: pick('deliveryCompany', before?.carrier ?? '1000'),
        carrierName: null,
        trackingNumber: pick('shippingNumber', before?.trackingNumber ?? ''),
        shippedOn: pick('shippingDate', before?.shippedOn ?? ''),
        lines,
      };
      planned.push({
        shipment,
        info: before
          ? msg('INFO', `${prefix}_INFO_102`, '発送情報の更新設定が完了しました。', {
              dataNumber: dn,
              shippingDetailId: newId,
            })
          : msg('INFO', `${prefix}_INFO_101`, '発送情報の追加設定が完了しました。', {
              dataNumber: dn,
              shippingDetailId: newId,
            }),
      });
    }
    if (errors.length) return { errors, infos: [] };
    if (apply) book.happen(no, 'ship', { shipments: planned.map((p) => p.shipment) });
    return { errors, infos: planned.map((p) => p.info) };
  }

  function updateOrderShipping(req: SimRequest): SimReply {
    const g = ctx.gateway(req);
    if (!('json' in g)) return g;
    const body = isObj(g.json) ? g.json : {};
    const r = shipOrder(body.orderNumber, body.BasketidModelList, 'ORDER_EXT_API_UPDATE_ORDERSHIPPING', true);
    const strip = (m: Message) => {
      const { orderNumber: _n, ...rest } = m;
      return rest;
    };
    if (r.errors.length) return { status: 400, body: { MessageModelList: r.errors.map(strip) } };
    return { status: 200, body: { MessageModelList: r.infos.map(strip) } };
  }

  function updateOrderShippingAsync(req: SimRequest): SimReply {
    const g = ctx.gateway(req);
    if (!('json' in g)) return g;
    const list = isObj(g.json) ? g.json.OrderShippingModelList : undefined;
    const prefix = 'ORDER_EXT_API_UPDATE_ORDERSHIPPING_ASYNC';
    if (!Array.isArray(list) || list.length === 0)
      return {
        status: 400,
        body: {
          MessageModelList: [
            msg('ERROR', `${prefix}_ERROR_009`, 'OrderShippingModelListの項目を指定して下さい。'),
          ],
        },
      };
    if (list.length > MAX_WRITE_ORDERS)
      return {
        status: 400,
        body: {
          MessageModelList: [
            msg(
              'ERROR',
              `${prefix}_ERROR_SIM01`,
              `OrderShippingModelListは${MAX_WRITE_ORDERS}件以内で指定して下さい。`,
            ),
          ],
        },
      };
    // [V] validation errors come back at once, 200 with ERROR messages and no requestId.
    const errors: Message[] = [];
    const seen = new Set<string>();
    for (const o of list) {
      const no = isObj(o) ? o.orderNumber : undefined;
      if (typeof no === 'string' && seen.has(no)) {
        // [V] duplicate order numbers are an error.
        errors.push(msg('ERROR', `${prefix}_ERROR_SIM02`, '注文番号が重複しています。', { orderNumber: no }));
        continue;
      }
      if (typeof no === 'string') seen.add(no);
      errors.push(
        ...shipOrder(no, isObj(o) ? o.BasketidModelList : undefined, prefix, false).errors.filter(
          (m) =>
            m.messageCode.endsWith('_ERROR_009') ||
            m.messageCode.endsWith('_ERROR_011') ||
            m.messageCode.includes('_ERROR_SIM01'),
        ),
      );
    }
    if (errors.length) return { status: 200, body: { MessageModelList: errors } };
    asyncSeq++;
    const stamp = ctx.clock().toISOString().replace(/\D/g, '').slice(0, 14);
    const requestId = `sim${String(asyncSeq).padStart(5, '0')}-0000-4000-8000-000000000000_${stamp}`;
    asyncJobs.set(requestId, {
      body: list as Array<Record<string, unknown>>,
      polls: 0,
      results: null,
      at: ctx.clock().getTime(),
      unknown: false,
    });
    return {
      status: 200,
      body: {
        MessageModelList: [
          msg('INFO', `${prefix}_INFO_101`, '発送情報の更新を受付けました。', {
            requestId,
            dataNumber: null,
            shippingDetailId: null,
          }),
        ],
      },
    };
  }

  function getResultUpdateOrderShippingAsync(req: SimRequest): SimReply {
    const g = ctx.gateway(req);
    if (!('json' in g)) return g;
    const requestId = isObj(g.json) ? g.json.requestId : undefined;
    const prefix = 'ORDER_EXT_API_GET_RESULT_UPDATEORDERSHIPPING_ASYNC';
    if (typeof requestId !== 'string' || requestId === '')
      return {
        status: 400,
        body: {
          ResultShippingModelList: [
            { MessageModelList: [msg('ERROR', `${prefix}_ERROR_009`, 'requestIdの項目を指定して下さい。')] },
          ],
        },
      };
    const job = asyncJobs.get(requestId);
    // Past the time results are kept: done long ago (what it said is recorded), its id forgotten.
    if (job && !job.unknown && ctx.clock().getTime() - job.at > keptMs) {
      runAsync(job);
      job.unknown = true;
    }
    // [V] still processing, unknown or expired: the same INFO_101.
    if (!job || job.unknown || job.polls++ < pendingPolls)
      return {
        status: 200,
        body: {
          ResultShippingModelList: [
            {
              MessageModelList: [
                msg('INFO', `${prefix}_INFO_101`, '指定されたリクエストIDの処理結果は存在しませんでした。'),
              ],
            },
          ],
        },
      };
    return { status: 200, body: { ResultShippingModelList: runAsync(job) } };
  }

  function cancelOrder(req: SimRequest): SimReply {
    const g = ctx.gateway(req);
    if (!('json' in g)) return g;
    const body = isObj(g.json) ? g.json : {};
    const code = (n: string) => `ORDER_EXT_API_CANCEL_ORDER_${n}`;
    const no = body.orderNumber;
    const fail = (c: string, m: string) => ({
      status: 400,
      body: {
        MessageModelList: [msg('ERROR', code(c), m, typeof no === 'string' ? { orderNumber: no } : {})],
      },
    });
    if (typeof no !== 'string' || no === '') return fail('ERROR_009', 'orderNumberの項目を指定して下さい。');
    if (body.inventoryRestoreType === undefined || body.inventoryRestoreType === null)
      return fail('ERROR_009', 'inventoryRestoreTypeの項目を指定して下さい。');
    if (!(INVENTORY_RESTORE_TYPES as readonly unknown[]).includes(body.inventoryRestoreType))
      return fail('ERROR_011', 'inventoryRestoreTypeの書式が不正です。');
    if (body.changeReasonDetailApply === undefined || body.changeReasonDetailApply === null)
      return fail('ERROR_009', 'changeReasonDetailApplyの項目を指定して下さい。');
    if (!isInt(body.changeReasonDetailApply) || !CANCEL_REASONS[String(body.changeReasonDetailApply)])
      return fail('ERROR_011', 'changeReasonDetailApplyの書式が不正です。');
    const s = stateOf(no);
    if (!s) return fail('ERROR_SIM01', '指定された注文番号は存在しません。');
    if (s.progress === 800 || s.progress === 900)
      return fail('ERROR_SIM02', '指定された注文番号は既にキャンセルされています。');
    // [T] cancelOrder is for 100/200/300; after shipping it is cancelOrderAfterShipping.
    if (!CANCELLABLE_PROGRESS.includes(s.progress))
      return fail('ERROR_SIM03', `注文ステータスが${s.progress}のためキャンセルできません。`);
    book.happen(no, 'cancel', { reason: String(body.changeReasonDetailApply) });
    // [T] the INFO_101 body of a public client's test.
    return {
      status: 200,
      body: {
        MessageModelList: [
          msg('INFO', code('INFO_101'), 'キャンセル申請に成功しました。', { orderNumber: no }),
        ],
      },
    };
  }

  const controls: RakutenWriteControls = {
    release(no) {
      const s = stateOf(no);
      if (!s || s.progress !== CONFIRMED_PROGRESS) return false;
      book.happen(no, 'paid');
      return true;
    },
    get asyncRequests() {
      return new Map(
        [...asyncJobs].map(([id, j]) => [
          id,
          { orders: j.body.length, polls: j.polls, done: j.results !== null, known: !j.unknown },
        ]),
      );
    },
    loseAsyncRequest(requestId) {
      const job = asyncJobs.get(requestId);
      if (!job || job.results) return false;
      job.unknown = true;
      return true;
    },
  };

  return {
    controls,
    routes: [
      { method: 'POST', path: CONFIRM_ORDER_PATH, name: 'confirmOrder', handler: confirmOrder },
      {
        method: 'POST',
        path: UPDATE_ORDER_SHIPPING_PATH,
        name: 'updateOrderShipping',
        handler: updateOrderShipping,
      },
      {
        method: 'POST',
        path: UPDATE_ORDER_SHIPPING_ASYNC_PATH,
        name: 'updateOrderShippingAsync',
        handler: updateOrderShippingAsync,
      },
      {
        method: 'POST',
        path: GET_RESULT_UPDATE_ORDER_SHIPPING_ASYNC_PATH,
        name: 'getResultUpdateOrderShippingAsync',
        handler: getResultUpdateOrderShippingAsync,
      },
      { method: 'POST', path: CANCEL_ORDER_PATH, name: 'cancelOrder', handler: cancelOrder },
    ],
  };
}

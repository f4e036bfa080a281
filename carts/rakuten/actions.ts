// Writing to Rakuten (RMS RakutenPayOrderAPI 2.0): 注文確認 with `confirmOrder` (≤ 100 numbers a
// call), 発送完了報告 with `updateOrderShipping` (one order, a ShippingModel per parcel in its basket)
// or, for many orders, `updateOrderShippingAsync` + `getResultUpdateOrderShippingAsync`, and cancel
// with `cancelOrder`. Facts and how firm each is: README "Writing to Rakuten".
//
// At least once, effect once: a shipment is not idempotent (a ShippingModel without shippingDetailId
// adds a second record), so every ship first re-reads the order with getOrder and updates the record
// an earlier attempt made (its stored shippingDetailId, or the same shippingNumber in that basket);
// the shipping writes are sent `idempotent: false`, and a lost answer is settled by another re-read.
// An error answer ("already confirmed" ERROR_103, a cancel of a cancelled order) is re-read too: an
// order already in the state asked for is `already`; anything else is `refused` with Rakuten's words.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ActionOutcome,
  type CancelInput,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
  type ShipManyOptions,
  type ShipmentPackage,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartResponseError, CartUnavailableError } from '../errors.js';
import { createRakutenAdapter, type RakutenAdapter, type RakutenCredentials } from './client.js';
import {
  CANCEL_ORDER_PATH,
  CANCEL_REASONS,
  CANCELLABLE_PROGRESS,
  CONFIRM_ORDER_PATH,
  DELIVERY_COMPANIES,
  GET_RESULT_UPDATE_ORDER_SHIPPING_ASYNC_PATH,
  MACHINE_DEPENDENT,
  MAX_SHIPPING_NUMBER,
  MAX_SHIPPINGS_PER_BASKET,
  MAX_WRITE_ORDERS,
  ORDER_PROGRESS,
  UPDATE_ORDER_SHIPPING_ASYNC_PATH,
  UPDATE_ORDER_SHIPPING_PATH,
} from './codes.js';

/**
 * juchu's carriers → `deliveryCompany` [V: the updateOrderShipping code table, 1000–1031]. 'other'
 * is 1000 その他. A store can set its own in `settings.carrierCodes`.
 */
export const RAKUTEN_DELIVERY_COMPANIES: Readonly<Record<Carrier, string>> = {
  yamato: '1001',
  sagawa: '1002',
  japanpost: '1003',
  seino: '1004',
  fukuyama: '1006',
  nittsu: '1021',
  other: '1000',
};

/** The cancel reason sent when the action names none: 10 その他（店舗都合）. */
export const DEFAULT_CANCEL_REASON = '10';

interface Message {
  messageType: string;
  messageCode: string;
  message: string;
  orderNumber?: string | null;
  dataNumber?: number | null;
  shippingDetailId?: number | null;
  requestId?: string | null;
}

/** A ShippingModel as getOrder shows it. */
interface Shipping {
  shippingDetailId: number;
  deliveryCompany: string | null;
  shippingNumber: string | null;
  shippingDate: string | null;
}

/** A live basket (送付先) of the order: its number as on juchu's lines, Rakuten's id, its shipments. */
interface Basket {
  packageNo: number;
  basketId: number;
  shippings: Shipping[];
}

/** What getOrder says of an order, for the write decisions. */
interface OrderState {
  progress: number;
  confirmed: boolean;
  baskets: Basket[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function progressLabel(progress: number): string {
  const p = ORDER_PROGRESS.find((x) => x.code === progress);
  return p ? `${progress} ${p.ja}` : String(progress);
}

/**
 * An OrderModel's state; the baskets numbered as normalize numbers packages (the live ones, i.e.
 * `packageDeleteFlag` ≠ 1, or all when every one is deleted).
 */
export function orderStateOf(model: unknown): OrderState | null {
  if (!isObj(model) || typeof model.orderProgress !== 'number') return null;
  const packages = Array.isArray(model.PackageModelList) ? model.PackageModelList.filter(isObj) : [];
  const live = packages.filter((p) => p.packageDeleteFlag !== 1);
  const kept = live.length ? live : packages;
  const baskets: Basket[] = [];
  kept.forEach((p, i) => {
    if (typeof p.basketId !== 'number') return;
    const shippings: Shipping[] = [];
    for (const s of Array.isArray(p.ShippingModelList) ? p.ShippingModelList : [])
      if (isObj(s) && typeof s.shippingDetailId === 'number')
        shippings.push({
          shippingDetailId: s.shippingDetailId,
          deliveryCompany: str(s.deliveryCompany),
          shippingNumber: str(s.shippingNumber),
          shippingDate: str(s.shippingDate),
        });
    baskets.push({ packageNo: i + 1, basketId: p.basketId, shippings });
  });
  return {
    progress: model.orderProgress,
    confirmed: str(model.shopOrderCfmDatetime) !== null,
    baskets,
  };
}

/** The cartRefs key of the n-th parcel (1-based) of a package: its shippingDetailId. */
export const shippingRefKey = (packageNo: number, n: number) => `shippingDetailId:${packageNo}:${n}`;

/** One ShippingModel to send, and which parcel of the action it is. */
interface PlannedShipping {
  refKey: string;
  basketId: number;
  model: {
    shippingDetailId?: number;
    deliveryCompany: string;
    shippingNumber: string;
    shippingDate: string;
  };
}

/** The plan for one order: what to send, what an earlier attempt already did, or a refusal. */
type ShipPlan =
  | { kind: 'refused'; outcome: ActionOutcome }
  | { kind: 'plan'; send: PlannedShipping[]; already: Record<string, string>; describe: string[] };

const messagesOf = (body: unknown): Message[] =>
  isObj(body) && Array.isArray(body.MessageModelList) ? (body.MessageModelList as Message[]) : [];

const describeMessages = (messages: Message[]) =>
  messages.map((m) => `${m.messageCode}: ${m.message}`).join(' / ');

export class RakutenActions implements CartActions {
  readonly cart = 'rakuten' as const;
  readonly confirmBatch = MAX_WRITE_ORDERS;
  readonly shipBatch = MAX_WRITE_ORDERS;
  private readonly code: (carrier: Carrier) => string | null;

  constructor(
    private readonly adapter: RakutenAdapter,
    settings: Record<string, unknown> | undefined,
  ) {
    this.code = carrierTable(RAKUTEN_DELIVERY_COMPANIES, settings);
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  // ─── 注文確認 ────────────────────────────────────────────────────────────────────────────────────

  async confirmOrders(cartOrderNos: string[]): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    const numbers = [...new Set(cartOrderNos)];
    for (let i = 0; i < numbers.length; i += MAX_WRITE_ORDERS) {
      const batch = numbers.slice(i, i + MAX_WRITE_ORDERS);
      // confirmOrder may be repeated (a second one answers ERROR_103): the HTTP client retries it.
      const res = await this.adapter.write('confirmOrder', CONFIRM_ORDER_PATH, { orderNumberList: batch });
      const messages = messagesOf(res.body);
      const failed = new Map<string, Message[]>();
      for (const no of batch) {
        const mine = messages.filter((m) => m.orderNumber === no);
        const ok = mine.find((m) => m.messageType === 'INFO');
        if (ok && !mine.some((m) => m.messageType === 'ERROR'))
          out.set(no, { status: 'done', answer: `confirmOrder ${ok.messageCode}: ${ok.message}` });
        // An error for this order, or a request-level error / no word at all: the re-read decides.
        else failed.set(no, mine.length ? mine : messages.filter((m) => !m.orderNumber));
      }
      if (failed.size === 0) continue;
      const states = await this.states([...failed.keys()]);
      for (const [no, msgs] of failed) {
        const state = states.get(no);
        const said = msgs.length ? describeMessages(msgs) : `HTTP ${res.status}（注文ごとの回答なし）`;
        if (state?.confirmed && state.progress >= 200 && state.progress !== 800 && state.progress !== 900)
          out.set(no, {
            status: 'already',
            answer: `注文確認済み（getOrder で確認: ステータス ${progressLabel(state.progress)}）。楽天の回答: ${said}`,
          });
        else
          out.set(no, {
            status: 'refused',
            code: msgs.find((m) => m.messageType === 'ERROR')?.messageCode ?? 'NOT_CONFIRMED',
            answer: `注文 ${no}: ${confirmRefusal(state, msgs)}（${said}）`,
          });
      }
    }
    return out;
  }

  // ─── 発送完了報告 ────────────────────────────────────────────────────────────────────────────────

  async ship(input: ShipInput): Promise<ActionOutcome> {
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const no = input.cartOrderNo;
    const state = (await this.states([no])).get(no) ?? null;
    const plan = this.plan(input, state);
    if (plan.kind === 'refused') return plan.outcome;
    if (plan.send.length === 0)
      return {
        status: 'already',
        answer: `発送済み（getOrder で確認: ${plan.describe.join('、')}）`,
        cartRefs: plan.already,
      };
    let res: { status: number; body: unknown };
    try {
      res = await this.adapter.write(
        'updateOrderShipping',
        UPDATE_ORDER_SHIPPING_PATH,
        { orderNumber: no, BasketidModelList: basketModels(plan.send) },
        { idempotent: false },
      );
    } catch (e) {
      if (!(e instanceof CartUnavailableError)) throw e;
      // The answer was lost: whether Rakuten recorded the parcels is read, never guessed.
      const found = this.findSent(plan, (await this.states([no])).get(no) ?? null);
      if (!found) throw e;
      return {
        status: 'done',
        answer: `updateOrderShipping（応答なしのため getOrder で確認: ${plan.describe.join('、')}）`,
        cartRefs: found,
      };
    }
    return this.shipAnswer(no, plan, messagesOf(res.body), 'updateOrderShipping');
  }

  /**
   * Many orders at once with updateOrderShippingAsync (≤ 100 orders a call), then
   * getResultUpdateOrderShippingAsync every `asyncPollMs` until the results are there (at most
   * `asyncMaxWaitMs`). An outcome per order number.
   */
  async shipMany(inputs: ShipInput[], opts: ShipManyOptions = {}): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    for (let i = 0; i < inputs.length; i += MAX_WRITE_ORDERS)
      for (const [k, v] of await this.shipAsyncBatch(inputs.slice(i, i + MAX_WRITE_ORDERS), opts))
        out.set(k, v);
    return out;
  }

  private async shipAsyncBatch(
    inputs: ShipInput[],
    opts: ShipManyOptions,
  ): Promise<Map<string, ActionOutcome>> {
    const out = new Map<string, ActionOutcome>();
    // An earlier attempt's request (its worker died or gave up polling): its result first. Rakuten
    // keeps results 30 days and may still be working on it; sending again before it is done would add
    // each parcel a second time. Once it answered, the getOrder below finds what it recorded. One
    // still without a result `asyncLostAfterMs` after it was taken is unknown to Rakuten (expired or
    // lost: the same "no result" answer): the getOrder below decides, done if the parcels are there.
    const earlier = new Map<string, Date>();
    for (const i of inputs) {
      const e = opts.earlier?.get(i.cartOrderNo);
      if (e) earlier.set(e.requestId, e.requestedAt);
    }
    for (const [id, at] of earlier)
      await this.pollAsync(id, at.getTime() + this.adapter.settings.asyncLostAfterMs).catch((e: unknown) => {
        // Its errors only say it recorded nothing: the plan below sends what is missing.
        if (!(e instanceof CartResponseError)) throw e;
      });
    const todo: ShipInput[] = [];
    for (const input of inputs) {
      const unknown = refuseUnknownCarriers(this, input);
      if (unknown) out.set(input.cartOrderNo, unknown);
      else if (todo.some((t) => t.cartOrderNo === input.cartOrderNo))
        // Rakuten refuses a request naming an order twice: the second waits for the next call.
        out.set(
          input.cartOrderNo,
          refused(
            'DUPLICATE_ORDER',
            `注文 ${input.cartOrderNo}: 同じ注文の発送が一括送信に2回含まれています。`,
          ),
        );
      else todo.push(input);
    }
    if (todo.length === 0) return out;
    const states = await this.states(todo.map((t) => t.cartOrderNo));
    let plans = new Map<string, Extract<ShipPlan, { kind: 'plan' }>>();
    for (const input of todo) {
      const plan = this.plan(input, states.get(input.cartOrderNo) ?? null);
      if (plan.kind === 'refused') out.set(input.cartOrderNo, plan.outcome);
      else if (plan.send.length === 0)
        out.set(input.cartOrderNo, {
          status: 'already',
          answer: `発送済み（getOrder で確認: ${plan.describe.join('、')}）`,
          cartRefs: plan.already,
        });
      else plans.set(input.cartOrderNo, plan);
    }
    // Validation errors come back at once and nothing is accepted: those orders are refused, the
    // others sent again without them (at most twice more).
    let requestId: string | null = null;
    for (let attempt = 0; attempt < 3 && plans.size > 0 && requestId === null; attempt++) {
      const res = await this.adapter.write(
        'updateOrderShippingAsync',
        UPDATE_ORDER_SHIPPING_ASYNC_PATH,
        {
          OrderShippingModelList: [...plans].map(([orderNumber, p]) => ({
            orderNumber,
            BasketidModelList: basketModels(p.send),
          })),
        },
        { idempotent: false },
      );
      const messages = messagesOf(res.body);
      const accepted = messages.find((m) => m.messageType === 'INFO' && m.requestId);
      if (accepted) {
        requestId = accepted.requestId!;
        break;
      }
      const errors = messages.filter((m) => m.messageType === 'ERROR');
      const bad = new Set(errors.map((m) => m.orderNumber).filter((n): n is string => !!n));
      if (bad.size === 0)
        throw new CartResponseError(
          `rakuten updateOrderShippingAsync: HTTP ${res.status} without a requestId: ${describeMessages(messages) || JSON.stringify(res.body).slice(0, 200)}`,
          'rakuten',
          res.status,
        );
      for (const no of bad)
        out.set(no, {
          status: 'refused',
          code: errors.find((m) => m.orderNumber === no)?.messageCode,
          answer: `注文 ${no}: 楽天が発送情報を受け付けませんでした（${describeMessages(errors.filter((m) => m.orderNumber === no))}）`,
        });
      plans = new Map([...plans].filter(([no]) => !bad.has(no)));
    }
    if (requestId === null) return out;
    await opts.onRequest?.(requestId, [...plans.keys()]);
    const results = await this.pollAsync(requestId);
    for (const [no, plan] of plans) {
      const messages = results.get(no);
      if (!messages) {
        out.set(no, {
          status: 'refused',
          code: 'NO_RESULT',
          answer: `注文 ${no}: 非同期発送完了報告（requestId ${requestId}）の結果にこの注文がありません。RMS で発送情報を確認してください。`,
        });
        continue;
      }
      out.set(no, await this.shipAnswer(no, plan, messages, `updateOrderShippingAsync ${requestId}`));
    }
    return out;
  }

  /**
   * Results per order number, once Rakuten has them (INFO_101 "no result" means not yet, or an id
   * Rakuten does not know). From `lostAt` (ms, the adapter's clock) on, "no result" is taken as the
   * latter: an empty map, nothing known of what it did.
   */
  private async pollAsync(requestId: string, lostAt?: number): Promise<Map<string, Message[]>> {
    const { asyncPollMs, asyncMaxWaitMs } = this.adapter.settings;
    const started = Date.now();
    for (;;) {
      await sleep(asyncPollMs);
      const res = await this.adapter.write(
        'getResultUpdateOrderShippingAsync',
        GET_RESULT_UPDATE_ORDER_SHIPPING_ASYNC_PATH,
        { requestId },
      );
      const list =
        isObj(res.body) && Array.isArray(res.body.ResultShippingModelList)
          ? res.body.ResultShippingModelList
          : [];
      const results = new Map<string, Message[]>();
      for (const r of list)
        if (isObj(r) && typeof r.orderNumber === 'string') results.set(r.orderNumber, messagesOf(r));
      if (results.size > 0) return results;
      const errors = list.flatMap((r) => messagesOf(r)).filter((m) => m.messageType === 'ERROR');
      if (errors.length)
        throw new CartResponseError(
          `rakuten getResultUpdateOrderShippingAsync ${requestId}: ${describeMessages(errors)}`,
          'rakuten',
          res.status,
        );
      if (lostAt !== undefined && this.adapter.now().getTime() >= lostAt) return results;
      if (Date.now() - started >= asyncMaxWaitMs)
        // Retried later: the retry re-reads every order first, so parcels Rakuten recorded meanwhile
        // are found by their numbers and not sent again.
        throw new CartUnavailableError(
          `rakuten updateOrderShippingAsync ${requestId}: no result after ${Math.round(asyncMaxWaitMs / 1000)} s`,
          'rakuten',
        );
    }
  }

  /** The parcels of an action against what Rakuten has: refused, already there, or to send. */
  private plan(input: ShipInput, state: OrderState | null): ShipPlan {
    const no = input.cartOrderNo;
    const refuse = (code: string, answer: string): ShipPlan => ({
      kind: 'refused',
      outcome: refused(code, answer),
    });
    if (!state) return refuse('ORDER_NOT_FOUND', `注文 ${no}: 楽天にこの注文がありません。`);
    if (state.progress === 800 || state.progress === 900)
      return refuse(
        'ORDER_CANCELLED',
        `注文 ${no}: 楽天でキャンセル（${progressLabel(state.progress)}）された注文です。`,
      );
    if (state.progress < 300)
      return refuse(
        'NOT_RELEASED',
        `注文 ${no}: 楽天のステータスが ${progressLabel(state.progress)} のため発送完了報告できません（300 発送待ちになってから）。`,
      );
    if (input.packages.length === 0) return refuse('NO_PACKAGE', `注文 ${no}: 出荷する荷物がありません。`);
    const send: PlannedShipping[] = [];
    const already: Record<string, string> = {};
    const describe: string[] = [];
    const seen = new Map<number, number>();
    const adds = new Map<number, number>();
    for (const pkg of input.packages) {
      const n = (seen.get(pkg.packageNo) ?? 0) + 1;
      seen.set(pkg.packageNo, n);
      const basket = state.baskets.find((b) => b.packageNo === pkg.packageNo);
      if (!basket)
        return refuse(
          'PACKAGE_UNKNOWN',
          `注文 ${no}: 送付先 ${pkg.packageNo} が楽天の注文にありません（送付先は ${state.baskets.length} 件）。注文を再取り込みしてください。`,
        );
      const bad = trackingProblem(pkg);
      if (bad) return refuse('INVALID_SHIPPING_NUMBER', `注文 ${no}: ${bad}`);
      const model = {
        deliveryCompany: this.code(pkg.carrier)!,
        shippingNumber: pkg.trackingNumber.trim(),
        shippingDate: pkg.shippedOn,
      };
      const key = shippingRefKey(pkg.packageNo, n);
      const stored = Number(input.cartRefs[key]);
      // An earlier attempt's record: by the id it stored, else by the same number in that basket.
      const mine =
        basket.shippings.find((s) => s.shippingDetailId === stored) ??
        basket.shippings.find(
          (s) => model.shippingNumber !== '' && s.shippingNumber === model.shippingNumber,
        );
      describe.push(
        `送付先 ${basket.basketId}: ${model.deliveryCompany} ${DELIVERY_COMPANIES[model.deliveryCompany] ?? ''} ${model.shippingNumber || '（伝票番号なし）'} ${model.shippingDate}`,
      );
      if (
        mine &&
        mine.deliveryCompany === model.deliveryCompany &&
        (mine.shippingNumber ?? '') === model.shippingNumber &&
        mine.shippingDate === model.shippingDate
      ) {
        already[key] = String(mine.shippingDetailId);
        continue;
      }
      if (!mine) {
        const count = (adds.get(basket.basketId) ?? 0) + 1;
        adds.set(basket.basketId, count);
        if (basket.shippings.length + count > MAX_SHIPPINGS_PER_BASKET)
          return refuse(
            'TOO_MANY_SHIPMENTS',
            `注文 ${no}: 楽天に登録できる発送情報は送付先ごとに${MAX_SHIPPINGS_PER_BASKET}件までです（送付先 ${basket.basketId}）。`,
          );
      }
      send.push({
        refKey: key,
        basketId: basket.basketId,
        model: mine ? { shippingDetailId: mine.shippingDetailId, ...model } : model,
      });
    }
    return { kind: 'plan', send, already, describe };
  }

  /** Rakuten's answer to the parcels sent: the shippingDetailIds by dataNumber, or the refusal. */
  private async shipAnswer(
    no: string,
    plan: Extract<ShipPlan, { kind: 'plan' }>,
    messages: Message[],
    what: string,
  ): Promise<ActionOutcome> {
    const errors = messages.filter((m) => m.messageType === 'ERROR');
    if (errors.length === 0) {
      const cartRefs = { ...plan.already };
      const flat = flattened(plan.send);
      for (const m of messages) {
        if (
          m.messageType !== 'INFO' ||
          typeof m.dataNumber !== 'number' ||
          typeof m.shippingDetailId !== 'number'
        )
          continue;
        const sent = flat[m.dataNumber - 1];
        if (sent) cartRefs[sent.refKey] = String(m.shippingDetailId);
      }
      if (plan.send.some((s) => !cartRefs[s.refKey]))
        throw new CartResponseError(
          `rakuten ${what}: no shippingDetailId for every parcel: ${describeMessages(messages)}`,
          'rakuten',
        );
      const warnings = messages.filter((m) => m.messageType === 'WARNING');
      return {
        status: 'done',
        answer: `${what}（${plan.describe.join('、')}）${warnings.length ? ` 警告: ${describeMessages(warnings)}` : ''}`,
        cartRefs,
      };
    }
    // Refused: if the re-read shows every parcel there (an earlier attempt), it is already so.
    const found = this.findSent(plan, (await this.states([no])).get(no) ?? null);
    if (found)
      return {
        status: 'already',
        answer: `発送済み（getOrder で確認: ${plan.describe.join('、')}）。楽天の回答: ${describeMessages(errors)}`,
        cartRefs: found,
      };
    return {
      status: 'refused',
      code: errors[0]!.messageCode,
      answer: `注文 ${no}: 楽天が発送情報を受け付けませんでした（${describeMessages(errors)}）`,
    };
  }

  /** The cartRefs when every parcel sent is on the order now (same basket, number, carrier, date). */
  private findSent(
    plan: Extract<ShipPlan, { kind: 'plan' }>,
    state: OrderState | null,
  ): Record<string, string> | null {
    if (!state) return null;
    const refs: Record<string, string> = { ...plan.already };
    const used = new Set<number>();
    for (const s of plan.send) {
      const basket = state.baskets.find((b) => b.basketId === s.basketId);
      const hit = basket?.shippings.find(
        (x) =>
          !used.has(x.shippingDetailId) &&
          (s.model.shippingDetailId === undefined || x.shippingDetailId === s.model.shippingDetailId) &&
          (x.shippingNumber ?? '') === s.model.shippingNumber &&
          x.deliveryCompany === s.model.deliveryCompany &&
          x.shippingDate === s.model.shippingDate,
      );
      if (!hit) return null;
      used.add(hit.shippingDetailId);
      refs[s.refKey] = String(hit.shippingDetailId);
    }
    return refs;
  }

  // ─── キャンセル ──────────────────────────────────────────────────────────────────────────────────

  async cancel(input: CancelInput): Promise<ActionOutcome> {
    const no = input.cartOrderNo;
    const reason = input.reasonCode ?? DEFAULT_CANCEL_REASON;
    if (!CANCEL_REASONS[reason])
      return refused(
        'INVALID_CANCEL_REASON',
        `注文 ${no}: キャンセル理由コード ${reason} は楽天にありません（${Object.entries(CANCEL_REASONS)
          .map(([k, v]) => `${k} ${v}`)
          .join('、')}）。`,
      );
    const restore = this.adapter.settings.cancelInventoryRestoreType;
    // A repeated cancelOrder is refused and then re-read: the HTTP client may retry it.
    const res = await this.adapter.write('cancelOrder', CANCEL_ORDER_PATH, {
      orderNumber: no,
      inventoryRestoreType: restore,
      changeReasonDetailApply: Number(reason),
    });
    const messages = messagesOf(res.body);
    const sent = `changeReasonDetailApply ${reason} ${CANCEL_REASONS[reason]}, inventoryRestoreType ${restore}`;
    const errors = messages.filter((m) => m.messageType === 'ERROR');
    const ok = messages.find((m) => m.messageType === 'INFO');
    if (errors.length === 0 && ok)
      return { status: 'done', answer: `cancelOrder ${ok.messageCode}: ${ok.message}（${sent}）` };
    const said = describeMessages(messages) || `HTTP ${res.status}`;
    const state = (await this.states([no])).get(no) ?? null;
    if (state && (state.progress === 800 || state.progress === 900))
      return {
        status: 'already',
        answer: `キャンセル済み（getOrder で確認: ステータス ${progressLabel(state.progress)}）。楽天の回答: ${said}`,
      };
    const why = !state
      ? '楽天にこの注文がありません'
      : !CANCELLABLE_PROGRESS.includes(state.progress)
        ? `ステータス ${progressLabel(state.progress)} の注文は cancelOrder でキャンセルできません（発送後のキャンセルは RMS で）`
        : '楽天がキャンセルを受け付けませんでした';
    return {
      status: 'refused',
      code: errors[0]?.messageCode ?? 'NOT_CANCELLED',
      answer: `注文 ${no}: ${why}（${said}）`,
    };
  }

  /** getOrder for these numbers (≤ 100 a call): the state of each one Rakuten knows. */
  private async states(numbers: string[]): Promise<Map<string, OrderState>> {
    const out = new Map<string, OrderState>();
    for (let i = 0; i < numbers.length; i += MAX_WRITE_ORDERS)
      for (const model of await this.adapter.readOrders(numbers.slice(i, i + MAX_WRITE_ORDERS))) {
        const state = orderStateOf(model);
        if (state && isObj(model) && typeof model.orderNumber === 'string') out.set(model.orderNumber, state);
      }
    return out;
  }
}

/** Why an order was not confirmed, from what getOrder shows now (Japanese, for the operator). */
function confirmRefusal(state: OrderState | null | undefined, messages: Message[]): string {
  if (!state) return '楽天にこの注文がありません';
  if (state.progress === 800 || state.progress === 900)
    return '楽天でキャンセルされた注文のため注文確認できません';
  if (messages.some((m) => m.messageCode.endsWith('_ERROR_105')))
    return '送料などの金額が未確定（-9999）のため注文確認できません。RMS で金額を確定してください';
  return '楽天が注文確認を受け付けませんでした';
}

/** Trackings Rakuten refuses, said before sending (120 characters, no machine-dependent characters). */
function trackingProblem(pkg: ShipmentPackage): string | null {
  const n = pkg.trackingNumber.trim();
  if (n.length > MAX_SHIPPING_NUMBER)
    return `伝票番号は${MAX_SHIPPING_NUMBER}文字までです（${n.slice(0, 20)}…）。`;
  if (MACHINE_DEPENDENT.test(n)) return `伝票番号に機種依存文字が含まれています（${n}）。`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(pkg.shippedOn))
    return `発送日は YYYY-MM-DD で指定してください（${pkg.shippedOn}）。`;
  return null;
}

/** The BasketidModelList of the parcels to send, baskets in first-seen order. */
function basketModels(send: PlannedShipping[]) {
  const byBasket = new Map<number, PlannedShipping['model'][]>();
  for (const s of send) byBasket.set(s.basketId, [...(byBasket.get(s.basketId) ?? []), s.model]);
  return [...byBasket].map(([basketId, ShippingModelList]) => ({ basketId, ShippingModelList }));
}

/** The parcels in request order (dataNumber is the 1-based index over every basket's ShippingModels). */
function flattened(send: PlannedShipping[]): PlannedShipping[] {
  const order = [...new Set(send.map((s) => s.basketId))];
  return order.flatMap((b) => send.filter((s) => s.basketId === b));
}

export function createRakutenActions(opts: AdapterOptions<RakutenCredentials>): RakutenActions {
  return new RakutenActions(createRakutenAdapter(opts), opts.settings);
}

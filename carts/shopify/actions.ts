// Writing to Shopify (GraphQL Admin API, whichever API the store reads orders with):
// - ship: read the order's fulfillment orders, then `fulfillmentCreate` for the package's lines with
//   trackingInfo { company, number }. fulfillmentCreate is not idempotent, so every attempt re-reads
//   first: a fulfillment that already carries the tracking number (an earlier attempt whose answer
//   was lost) is that package, and lines no longer remaining are never fulfilled twice. With a stored
//   fulfillment id (cartRefs `fulfillment:N`) whose number changed: `fulfillmentTrackingInfoUpdate`.
// - cancel: `orderCancel` (refund to the original payment methods, restock), a refusal re-read: an
//   order already cancelled is `already`.
// userErrors are refusals that wait for a human.
import {
  type ActionOutcome,
  type CancelInput,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
  type ShipmentPackage,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartResponseError, CartUnavailableError } from '../errors.js';
import type { ShopifyCredentials } from './auth.js';
import { ShopifyAdapter } from './client.js';
import type { ShopifyGraphqlOrders } from './graphql.js';

/**
 * juchu's carriers → `trackingInfo.company`. Yamato, Sagawa and Japan Post are in Shopify's list of
 * supported tracking companies for Japan (the tracking link is built for them) [V: FulfillmentTrackingInfo];
 * any other company is free text with no link [V]. `other` sends the name typed for the shipment.
 */
export const SHOPIFY_TRACKING_COMPANIES: Readonly<Record<Carrier, string>> = {
  yamato: 'Yamato (JA)',
  sagawa: 'Sagawa (JA)',
  japanpost: 'Japan Post (JA)',
  seino: '西濃運輸',
  fukuyama: '福山通運',
  nittsu: '日本通運',
  other: 'other',
};

/**
 * OrderCancelReason [V: shopify.dev OrderCancelReason enum], with the words an operator picks from;
 * juchu's reason codes pass through when they are one of these.
 */
export const SHOPIFY_CANCEL_REASONS: Readonly<Record<string, string>> = {
  CUSTOMER: 'お客様都合',
  DECLINED: '決済が承認されなかった',
  FRAUD: '不正な注文',
  INVENTORY: '在庫切れ',
  STAFF: 'スタッフの操作ミス',
  OTHER: 'その他',
};
const CANCEL_REASONS = new Set(Object.keys(SHOPIFY_CANCEL_REASONS));

export const FULFILLMENT_ORDERS_QUERY = `query JuchuFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id name cancelledAt displayFulfillmentStatus
    fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 50) { nodes { id remainingQuantity totalQuantity lineItem { sku } } } } }
    fulfillments(first: 10) { id status trackingInfo(first: 3) { company number } }
  }
}`;

const FULFILLMENT_CREATE = `mutation JuchuFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 3) { company number } }
    userErrors { field message }
  }
}`;

const TRACKING_UPDATE = `mutation JuchuTrackingInfoUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
    fulfillment { id trackingInfo(first: 3) { company number } }
    userErrors { field message }
  }
}`;

const ORDER_CANCEL = `mutation JuchuOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { code field message }
  }
}`;

interface FoLine {
  id: string;
  remainingQuantity: number;
  sku: string | null;
}
interface FulfillmentOrder {
  id: string;
  status: string;
  lines: FoLine[];
}
interface Fulfillment {
  id: string;
  numbers: string[];
}
interface OrderState {
  id: string;
  cancelled: boolean;
  fulfillmentOrders: FulfillmentOrder[];
  fulfillments: Fulfillment[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nodes = (v: unknown): Record<string, unknown>[] =>
  isObj(v) && Array.isArray(v.nodes) ? v.nodes.filter(isObj) : Array.isArray(v) ? v.filter(isObj) : [];
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** The order's GraphQL id from the stored record: a GraphQL node's `id`, or REST's `admin_graphql_api_id` / `id`. */
export function orderGidOf(payload: unknown): string | null {
  if (!isObj(payload)) return null;
  if (typeof payload.id === 'string' && payload.id.startsWith('gid://shopify/Order/')) return payload.id;
  if (typeof payload.admin_graphql_api_id === 'string') return payload.admin_graphql_api_id;
  if (typeof payload.id === 'number' || (typeof payload.id === 'string' && /^\d+$/.test(payload.id)))
    return `gid://shopify/Order/${String(payload.id)}`;
  return null;
}

const refKey = (packageNo: number) => `fulfillment:${packageNo}`;

/** Store settings of the write side (the rest of the store's settings are the adapter's). */
function flag(settings: Record<string, unknown> | undefined, key: string, fallback: boolean): boolean {
  const v = settings?.[key];
  return typeof v === 'boolean' ? v : fallback;
}

export class ShopifyActions implements CartActions {
  readonly cart = 'shopify' as const;
  private readonly code: (carrier: Carrier) => string | null;
  private readonly notify: boolean;
  private readonly refund: boolean;
  private readonly restock: boolean;

  constructor(
    private readonly adapter: ShopifyAdapter,
    settings: Record<string, unknown> | undefined,
  ) {
    this.code = carrierTable(SHOPIFY_TRACKING_COMPANIES, settings);
    // The customer's 発送完了 mail, and a cancel's refund and restock (shopify's own defaults differ).
    this.notify = flag(settings, 'notifyCustomer', true);
    this.refund = flag(settings, 'refundOnCancel', true);
    this.restock = flag(settings, 'restockOnCancel', true);
  }

  private get gql(): ShopifyGraphqlOrders {
    return this.adapter.graphql!;
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  async ship(input: ShipInput): Promise<ActionOutcome> {
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const no = input.cartOrderNo;
    const gid = await this.orderGid(input.cartOrderNo, input.cartPayload);
    if (!gid) return refused('ORDER_NOT_FOUND', `注文 ${no}: Shopify にこの注文がありません。`);
    const cartRefs: Record<string, string> = {};
    const answers: string[] = [];
    let changed = false;
    for (const pkg of input.packages) {
      const out = await this.shipPackage(no, gid, pkg, input.cartRefs[refKey(pkg.packageNo)] ?? null);
      if (out.status === 'refused') return out;
      if (out.status === 'done') changed = true;
      Object.assign(cartRefs, out.cartRefs);
      answers.push(out.answer);
    }
    return { status: changed ? 'done' : 'already', answer: answers.join(' / '), cartRefs };
  }

  private async shipPackage(
    no: string,
    gid: string,
    pkg: ShipmentPackage,
    storedId: string | null,
  ): Promise<ActionOutcome> {
    const company = this.code(pkg.carrier) === 'other' ? pkg.carrierName?.trim() : this.code(pkg.carrier);
    if (!company)
      return refused(
        'CARRIER_NAME_REQUIRED',
        `注文 ${no}: 配送会社が「その他」のときは配送会社名を入力してください。`,
      );
    const number = pkg.trackingNumber.trim();
    if (!number) return refused('TRACKING_REQUIRED', `注文 ${no}: 追跡番号がありません。`);
    const ref = { [refKey(pkg.packageNo)]: '' };
    const state = await this.readOrder(gid);
    if (!state) return refused('ORDER_NOT_FOUND', `注文 ${no}: Shopify にこの注文がありません。`);
    // An earlier attempt made this package: by its stored id, or by the tracking number it carries.
    const mine =
      state.fulfillments.find((f) => f.id === storedId) ??
      state.fulfillments.find((f) => f.numbers.includes(number));
    if (mine) {
      ref[refKey(pkg.packageNo)] = mine.id;
      if (mine.numbers.includes(number))
        return { status: 'already', answer: `発送済み（${mine.id}、追跡番号 ${number}）`, cartRefs: ref };
      return this.updateTracking(no, mine.id, company, number, ref);
    }
    if (state.cancelled)
      return refused('ORDER_CANCELLED', `注文 ${no}: Shopify でキャンセルされた注文です。`);
    const plan = this.plan(no, state, pkg);
    if ('refusal' in plan) return plan.refusal;
    let data: unknown;
    try {
      data = await this.gql.run(
        'graphqlFulfillmentCreate',
        FULFILLMENT_CREATE,
        {
          fulfillment: {
            lineItemsByFulfillmentOrder: plan.groups,
            trackingInfo: { company, number },
            notifyCustomer: this.notify,
          },
        },
        { idempotent: false },
      );
    } catch (e) {
      if (!(e instanceof CartUnavailableError)) throw e;
      // The answer was lost: whether Shopify made the fulfillment is read, never guessed.
      const after = await this.readOrder(gid);
      const made = after?.fulfillments.find((f) => f.numbers.includes(number));
      if (!made) throw e;
      ref[refKey(pkg.packageNo)] = made.id;
      return {
        status: 'done',
        answer: `fulfillmentCreate ${made.id}（${company} ${number}、応答なしのため再読込で確認）`,
        cartRefs: ref,
      };
    }
    const payload = isObj(data) && isObj(data.fulfillmentCreate) ? data.fulfillmentCreate : null;
    const errors = payload ? nodes(payload.userErrors) : [];
    if (errors.length > 0)
      return {
        status: 'refused',
        code: 'USER_ERRORS',
        answer: `注文 ${no}: Shopify が発送を受け付けませんでした（${errors.map((e) => `${(e.field as string[] | null)?.join('.') ?? ''} ${String(e.message)}`.trim()).join(' / ')}）`,
      };
    const id = payload && isObj(payload.fulfillment) ? str(payload.fulfillment.id) : null;
    if (!id)
      throw new CartResponseError(
        `shopify fulfillmentCreate: no fulfillment in ${JSON.stringify(data).slice(0, 120)}`,
        'shopify',
      );
    ref[refKey(pkg.packageNo)] = id;
    return { status: 'done', answer: `fulfillmentCreate ${id}（${company} ${number}）`, cartRefs: ref };
  }

  /** The fulfillment-order line items a package takes: its lines by SKU, or everything still to fulfill. */
  private plan(
    no: string,
    state: OrderState,
    pkg: ShipmentPackage,
  ):
    | {
        groups: Array<{
          fulfillmentOrderId: string;
          fulfillmentOrderLineItems: Array<{ id: string; quantity: number }>;
        }>;
      }
    | { refusal: ActionOutcome } {
    const open = state.fulfillmentOrders.filter((fo) => fo.status === 'OPEN' || fo.status === 'IN_PROGRESS');
    const held = state.fulfillmentOrders.filter(
      (fo) =>
        (fo.status === 'ON_HOLD' || fo.status === 'SCHEDULED') &&
        fo.lines.some((l) => l.remainingQuantity > 0),
    );
    const take = new Map<string, Map<string, number>>();
    const add = (fo: string, line: string, q: number) => {
      const m = take.get(fo) ?? new Map<string, number>();
      m.set(line, (m.get(line) ?? 0) + q);
      take.set(fo, m);
    };
    if (pkg.lines) {
      for (const want of pkg.lines) {
        let left = want.quantity;
        for (const fo of open)
          for (const l of fo.lines) {
            if (left <= 0 || l.sku !== want.cartProductCode) continue;
            const already = take.get(fo.id)?.get(l.id) ?? 0;
            const q = Math.min(left, l.remainingQuantity - already);
            if (q > 0) {
              add(fo.id, l.id, q);
              left -= q;
            }
          }
        if (left > 0)
          return {
            refusal: refused(
              held.length ? 'FULFILLMENT_ORDER_ON_HOLD' : 'LINES_ALREADY_FULFILLED',
              held.length
                ? `注文 ${no}: 商品「${want.cartProductCode}」のフルフィルメントオーダーが保留中（${held.map((fo) => fo.status).join('、')}）です。Shopify で保留を解除してください。`
                : `注文 ${no}: 商品「${want.cartProductCode}」の未発送数が ${want.quantity - left} しかありません（Shopify で既に発送済み）。Shopify の注文を確認してください。`,
            ),
          };
      }
    } else
      for (const fo of open)
        for (const l of fo.lines) if (l.remainingQuantity > 0) add(fo.id, l.id, l.remainingQuantity);
    if (take.size === 0)
      return {
        refusal: refused(
          held.length ? 'FULFILLMENT_ORDER_ON_HOLD' : 'NOTHING_TO_FULFILL',
          held.length
            ? `注文 ${no}: フルフィルメントオーダーが保留中（${held.map((fo) => fo.status).join('、')}）です。Shopify で保留を解除してください。`
            : `注文 ${no}: Shopify では発送する商品が残っていません（別の追跡番号で発送済み）。Shopify の注文を確認してください。`,
        ),
      };
    return {
      groups: [...take].map(([fulfillmentOrderId, lines]) => ({
        fulfillmentOrderId,
        fulfillmentOrderLineItems: [...lines].map(([id, quantity]) => ({ id, quantity })),
      })),
    };
  }

  private async updateTracking(
    no: string,
    fulfillmentId: string,
    company: string,
    number: string,
    cartRefs: Record<string, string>,
  ): Promise<ActionOutcome> {
    const data = await this.gql.run('graphqlTrackingInfoUpdate', TRACKING_UPDATE, {
      fulfillmentId,
      trackingInfoInput: { company, number },
      notifyCustomer: this.notify,
    });
    const payload =
      isObj(data) && isObj(data.fulfillmentTrackingInfoUpdate) ? data.fulfillmentTrackingInfoUpdate : null;
    const errors = payload ? nodes(payload.userErrors) : [];
    if (errors.length > 0)
      return {
        status: 'refused',
        code: 'USER_ERRORS',
        answer: `注文 ${no}: Shopify が追跡番号の変更を受け付けませんでした（${errors.map((e) => String(e.message)).join(' / ')}）`,
      };
    return {
      status: 'done',
      answer: `fulfillmentTrackingInfoUpdate ${fulfillmentId}（${company} ${number}）`,
      cartRefs,
    };
  }

  async cancel(input: CancelInput): Promise<ActionOutcome> {
    const no = input.cartOrderNo;
    const gid = await this.orderGid(no, input.cartPayload);
    if (!gid) return refused('ORDER_NOT_FOUND', `注文 ${no}: Shopify にこの注文がありません。`);
    const reason = input.reasonCode && CANCEL_REASONS.has(input.reasonCode) ? input.reasonCode : 'OTHER';
    const data = await this.gql.run('graphqlOrderCancel', ORDER_CANCEL, {
      orderId: gid,
      reason,
      refundMethod: { originalPaymentMethodsRefund: this.refund },
      restock: this.restock,
      notifyCustomer: this.notify,
      staffNote: input.reason.slice(0, 255) || null,
    });
    const payload = isObj(data) && isObj(data.orderCancel) ? data.orderCancel : null;
    const errors = payload ? nodes(payload.orderCancelUserErrors) : [];
    if (errors.length === 0) {
      const job = payload && isObj(payload.job) ? str(payload.job.id) : null;
      return { status: 'done', answer: `orderCancel（reason ${reason}${job ? `、job ${job}` : ''}）` };
    }
    const said = errors.map((e) => `${String(e.code ?? '')} ${String(e.message)}`.trim()).join(' / ');
    const state = await this.readOrder(gid);
    if (state?.cancelled)
      return { status: 'already', answer: `キャンセル済み（再読込で確認）。Shopify の回答: ${said}` };
    return {
      status: 'refused',
      code: String(errors[0]!.code ?? 'USER_ERRORS'),
      answer: `注文 ${no}: Shopify がキャンセルを受け付けませんでした（${said}）`,
    };
  }

  /** The order's fulfillment orders and fulfillments now; null when Shopify does not know the order. */
  private async readOrder(gid: string): Promise<OrderState | null> {
    const data = await this.gql.run('graphqlFulfillmentOrders', FULFILLMENT_ORDERS_QUERY, { id: gid });
    const o = isObj(data) && isObj(data.order) ? data.order : null;
    if (!o) return null;
    return {
      id: String(o.id),
      cancelled: typeof o.cancelledAt === 'string' && o.cancelledAt !== '',
      fulfillmentOrders: nodes(o.fulfillmentOrders).map((fo) => ({
        id: String(fo.id),
        status: String(fo.status),
        lines: nodes(fo.lineItems).map((l) => ({
          id: String(l.id),
          remainingQuantity: Number(l.remainingQuantity ?? 0),
          sku: isObj(l.lineItem) ? str(l.lineItem.sku) : null,
        })),
      })),
      fulfillments: nodes(o.fulfillments).map((f) => ({
        id: String(f.id),
        numbers: nodes(f.trackingInfo).flatMap((t) => (typeof t.number === 'string' ? [t.number] : [])),
      })),
    };
  }

  private async orderGid(cartOrderNo: string, payload: unknown): Promise<string | null> {
    const known = orderGidOf(payload);
    if (known) return known;
    const raw = await this.adapter.fetchOrder(cartOrderNo);
    return raw ? orderGidOf(raw.payload) : null;
  }
}

export function createShopifyActions(opts: AdapterOptions<ShopifyCredentials>): ShopifyActions {
  // Writes are GraphQL whatever API the store reads orders with (REST has no fulfillment orders' writes juchu uses).
  const adapter = new ShopifyAdapter({ ...opts, settings: { ...opts.settings, ordersApi: 'graphql' } });
  return new ShopifyActions(adapter, opts.settings);
}

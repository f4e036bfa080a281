// The GraphQL mutations the Shopify simulator answers: fulfillmentCreate on fulfillment orders,
// fulfillmentTrackingInfoUpdate and orderCancel, with their input checks and `userErrors`, and their
// effect on the order the next query or import reads (render.ts builds fulfillments and fulfillment
// orders from what is recorded here). Argument and payload names are shopify.dev's [V]; the wording
// of the simulator's userErrors is ours [I].
import { randomUUID } from 'node:crypto';
import { jstDate } from '../../domain/time.js';
import type { SimShipment } from '../sim/generate.js';
import type { OrderBook } from '../sim/kit.js';
import { argValue, type GqlField } from './graphql-query.js';

type Json = Record<string, unknown>;

/** A mutation the simulator does not have, or arguments it cannot take: a top-level GraphQL error. */
export class MutationArgumentError extends Error {}

export interface WriteContext {
  book: OrderBook;
  /** Mutations beyond the order writes (inventorySetQuantities, simulator-stock.ts). */
  more?: Record<string, (f: GqlField, vars: Json) => Json>;
  clock: () => Date;
  /** The live GraphQL order (graphqlOrderOf) of a numeric id, or null; fixtures have none. */
  orderById(id: number): Json | null;
  /** Whether orders come from recorded bodies (served read-only). */
  readOnly: boolean;
}

const ORDER_GID = /^gid:\/\/shopify\/Order\/(\d+)$/;
const FO_GID = /^gid:\/\/shopify\/FulfillmentOrder\/(\d+)1$/;
const FULFILLMENT_GID = /^gid:\/\/shopify\/Fulfillment\/(\d+)$/;
/** OrderCancelReason [V]. */
const CANCEL_REASONS = new Set(['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF']);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);
const userError = (field: string[] | null, message: string, code?: string): Json => ({
  __typename: 'UserError',
  field,
  message,
  ...(code ? { code } : {}),
});

/** Numeric id of an order's simulated seq: render.ts names orders `#1000+seq` with id base+seq. */
function nameOf(order: Json): string | null {
  return typeof order.name === 'string' ? order.name : null;
}

export function shopifyWrites(ctx: WriteContext) {
  let nextFulfillment = 4_800_000_000;

  /** The fulfillments (shipments) recorded for an order: render.ts turns them into Fulfillments. */
  const shipmentsOf = (name: string): SimShipment[] => ctx.book.find(name)?.shipments ?? [];

  const fulfillmentCreate = (f: GqlField, vars: Json): Json => {
    const input = argValue(f.args.fulfillment, vars);
    if (!isObj(input))
      throw new MutationArgumentError('Variable $fulfillment of type FulfillmentInput! was not provided.');
    const groups = list(input.lineItemsByFulfillmentOrder);
    const fail = (field: string[], message: string) => ({
      __typename: 'FulfillmentCreatePayload',
      fulfillment: null,
      userErrors: [userError(field, message)],
    });
    if (groups.length === 0)
      return fail(
        ['fulfillment', 'lineItemsByFulfillmentOrder'],
        'At least one fulfillment order is required.',
      );
    if (ctx.readOnly) return fail(['fulfillment'], '[simulator] recorded orders are read-only.');
    let order: Json | null = null;
    const lines: Array<{ line: number; quantity: number }> = [];
    for (const [gi, g] of groups.entries()) {
      const m = FO_GID.exec(String(g.fulfillmentOrderId ?? ''));
      const o = m ? ctx.orderById(Number(m[1])) : null;
      const fo = o ? list(o.fulfillmentOrders)[0] : undefined;
      const at = ['fulfillment', 'lineItemsByFulfillmentOrder', String(gi), 'fulfillmentOrderId'];
      if (!o || !fo || fo.id !== g.fulfillmentOrderId) return fail(at, 'Fulfillment order does not exist.');
      if (order && order.id !== o.id)
        return fail(at, 'All fulfillment orders must belong to the same order.');
      order = o;
      const status = String(fo.status);
      if (status !== 'OPEN' && status !== 'IN_PROGRESS')
        return fail(
          at,
          `Fulfillment order ${String(fo.id)} has an unfulfillable status= ${status.toLowerCase()}.`,
        );
      const foLines = list(fo.lineItems);
      const wanted =
        g.fulfillmentOrderLineItems === undefined || g.fulfillmentOrderLineItems === null
          ? foLines
              .filter((l) => Number(l.remainingQuantity) > 0)
              .map((l) => ({ id: l.id, quantity: Number(l.remainingQuantity) }))
          : list(g.fulfillmentOrderLineItems);
      for (const [li, w] of wanted.entries()) {
        const line = foLines.findIndex((l) => l.id === w.id);
        const where = [
          'fulfillment',
          'lineItemsByFulfillmentOrder',
          String(gi),
          'fulfillmentOrderLineItems',
          String(li),
        ];
        if (line < 0) return fail(where, 'Fulfillment order line item does not exist.');
        const q = w.quantity;
        const remaining = Number(foLines[line]!.remainingQuantity);
        if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > remaining)
          return fail(
            where,
            `Invalid fulfillment order line item quantity requested (${String(q)}; ${remaining} remaining).`,
          );
        lines.push({ line, quantity: q });
      }
    }
    if (lines.length === 0)
      return fail(['fulfillment'], 'Fulfillment order has no line items left to fulfill.');
    const tracking = isObj(input.trackingInfo) ? input.trackingInfo : {};
    const numbers = Array.isArray(tracking.numbers)
      ? tracking.numbers.filter((n): n is string => typeof n === 'string')
      : typeof tracking.number === 'string'
        ? [tracking.number]
        : [];
    const company = typeof tracking.company === 'string' ? tracking.company : '';
    const id = ++nextFulfillment;
    const name = nameOf(order!)!;
    ctx.book.happen(name, 'ship', {
      shipments: [
        {
          key: String(id),
          carrier: company,
          carrierName: null,
          trackingNumber: numbers[0] ?? '',
          shippedOn: jstDate(ctx.clock()),
          lines,
        },
      ],
    });
    return {
      __typename: 'FulfillmentCreatePayload',
      fulfillment: fulfillmentObject(String(id), company, numbers, shipmentsOf(name).length, name),
      userErrors: [],
    };
  };

  const fulfillmentTrackingInfoUpdate = (f: GqlField, vars: Json): Json => {
    const fid = String(argValue(f.args.fulfillmentId, vars) ?? '');
    const input = argValue(f.args.trackingInfoInput, vars);
    if (!isObj(input))
      throw new MutationArgumentError(
        'Variable $trackingInfoInput of type FulfillmentTrackingInput! was not provided.',
      );
    const fail = (field: string[], message: string) => ({
      __typename: 'FulfillmentTrackingInfoUpdatePayload',
      fulfillment: null,
      userErrors: [userError(field, message)],
    });
    const m = FULFILLMENT_GID.exec(fid);
    const owner = m ? ctx.book.visible().find((v) => v.shipments.some((s) => s.key === m[1])) : undefined;
    if (!m || !owner) return fail(['fulfillmentId'], 'Fulfillment does not exist.');
    const name = ctx.book.cartOrderNo(owner);
    const old = owner.shipments.find((s) => s.key === m[1])!;
    const numbers = Array.isArray(input.numbers)
      ? input.numbers.filter((n): n is string => typeof n === 'string')
      : typeof input.number === 'string'
        ? [input.number]
        : [];
    if (numbers.length === 0) return fail(['trackingInfoInput', 'number'], 'Tracking number is required.');
    const company = typeof input.company === 'string' ? input.company : old.carrier;
    ctx.book.happen(name, 'ship', { shipments: [{ ...old, carrier: company, trackingNumber: numbers[0]! }] });
    return {
      __typename: 'FulfillmentTrackingInfoUpdatePayload',
      fulfillment: fulfillmentObject(old.key, company, numbers, owner.shipments.indexOf(old) + 1, name),
      userErrors: [],
    };
  };

  const orderCancel = (f: GqlField, vars: Json): Json => {
    const a = (k: string) => argValue(f.args[k], vars);
    const reason = a('reason');
    if (typeof reason !== 'string' || !CANCEL_REASONS.has(reason))
      throw new MutationArgumentError(
        `Argument 'reason' on Field 'orderCancel' has an invalid value (${String(reason)}). Expected type 'OrderCancelReason!'.`,
      );
    if (typeof a('restock') !== 'boolean')
      throw new MutationArgumentError(
        "Argument 'restock' on Field 'orderCancel' is required. Expected type Boolean!",
      );
    if (a('refundMethod') === undefined && typeof a('refund') !== 'boolean')
      throw new MutationArgumentError("Field 'orderCancel' is missing required argument: refundMethod");
    const fail = (code: string, message: string) => ({
      __typename: 'OrderCancelPayload',
      job: null,
      orderCancelUserErrors: [{ __typename: 'OrderCancelUserError', code, field: ['orderId'], message }],
      userErrors: [userError(['orderId'], message)],
    });
    const m = ORDER_GID.exec(String(a('orderId') ?? ''));
    const order = m ? ctx.orderById(Number(m[1])) : null;
    if (!order) return fail('NOT_FOUND', 'Order does not exist.');
    if (ctx.readOnly) return fail('INVALID', '[simulator] recorded orders are read-only.');
    if (order.cancelledAt) return fail('INVALID', 'Cannot cancel an order that has already been cancelled.');
    const name = nameOf(order)!;
    // Shopify refuses a cancel while fulfillments are outstanding [V: orderCancel's conditions, partly read] [I].
    if (shipmentsOf(name).length > 0 || order.displayFulfillmentStatus === 'FULFILLED')
      return fail('INVALID', 'Cannot cancel an order with fulfillments. Cancel its fulfillments first.');
    ctx.book.happen(name, 'cancel', { reason: reason.toLowerCase() });
    return {
      __typename: 'OrderCancelPayload',
      // The cancel runs as a job at Shopify; the simulator has done it by the time it answers [I].
      job: { __typename: 'Job', id: `gid://shopify/Job/${randomUUID()}`, done: false },
      orderCancelUserErrors: [],
      userErrors: [],
    };
  };

  const MUTATIONS: Record<string, (f: GqlField, vars: Json) => Json> = {
    fulfillmentCreate,
    fulfillmentTrackingInfoUpdate,
    orderCancel,
    ...ctx.more,
  };
  return {
    has: (name: string) => name in MUTATIONS,
    run: (f: GqlField, vars: Json): Json => MUTATIONS[f.name]!(f, vars),
  };
}

function fulfillmentObject(
  id: string,
  company: string,
  numbers: string[],
  n: number,
  orderName: string,
): Json {
  return {
    __typename: 'Fulfillment',
    id: `gid://shopify/Fulfillment/${id}`,
    legacyResourceId: id,
    name: `${orderName}.${n}`,
    status: 'SUCCESS',
    trackingInfo: numbers.map((number) => ({
      __typename: 'FulfillmentTrackingInfo',
      company,
      number,
      url: null,
    })),
  };
}

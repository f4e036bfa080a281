// Operation: deliver one cart action from the outbox (db/cart-actions.ts) through the store's
// CartActions (carts/actions.ts). Claimed with a lease first, so two jobs for one action send once;
// done / already → done with the cart-side ids stored; refused → 要対応 (waits for a human, never
// retried), and so is a request the cart's HTTP answer refused as malformed (CartRequestError);
// refused credentials → failed at once; not sent because the worker is stopping → pending again; any
// other error → pending again with its error (the job retries with backoff), or failed on the last
// attempt. Confirms go in batches per store (Rakuten
// confirmOrder ≤ 100 per call), and so are stock actions (the cart's stock batch; quantities computed
// at delivery: push-stock.ts).
import {
  type ActionOutcome,
  type CancelInput,
  type CartActions,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
  type ShipmentPackage,
} from '../carts/actions.js';
import { CartAuthError, isCartError } from '../carts/errors.js';
import { isLimiterStopped } from '../carts/rate-limit.js';
import {
  type CartActionRow,
  claimBatchMates,
  claimCartAction,
  failCartAttempt,
  finishCartAction,
  noteAsyncRequest,
  pendingBehind,
} from '../db/cart-actions.js';
import type { Db } from '../db/db.js';
import { claimStockMates } from '../db/stock-push.js';
import { getStoreById, type Store } from '../db/stores.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionRedelivery, redeliverCartActions } from './enqueue-cart-actions.js';
import { sendStockActions } from './push-stock.js';

export interface DeliverDeps extends UseCaseDeps {
  actionsFor: (store: Store) => Promise<CartActions>;
  queues?: CartActionRedelivery;
  /** How long a claim holds before another worker may take the action over (its worker died). */
  leaseMs?: number;
}

export interface DeliverInput {
  actionId: number;
  /** The job's last attempt: a failure now is final (失敗) instead of pending. */
  final: boolean;
  /** When a failed attempt is due again (the sweep waits until then). */
  retryAt: Date;
}

export type DeliverResult =
  | { status: 'skipped' }
  | { status: 'done' | 'refused'; ids: number[]; answer: string };

const LEASE_MS = 5 * 60_000;

async function rawPayload(db: Db, orderId: number | null): Promise<unknown> {
  if (orderId === null) return null;
  const r = await db.selectFrom('orders').select('raw_payload').where('id', '=', orderId).executeTakeFirst();
  return r?.raw_payload ?? null;
}

/** Cart-side ids of earlier ship actions of the same order (a corrected number updates them). */
async function earlierRefs(db: Db, row: CartActionRow): Promise<Record<string, string>> {
  if (row.order_id === null) return row.cart_refs;
  const rows = await db
    .selectFrom('cart_actions')
    .select('cart_refs')
    .where('order_id', '=', row.order_id)
    .where('kind', '=', row.kind)
    .where('id', '<', row.id)
    .orderBy('id')
    .execute();
  return Object.assign({}, ...rows.map((r) => r.cart_refs), row.cart_refs);
}

const NO_API = (what: string) =>
  refused(
    'UNSUPPORTED',
    `このカートは${what}の API に対応していないため、送信しませんでした。カートの管理画面で操作してください。`,
  );

async function sendOne(deps: DeliverDeps, actions: CartActions, row: CartActionRow): Promise<ActionOutcome> {
  const cartOrderNo = row.cart_order_no ?? '';
  const p = row.payload as Record<string, unknown>;
  switch (row.kind) {
    case 'ship': {
      if (!actions.ship) return NO_API('発送完了');
      const packages = (p.packages ?? []) as ShipmentPackage[];
      const unknown = refuseUnknownCarriers(actions, { cartOrderNo, packages });
      if (unknown) return unknown;
      return actions.ship({
        cartOrderNo,
        packages,
        cartRefs: await earlierRefs(deps.db, row),
        cartPayload: await rawPayload(deps.db, row.order_id),
      });
    }
    case 'cancel': {
      if (!actions.cancel) return NO_API('キャンセル');
      return actions.cancel({
        cartOrderNo,
        reasonCode: (p.reasonCode as CancelInput['reasonCode']) ?? null,
        reason: String(p.reason ?? ''),
        cartPayload: await rawPayload(deps.db, row.order_id),
      });
    }
    case 'stock':
      throw new Error('stock actions are sent in batches (sendStockActions)');
    case 'confirm': {
      if (!actions.confirmOrders) return NO_API('注文確認');
      const answers = await actions.confirmOrders([cartOrderNo]);
      return (
        answers.get(cartOrderNo) ??
        refused('NO_ANSWER', `注文 ${cartOrderNo}: カートから注文確認の結果が返りませんでした。`)
      );
    }
  }
}

/** Rakuten keeps an async request's result 30 days: an older stored request is not asked again. */
const ASYNC_RESULT_KEPT_MS = 30 * 86_400_000;

/**
 * Ship actions in one bulk call (shipMany), each finished with its outcome. The request id the cart answers
 * with is stored on the rows before its result is polled; rows that carry one from an earlier attempt
 * have it read first. A second action of an order already in the request (a corrected number) goes
 * after it, on its own (the cart refuses an order twice in one request).
 */
async function shipInBulk(
  deps: DeliverDeps,
  actions: CartActions,
  rows: CartActionRow[],
): Promise<Map<number, ActionOutcome>> {
  const out = new Map<number, ActionOutcome>();
  const first = new Map<string, CartActionRow>();
  const later: CartActionRow[] = [];
  for (const r of rows) {
    const no = r.cart_order_no ?? '';
    if (first.has(no)) later.push(r);
    else first.set(no, r);
  }
  const inputs: ShipInput[] = [];
  for (const [no, r] of first)
    inputs.push({
      cartOrderNo: no,
      packages: ((r.payload as Record<string, unknown>).packages ?? []) as ShipmentPackage[],
      cartRefs: await earlierRefs(deps.db, r),
      cartPayload: await rawPayload(deps.db, r.order_id),
    });
  const since = deps.now().getTime() - ASYNC_RESULT_KEPT_MS;
  const earlier = new Map(
    [...first]
      .filter(([, r]) => r.async_request_id && (r.async_requested_at?.getTime() ?? 0) > since)
      .map(
        ([no, r]) =>
          [no, { requestId: r.async_request_id!, requestedAt: r.async_requested_at ?? new Date(0) }] as const,
      ),
  );
  const answers = await actions.shipMany!(inputs, {
    earlier,
    onRequest: (requestId, nos) =>
      noteAsyncRequest(
        deps.db,
        nos.map((no) => first.get(no)?.id).filter((id): id is number => id !== undefined),
        requestId,
        deps.now(),
      ),
  });
  for (const [no, r] of first) {
    const o =
      answers.get(no) ?? refused('NO_ANSWER', `注文 ${no}: カートから発送完了報告の結果が返りませんでした。`);
    out.set(r.id, o);
    await finish(deps, r, o);
  }
  // After the first ones are finished, so their cart-side ids are there to update.
  for (const r of later) {
    const o = await sendOne(deps, actions, r);
    out.set(r.id, o);
    await finish(deps, r, o);
  }
  return out;
}

function finish(deps: DeliverDeps, row: CartActionRow, o: ActionOutcome) {
  return finishCartAction(
    deps.db,
    row.id,
    o.status === 'refused'
      ? { state: 'refused', answer: o.answer, code: o.code ?? null }
      : { state: 'done', answer: o.answer, code: o.status, cartRefs: o.cartRefs },
    deps.now(),
  );
}

export async function deliverCartAction(deps: DeliverDeps, input: DeliverInput): Promise<DeliverResult> {
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const lead = await claimCartAction(deps.db, input.actionId, deps.now(), leaseMs);
  if (!lead) return { status: 'skipped' };
  let rows = [lead];
  try {
    const store = await getStoreById(deps.db, lead.store_id);
    const actions = await deps.actionsFor(store);
    if (lead.kind === 'stock') {
      // 在庫連携: the store's pending stock actions in one cart batch, quantities computed now.
      rows = [
        lead,
        ...(await claimStockMates(deps.db, lead, (actions.stockBatch ?? 1) - 1, deps.now(), leaseMs)),
      ];
      const outcomes = await sendStockActions(deps, store, actions, rows);
      for (const r of rows) await finish(deps, r, outcomes.get(r.id)!);
      if (deps.queues)
        for (const r of rows) await redeliverCartActions(deps.queues, await pendingBehind(deps.db, r));
      const o = outcomes.get(lead.id)!;
      return {
        status: o.status === 'refused' ? 'refused' : 'done',
        ids: rows.map((r) => r.id),
        answer: o.answer,
      };
    }
    if (lead.kind === 'ship' && actions.shipMany) {
      // Bulk where the cart has it (Rakuten updateOrderShippingAsync, ≤ 100 orders): the store's due
      // ship actions in one request. One alone goes the synchronous way, unless an earlier attempt
      // of it went out in a request whose result must be read first.
      const mates = await claimBatchMates(deps.db, lead, (actions.shipBatch ?? 1) - 1, deps.now(), leaseMs);
      rows = [lead, ...mates];
      if (rows.length > 1 || lead.async_request_id) {
        const outcomes = await shipInBulk(deps, actions, rows);
        const o = outcomes.get(lead.id)!;
        return {
          status: o.status === 'refused' ? 'refused' : 'done',
          ids: rows.map((r) => r.id),
          answer: o.answer,
        };
      }
    }
    if (lead.kind === 'confirm' && actions.confirmOrders) {
      const batch = actions.confirmBatch ?? 100;
      rows = [lead, ...(await claimBatchMates(deps.db, lead, batch - 1, deps.now(), leaseMs))];
      const answers = await actions.confirmOrders(rows.map((r) => r.cart_order_no ?? ''));
      for (const r of rows)
        await finish(
          deps,
          r,
          answers.get(r.cart_order_no ?? '') ??
            refused('NO_ANSWER', `注文 ${r.cart_order_no}: カートから注文確認の結果が返りませんでした。`),
        );
    } else {
      const o = await sendOne(deps, actions, lead);
      await finish(deps, lead, o);
      rows = [lead];
      if (deps.queues) await redeliverCartActions(deps.queues, await pendingBehind(deps.db, lead));
      return { status: o.status === 'refused' ? 'refused' : 'done', ids: [lead.id], answer: o.answer };
    }
    return { status: 'done', ids: rows.map((r) => r.id), answer: '注文確認を送信しました' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // The cart refused the request as malformed (a 4xx other than auth and rate limit, bad settings):
    // sending the same again cannot help, so it waits for a human (要対応) like a refusal in the answer.
    if (isCartError(e) && !e.retryable && !(e instanceof CartAuthError)) {
      const answer = `カートが要求を受け付けませんでした: ${msg}`;
      for (const r of rows) await finish(deps, r, refused('BAD_REQUEST', answer));
      return { status: 'refused', ids: rows.map((r) => r.id), answer };
    }
    // Credentials refused: no retry helps until an admin enters new ones, so it fails now (失敗) and
    // the job does not retry (jobs/deliver-cart-action.ts); 再送 or Bull Board's retry sends it after.
    // Not sent because the worker is stopping (it was waiting for a rate-limit token): pending again,
    // even on the last attempt — the job goes back to wait without counting it.
    const final = !isLimiterStopped(e) && (input.final || e instanceof CartAuthError);
    for (const r of rows)
      await failCartAttempt(deps.db, r.id, msg, { now: deps.now(), retryAt: input.retryAt, final });
    throw e;
  }
}

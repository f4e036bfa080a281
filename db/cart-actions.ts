// The cart-actions outbox (table cart_actions): use cases record what a cart must be told in the
// same transaction as the order change (recordCartActions), a job claims one with a lease, sends it
// through the store's CartActions (carts/actions.ts) and records the outcome. Every write here is
// guarded by the row's state, so a job delivered twice (BullMQ is at least once) changes nothing.

import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Db } from './db.js';
import type { CartActionKind, CartActionState, CartActionsTable } from './schema.js';

export type CartActionRow = Selectable<CartActionsTable>;

export interface NewCartAction {
  storeId: number;
  orderId?: number | null;
  cartOrderNo?: string | null;
  kind: CartActionKind;
  /**
   * Idempotency key, unique per store (e.g. `ship:<orderId>:<packageNo>:<parcels hash>`): recording
   * the same key again records nothing. Use it or `coalesceKey`, not both.
   */
  key?: string | null;
  /** A newer value replaces a pending one with the same key (stock per store × product). */
  coalesceKey?: string | null;
  payload: Record<string, unknown>;
  createdBy: string;
}

/**
 * Records actions in the caller's transaction. Returns the ids that need a delivery job after commit:
 * the new rows and the pending rows whose payload a coalesced value replaced (their job may be gone).
 * A key recorded before (in any state) records nothing and returns nothing.
 */
export async function recordCartActions(
  trx: Db,
  actions: readonly NewCartAction[],
  now: Date,
): Promise<number[]> {
  const keyed = new Map<string, NewCartAction>();
  const coalesced = new Map<string, NewCartAction>();
  const plain: NewCartAction[] = [];
  for (const a of actions) {
    if (a.key && a.coalesceKey) throw new Error('a cart action has a key or a coalesce key, not both');
    if (a.key) keyed.set(`${a.storeId}\u0000${a.key}`, a);
    // Within one call the last value wins, as it would across calls.
    else if (a.coalesceKey) coalesced.set(`${a.storeId}\u0000${a.coalesceKey}`, a);
    else plain.push(a);
  }
  const row = (a: NewCartAction) => ({
    store_id: a.storeId,
    order_id: a.orderId ?? null,
    cart_order_no: a.cartOrderNo ?? null,
    kind: a.kind,
    action_key: a.key ?? null,
    coalesce_key: a.coalesceKey ?? null,
    payload: JSON.stringify(a.payload),
    created_by: a.createdBy,
    created_at: now,
    next_attempt_at: now,
    updated_at: now,
  });
  const ids: number[] = [];
  if (plain.length)
    ids.push(
      ...(await trx.insertInto('cart_actions').values(plain.map(row)).returning('id').execute()).map(
        (r) => r.id,
      ),
    );
  if (keyed.size)
    ids.push(
      ...(
        await trx
          .insertInto('cart_actions')
          .values([...keyed.values()].map(row))
          .onConflict((oc) =>
            oc.columns(['store_id', 'action_key']).where('action_key', 'is not', null).doNothing(),
          )
          .returning('id')
          .execute()
      ).map((r) => r.id),
    );
  if (coalesced.size)
    ids.push(
      ...(
        await trx
          .insertInto('cart_actions')
          .values([...coalesced.values()].map(row))
          .onConflict((oc) =>
            oc
              .columns(['store_id', 'coalesce_key'])
              .where(sql<boolean>`state = 'pending' AND coalesce_key IS NOT NULL`)
              .doUpdateSet((eb) => ({
                payload: eb.ref('excluded.payload'),
                order_id: eb.ref('excluded.order_id'),
                cart_order_no: eb.ref('excluded.cart_order_no'),
                created_by: eb.ref('excluded.created_by'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
          )
          .returning('id')
          .execute()
      ).map((r) => r.id),
    );
  return ids;
}

export async function getCartAction(db: Db, id: number): Promise<CartActionRow | undefined> {
  return db.selectFrom('cart_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The cart took these actions in an asynchronous request (Rakuten updateOrderShippingAsync): its id,
 * stored at once (its own statement), so a retry polls it instead of sending again.
 */
export async function noteAsyncRequest(
  db: Db,
  ids: readonly number[],
  requestId: string,
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('cart_actions')
    .set({ async_request_id: requestId, async_requested_at: now, updated_at: now })
    .where('id', 'in', [...ids])
    .where('state', '=', 'delivering')
    .execute();
}

/** Who a retry of a failed job from Bull Board is recorded as (resent_by). */
export const BULL_BOARD_ACTOR = 'bullboard';

/**
 * Takes an action for delivery: pending (or failed: only a human's retry or Bull Board's brings a job
 * for it), or delivering whose lease ran out (its worker died). Sets the lease and counts the attempt.
 * Undefined: done, refused, someone else holds it, or — for a coalesced value — an older value of the
 * same key is still being delivered (it must land first; its job enqueues this one when it finishes).
 */
export async function claimCartAction(
  db: Db,
  id: number,
  now: Date,
  leaseMs: number,
): Promise<CartActionRow | undefined> {
  return db
    .updateTable('cart_actions as a')
    .set((eb) => ({
      state: 'delivering',
      lease_until: new Date(now.getTime() + leaseMs),
      attempts: eb('a.attempts', '+', 1),
      updated_at: now,
      // A failed action has no job left but the failed one: a job that claims it is that job retried
      // by hand on Bull Board (a 再送 puts the row back to pending first), so the 再送 is Bull Board's.
      resent_by: sql<
        string | null
      >`CASE WHEN a.state = 'failed' THEN ${BULL_BOARD_ACTOR} ELSE a.resent_by END`,
      resent_at: sql<Date | null>`CASE WHEN a.state = 'failed' THEN ${now}::timestamptz ELSE a.resent_at END`,
      resend_count: sql<number>`a.resend_count + (a.state = 'failed')::int`,
    }))
    .where('a.id', '=', id)
    .where((eb) =>
      eb.or([
        eb('a.state', 'in', ['pending', 'failed']),
        eb.and([eb('a.state', '=', 'delivering'), eb('a.lease_until', '<', now)]),
      ]),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('cart_actions as o')
            .select('o.id')
            .whereRef('o.store_id', '=', 'a.store_id')
            .whereRef('o.coalesce_key', '=', 'a.coalesce_key')
            .where('o.state', '=', 'delivering')
            .where('o.lease_until', '>=', now)
            .whereRef('o.id', '<', 'a.id'),
        ),
      ),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * More pending actions of the same store and kind to send in the same call (Rakuten confirmOrder takes
 * ≤ 100 orders), claimed like claimCartAction; oldest first.
 */
export async function claimBatchMates(
  db: Db,
  lead: Pick<CartActionRow, 'id' | 'store_id' | 'kind'>,
  limit: number,
  now: Date,
  leaseMs: number,
): Promise<CartActionRow[]> {
  if (limit <= 0) return [];
  // The picked rows in a CTE (materialised once): as `id IN (SELECT … LIMIT n FOR UPDATE SKIP
  // LOCKED)` PostgreSQL may run the sub-select more than once and claim more than `limit` (seen: 117
  // claimed for 99, so one confirmOrder batch of 118).
  return db
    .with('picked', (qb) =>
      qb
        .selectFrom('cart_actions')
        .select('id')
        .where('store_id', '=', lead.store_id)
        .where('kind', '=', lead.kind)
        .where('id', '<>', lead.id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('cart_actions')
    .set((eb) => ({
      state: 'delivering',
      lease_until: new Date(now.getTime() + leaseMs),
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .where('state', '=', 'pending')
    .returningAll()
    .execute();
}

export interface ActionResult {
  state: Extract<CartActionState, 'done' | 'refused'>;
  answer: string;
  code?: string | null;
  cartRefs?: Record<string, string>;
}

/** The cart answered (done, already so, or refused): final unless a human sends it again. */
export async function finishCartAction(db: Db, id: number, r: ActionResult, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('cart_actions')
    .set({
      state: r.state,
      cart_answer: r.answer.slice(0, 4000),
      answer_code: r.code ?? null,
      // Refs an earlier attempt stored stay unless the cart named new ones.
      ...(r.cartRefs ? { cart_refs: sql<string>`cart_refs || ${JSON.stringify(r.cartRefs)}::jsonb` } : {}),
      last_error: r.state === 'refused' ? r.answer.slice(0, 4000) : null,
      lease_until: null,
      done_at: r.state === 'done' ? now : null,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('state', '=', 'delivering')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Cart-side ids learnt mid-delivery (before the answer that finishes it), kept for the retry. */
export async function storeCartRefs(db: Db, id: number, refs: Record<string, string>): Promise<void> {
  await db
    .updateTable('cart_actions')
    .set({ cart_refs: sql<string>`cart_refs || ${JSON.stringify(refs)}::jsonb` })
    .where('id', '=', id)
    .execute();
}

/**
 * A delivery attempt failed with an error retrying may fix: back to pending, due again at `retryAt`
 * (the sweep does not pick it up before), or failed when the attempts are spent.
 */
export async function failCartAttempt(
  db: Db,
  id: number,
  error: string,
  o: { now: Date; retryAt: Date; final: boolean },
): Promise<boolean> {
  const res = await db
    .updateTable('cart_actions')
    .set({
      state: o.final ? 'failed' : 'pending',
      last_error: error.slice(0, 4000),
      next_attempt_at: o.retryAt,
      lease_until: null,
      updated_at: o.now,
    })
    .where('id', '=', id)
    .where('state', '=', 'delivering')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * A human sends a failed or refused action again (再送): pending, due now, its retry count up (a new
 * job id), who and when kept. Undefined when it is not failed or refused (done, or already on its way).
 */
export async function resendCartAction(
  db: Db,
  id: number,
  now: Date,
  actor: string,
): Promise<CartActionRow | undefined> {
  return db
    .updateTable('cart_actions')
    .set((eb) => ({
      state: 'pending',
      retries: eb('retries', '+', 1),
      attempts: 0,
      next_attempt_at: now,
      updated_at: now,
      resent_by: actor,
      resent_at: now,
      resend_count: eb('resend_count', '+', 1),
    }))
    .where('id', '=', id)
    .where('state', 'in', ['failed', 'refused'])
    .returningAll()
    .executeTakeFirst();
}

/**
 * Actions whose job may be lost (Redis restarted, a worker killed): pending and due, or delivering
 * with its lease run out. The sweep enqueues their jobs again (same ids: a live job is not doubled).
 */
export async function dueCartActions(
  db: Db,
  now: Date,
  limit = 1000,
): Promise<Array<Pick<CartActionRow, 'id' | 'retries' | 'store_id'>>> {
  return db
    .selectFrom('cart_actions')
    .select(['id', 'retries', 'store_id'])
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('state', '=', 'delivering'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Pending values of a coalesce key behind a delivered one (their job waited for it). */
export async function pendingBehind(
  db: Db,
  row: Pick<CartActionRow, 'store_id' | 'coalesce_key'>,
): Promise<Array<Pick<CartActionRow, 'id' | 'retries'>>> {
  if (!row.coalesce_key) return [];
  return db
    .selectFrom('cart_actions')
    .select(['id', 'retries'])
    .where('store_id', '=', row.store_id)
    .where('coalesce_key', '=', row.coalesce_key)
    .where('state', '=', 'pending')
    .execute();
}

/** The actions of these orders, oldest first (the order detail). */
export async function cartActionsOfOrders(db: Db, orderIds: readonly number[]): Promise<CartActionRow[]> {
  if (!orderIds.length) return [];
  return db
    .selectFrom('cart_actions')
    .selectAll()
    .where('order_id', 'in', [...orderIds])
    .orderBy('order_id')
    .orderBy('id')
    .execute();
}

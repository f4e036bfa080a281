// Read model of the cart-actions outbox (cart_actions, written by db/cart-actions.ts): the actions of
// an order for its detail screen, a filtered list for `juchu actions list`, and per store (and kind)
// how many wait, failed or wait for a human and how old the oldest waiting one is — for the stores
// screen and /metrics. Counts read the open rows only (index cart_actions_open_idx).
import { sql } from 'kysely';
import {
  type CartActionKindName,
  type CartActionStateFilter,
  type CartActionStateName,
  canResend,
  cartRefsInWords,
  KIND_LABELS,
  payloadInWords,
  resentByLabel,
  STATE_FILTERS,
  STATE_LABELS,
} from '../domain/cart-action-view.js';
import { formatOrderNo } from '../domain/order.js';
import { toJstIso } from '../domain/time.js';
import type { CartActionRow } from './cart-actions.js';
import type { Db } from './db.js';

export interface CartActionView {
  id: number;
  storeCode: string;
  orderId: number | null;
  orderNo: string | null;
  cartOrderNo: string | null;
  kind: CartActionKindName;
  kindLabel: string;
  state: CartActionStateName;
  stateLabel: string;
  /** What it tells the cart, in a line (tracking numbers, a cancel's reason). */
  summary: string;
  /** Delivery attempts in this round, and 再送 rounds so far. */
  attempts: number;
  retries: number;
  /** The last 再送 (order screen, CLI or Bull Board's retry): who, when, how many so far; null: never. */
  resent: { by: string; byLabel: string; at: string; count: number } | null;
  /** The cart's answer (done or refused) and its code (done / already / the refusal's code). */
  answer: string | null;
  answerCode: string | null;
  /** The last error of a failed attempt (or the refusal). */
  error: string | null;
  cartRefs: Array<{ label: string; value: string }>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  doneAt: string | null;
  /** When a waiting action is due again (after a failed attempt). */
  nextAttemptAt: string | null;
  canResend: boolean;
}

type Row = CartActionRow & { store_code: string; order_seq: number | null };

function view(r: Row): CartActionView {
  const waiting = r.state === 'pending' || r.state === 'delivering';
  return {
    id: r.id,
    storeCode: r.store_code,
    orderId: r.order_id,
    orderNo: r.order_seq === null ? null : formatOrderNo(r.order_seq),
    cartOrderNo: r.cart_order_no,
    kind: r.kind,
    kindLabel: KIND_LABELS[r.kind],
    state: r.state,
    stateLabel: r.state === 'delivering' ? `${STATE_LABELS.delivering}（送信中）` : STATE_LABELS[r.state],
    summary: payloadInWords(r.kind, r.payload),
    attempts: r.attempts,
    retries: r.retries,
    resent:
      r.resent_by && r.resent_at
        ? {
            by: r.resent_by,
            byLabel: resentByLabel(r.resent_by),
            at: toJstIso(r.resent_at),
            count: r.resend_count,
          }
        : null,
    answer: r.cart_answer,
    answerCode: r.answer_code,
    error: r.state === 'done' ? null : r.last_error,
    cartRefs: cartRefsInWords(r.cart_refs),
    createdAt: toJstIso(r.created_at),
    createdBy: r.created_by,
    updatedAt: toJstIso(r.updated_at),
    doneAt: r.done_at ? toJstIso(r.done_at) : null,
    nextAttemptAt: waiting && r.attempts > 0 ? toJstIso(r.next_attempt_at) : null,
    canResend: canResend(r.state),
  };
}

function base(db: Db) {
  return db
    .selectFrom('cart_actions as a')
    .innerJoin('stores as s', 's.id', 'a.store_id')
    .leftJoin('orders as o', 'o.id', 'a.order_id')
    .selectAll('a')
    .select(['s.code as store_code', 'o.order_seq']);
}

/** The actions of one order, oldest first (受注詳細). */
export async function orderCartActions(db: Db, orderId: number): Promise<CartActionView[]> {
  const rows = await base(db).where('a.order_id', '=', orderId).orderBy('a.id').execute();
  return rows.map((r) => view(r as Row));
}

export async function cartActionView(db: Db, id: number): Promise<CartActionView | undefined> {
  const r = await base(db).where('a.id', '=', id).executeTakeFirst();
  return r ? view(r as Row) : undefined;
}

export interface CartActionFilter {
  storeCode?: string;
  state?: CartActionStateFilter;
  orderId?: number;
  limit?: number;
}

/** Newest first (`juchu actions list`). */
export async function listCartActions(db: Db, f: CartActionFilter = {}): Promise<CartActionView[]> {
  let q = base(db);
  if (f.storeCode) q = q.where('s.code', '=', f.storeCode);
  if (f.state) q = q.where('a.state', 'in', [...STATE_FILTERS[f.state]]);
  if (f.orderId !== undefined) q = q.where('a.order_id', '=', f.orderId);
  const rows = await q
    .orderBy('a.id', 'desc')
    .limit(f.limit ?? 100)
    .execute();
  return rows.map((r) => view(r as Row));
}

export interface OutboxDepth {
  storeId: number;
  store: string;
  kind: CartActionKindName;
  /** pending + delivering */
  waiting: number;
  failed: number;
  refused: number;
  /** Age of the oldest waiting action (now − created), 0 when none waits. */
  oldestWaitingSeconds: number;
  oldestWaitingAt: Date | null;
}

/** Per store and kind, the actions not done: the stores screen sums them, /metrics exports them. */
export async function outboxDepth(db: Db, now: Date): Promise<OutboxDepth[]> {
  const rows = await db
    .selectFrom('cart_actions as a')
    .innerJoin('stores as s', 's.id', 'a.store_id')
    .where('a.state', 'in', ['pending', 'delivering', 'failed', 'refused'])
    .groupBy(['a.store_id', 's.code', 'a.kind'])
    .select([
      'a.store_id',
      's.code',
      'a.kind',
      sql<string>`count(*) FILTER (WHERE a.state IN ('pending', 'delivering'))`.as('waiting'),
      sql<string>`count(*) FILTER (WHERE a.state = 'failed')`.as('failed'),
      sql<string>`count(*) FILTER (WHERE a.state = 'refused')`.as('refused'),
      sql<Date | null>`min(a.created_at) FILTER (WHERE a.state IN ('pending', 'delivering'))`.as('oldest'),
    ])
    .orderBy('s.code')
    .orderBy('a.kind')
    .execute();
  return rows.map((r) => {
    const oldest = r.oldest ? new Date(r.oldest) : null;
    return {
      storeId: r.store_id,
      store: r.code,
      kind: r.kind,
      waiting: Number(r.waiting),
      failed: Number(r.failed),
      refused: Number(r.refused),
      oldestWaitingAt: oldest,
      oldestWaitingSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : 0,
    };
  });
}

export interface StoreOutbox {
  waiting: number;
  failed: number;
  refused: number;
  oldestWaitingSeconds: number | null;
  oldestWaitingAt: string | null;
}

/** Per store id: what outboxDepth says summed over the kinds (the stores screen). */
export function outboxByStore(depth: readonly OutboxDepth[]): Map<number, StoreOutbox> {
  const out = new Map<number, StoreOutbox & { oldest: Date | null }>();
  for (const d of depth) {
    const s = out.get(d.storeId) ?? {
      waiting: 0,
      failed: 0,
      refused: 0,
      oldestWaitingSeconds: null,
      oldestWaitingAt: null,
      oldest: null,
    };
    s.waiting += d.waiting;
    s.failed += d.failed;
    s.refused += d.refused;
    if (d.oldestWaitingAt && (!s.oldest || d.oldestWaitingAt < s.oldest)) {
      s.oldest = d.oldestWaitingAt;
      s.oldestWaitingSeconds = d.oldestWaitingSeconds;
      s.oldestWaitingAt = toJstIso(d.oldestWaitingAt);
    }
    out.set(d.storeId, s);
  }
  return new Map([...out].map(([k, { oldest: _o, ...v }]) => [k, v]));
}

// The plan of a page's new orders, pure: each order's facts (domain/order-facts.ts), whether it may
// hold stock now (domain/stock-holding.ts), the stock it takes, oldest first
// (domain/allocation.ts planPageStock), and so the first status it gets (autoTarget). The
// repository writes exactly this (db/orders-batch.ts).
import {
  heldBySteps,
  type ProductStock,
  planPageStock,
  type ReservationStep,
  stockCodesOf,
} from './allocation.js';
import { classifyOrder } from './classify.js';
import type { CartOrder } from './order.js';
import { factsFromCartOrder, type ResolvedLine } from './order-facts.js';
import { DEFAULT_STATUSES, S } from './statuses.js';
import { mayHoldStock } from './stock-holding.js';
import type { StoreSettings } from './store-settings.js';
import { autoTarget, type OrderFacts } from './transitions.js';

export interface PreparedOrder {
  order: CartOrder;
  facts: OrderFacts;
  /** It may hold stock at import (by the store's reservation timing and where its checks stop). */
  holds: boolean;
}

type PlanSettings = Pick<StoreSettings, 'deliveryHoldDays' | 'autoCompleteCancel' | 'reservationTiming'>;

const GROUP_OF = new Map(DEFAULT_STATUSES.map((s) => [s.code, s.group]));

/** Facts and holding of new orders (oldest first, as they will be served). */
export function prepareNewOrders(
  orders: readonly CartOrder[],
  resolve: (line: CartOrder['lines'][number]) => ResolvedLine | undefined,
  settings: PlanSettings,
  prepaidMethods: readonly string[],
  now: Date,
): PreparedOrder[] {
  return orders.map((order) => {
    const facts = factsFromCartOrder(order, resolve, settings, prepaidMethods, now);
    const c = classifyOrder(facts);
    // Where its checks stop; any fulfillment status stands for "checked" (all of them may hold).
    const code = c.next === 'fulfillment' ? S.waiting : c.next;
    const holds = mayHoldStock(
      { code, group: GROUP_OF.get(code)!, system: true },
      settings.reservationTiming,
    );
    return { order, facts, holds };
  });
}

/** The products whose stock the plan needs (lines of orders that may hold stock). */
export function productsToPlan(prepared: readonly PreparedOrder[]): string[] {
  const codes = new Set<string>();
  for (const p of prepared)
    if (p.holds) for (const l of p.facts.lines) for (const c of stockCodesOf(l)) codes.add(c);
  return [...codes];
}

export interface NewOrderPlan {
  order: CartOrder;
  status: string;
  reason: string | null;
  /** It waited for stock after an allocation (not merely before one that runs after commit). */
  stockWaited: boolean;
  lines: Array<{
    lineNo: number;
    productCode: string | null;
    /** Whole units held (sets, for a set line); the steps are stock units. */
    held: number;
    steps: ReservationStep[];
    /** The products whose stock it takes (its own, or a set's components). */
    stockCodes: string[];
  }>;
}

/**
 * Stock and first status of each new order. `waiting`: products older orders already wait for —
 * those lines take nothing here and are served after commit, oldest first.
 */
export function planNewOrders(
  prepared: readonly PreparedOrder[],
  stock: readonly ProductStock[],
  waiting: ReadonlySet<string>,
): NewOrderPlan[] {
  const steps = planPageStock(
    prepared.map((p) => ({ holds: p.holds, lines: p.facts.lines })),
    stock,
    waiting,
  );
  return prepared.map((p, i) => {
    const lines = p.facts.lines.map((l, j) => {
      const s = steps[i]![j]!;
      return {
        lineNo: l.lineNo,
        productCode: l.productCode,
        steps: s,
        held: heldBySteps(l, s),
        stockCodes: stockCodesOf(l),
      };
    });
    const next = autoTarget({
      ...p.facts,
      lines: p.facts.lines.map((l, j) => ({ ...l, held: lines[j]!.held })),
    });
    const deferred = p.holds && lines.some((l) => l.stockCodes.some((c) => waiting.has(c)));
    return {
      order: p.order,
      status: next.to,
      reason: next.reason,
      stockWaited: next.to === S.waiting && !deferred,
      lines,
    };
  });
}

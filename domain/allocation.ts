// How much of a line's shortfall each warehouse should supply: warehouses in priority order, a line
// may be split across several. Pure; the database applies each step as one guarded statement.

export interface WarehouseStock {
  warehouse: string;
  priority: number;
  /** on hand − reserved, as locked in the current transaction. */
  free: number;
}

/**
 * The stock an order of a store may take: enabled warehouses only (a disabled one, 停止中, takes no
 * new reservations) and, when the store names the warehouses it ships from, only those (none named:
 * every enabled warehouse).
 */
export function usableStock<T extends { warehouse: string; enabled: boolean }>(
  stock: readonly T[],
  shipsFrom: ReadonlySet<string> | undefined,
): T[] {
  return stock.filter((s) => s.enabled && (!shipsFrom || shipsFrom.size === 0 || shipsFrom.has(s.warehouse)));
}

export interface ReservationStep {
  warehouse: string;
  quantity: number;
  /** The component it holds, on a set's line (else the line's own product). */
  productCode?: string;
}

export function planReservation(shortfall: number, stock: readonly WarehouseStock[]): ReservationStep[] {
  if (shortfall <= 0) return [];
  const steps: ReservationStep[] = [];
  let left = shortfall;
  const ordered = [...stock].sort(
    (a, b) => a.priority - b.priority || a.warehouse.localeCompare(b.warehouse),
  );
  for (const w of ordered) {
    if (left === 0) break;
    const take = Math.min(left, Math.max(0, w.free));
    if (take > 0) {
      steps.push({ warehouse: w.warehouse, quantity: take });
      left -= take;
    }
  }
  return steps;
}

/** One component of a set (セット商品, domain/sets.ts): a plain product and its units per set. */
export interface SetComponent {
  productCode: string;
  quantity: number;
}

export interface LineHold {
  lineNo: number;
  productCode: string | null;
  cartProductCode: string;
  /** Units of our product the line needs (quantity × units per cart unit); for a set, whole sets. */
  needed: number;
  held: number;
  /** A set's components: the line holds these, never the set itself. */
  components?: readonly SetComponent[];
}

export function shortLines(lines: readonly LineHold[]): LineHold[] {
  return lines.filter((l) => l.productCode !== null && l.held < l.needed);
}

export function describeShortage(lines: readonly LineHold[]): string {
  return `在庫不足: ${lines.map((l) => `行${l.lineNo} ${l.productCode} ${l.held}/${l.needed}`).join(', ')}`;
}

/** 予約区分 of a line for display: held, partly held or not held. */
export function lineReservationState(l: Pick<LineHold, 'needed' | 'held'>): 'held' | 'partial' | 'none' {
  if (l.held >= l.needed) return 'held';
  return l.held > 0 ? 'partial' : 'none';
}

export interface ProductStock extends WarehouseStock {
  productCode: string;
}

/**
 * The stock plan of a page of new orders, oldest first: each line that may hold stock takes what
 * its product's warehouses have free, in priority order, and what it takes is gone for the next
 * line. A product older orders already wait for is left alone (they are served first, after
 * commit). Returns the steps per order, per line; the input stock is not changed.
 */
export function planPageStock(
  orders: ReadonlyArray<{
    holds: boolean;
    lines: ReadonlyArray<Pick<LineHold, 'productCode' | 'needed' | 'components'>>;
  }>,
  stock: readonly ProductStock[],
  waiting: ReadonlySet<string>,
): ReservationStep[][][] {
  const free = new Map<string, WarehouseStock[]>();
  for (const s of stock) {
    const rows = free.get(s.productCode) ?? [];
    rows.push({ warehouse: s.warehouse, priority: s.priority, free: s.free });
    free.set(s.productCode, rows);
  }
  const take = (productCode: string, steps: readonly ReservationStep[]) => {
    const rows = free.get(productCode) ?? [];
    for (const step of steps) rows.find((w) => w.warehouse === step.warehouse)!.free -= step.quantity;
  };
  return orders.map((o) =>
    o.lines.map((l) => {
      if (!o.holds || l.productCode === null) return [];
      if (stockCodesOf(l).some((c) => waiting.has(c))) return [];
      if (l.components?.length) {
        // A set: whole sets only, every component or none (domain/sets.ts has the same rule).
        const sets = Math.min(
          l.needed,
          ...l.components.map((c) =>
            Math.floor(
              (free.get(c.productCode) ?? []).reduce((n, w) => n + Math.max(0, w.free), 0) / c.quantity,
            ),
          ),
        );
        if (sets <= 0) return [];
        return l.components.flatMap((c) => {
          const steps = planReservation(sets * c.quantity, free.get(c.productCode) ?? []);
          take(c.productCode, steps);
          return steps.map((st) => ({ ...st, productCode: c.productCode }));
        });
      }
      const steps = planReservation(l.needed, free.get(l.productCode) ?? []);
      take(l.productCode, steps);
      return steps;
    }),
  );
}

/** The products whose stock a line takes: its own, or a set's components. */
export function stockCodesOf(l: Pick<LineHold, 'productCode' | 'components'>): string[] {
  if (l.productCode === null) return [];
  return l.components?.length ? l.components.map((c) => c.productCode) : [l.productCode];
}

/** Whole units a line's steps hold: for a set, the sets (each component's units ÷ its quantity, min). */
export function heldBySteps(
  l: Pick<LineHold, 'productCode' | 'components'>,
  steps: readonly ReservationStep[],
): number {
  if (!l.components?.length) return steps.reduce((n, x) => n + x.quantity, 0);
  return Math.min(
    ...l.components.map((c) =>
      Math.floor(
        steps.filter((s) => s.productCode === c.productCode).reduce((n, x) => n + x.quantity, 0) / c.quantity,
      ),
    ),
  );
}

// How much of a line's shortfall each warehouse should supply: warehouses in priority order, a line
// may be split across several. Pure; the database applies each step as one guarded statement.

export interface WarehouseStock {
  warehouse: string;
  priority: number;
  /** on hand − reserved, as locked in the current transaction. */
  free: number;
}

export interface ReservationStep {
  warehouse: string;
  quantity: number;
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

export interface LineHold {
  lineNo: number;
  productCode: string | null;
  cartProductCode: string;
  /** Units of our product the line needs (quantity × units per cart unit). */
  needed: number;
  held: number;
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
  orders: ReadonlyArray<{ holds: boolean; lines: ReadonlyArray<Pick<LineHold, 'productCode' | 'needed'>> }>,
  stock: readonly ProductStock[],
  waiting: ReadonlySet<string>,
): ReservationStep[][][] {
  const free = new Map<string, WarehouseStock[]>();
  for (const s of stock) {
    const rows = free.get(s.productCode) ?? [];
    rows.push({ warehouse: s.warehouse, priority: s.priority, free: s.free });
    free.set(s.productCode, rows);
  }
  return orders.map((o) =>
    o.lines.map((l) => {
      if (!o.holds || l.productCode === null || waiting.has(l.productCode)) return [];
      const rows = free.get(l.productCode) ?? [];
      const steps = planReservation(l.needed, rows);
      for (const step of steps) rows.find((w) => w.warehouse === step.warehouse)!.free -= step.quantity;
      return steps;
    }),
  );
}

// The full re-plan of held stock (juchu allocate --full): every order not yet given a shipping
// instruction, oldest first across stores, takes what its lines need from the stock of its product
// as if nothing were held yet. Pure: the lines with what they hold now and the stock pool in;
// the lines whose share would change out. Applying it (usecases/replan-allocation.ts) takes stock
// back only from the lines that lose and lets the oldest-first allocation give it to the rest.

export interface ReplanLine {
  lineId: number;
  orderId: number;
  productCode: string;
  /** Units the line needs (quantity × units per cart unit). */
  needed: number;
  /** Units it holds now (in warehouses that may still give stock). */
  held: number;
  /** The warehouses its store ships from; null: every one. */
  warehouses?: readonly string[] | null;
}

export interface ReplanMove extends ReplanLine {
  /** Units it would hold after the re-plan. */
  planned: number;
}

export interface PoolStock {
  warehouse: string;
  priority: number;
  /** Units the re-planned lines may share here: free stock plus what they hold here. */
  units: number;
}

/**
 * `lines` oldest first; `pool` per product and warehouse. Each line takes what it needs from the
 * warehouses it may use, in priority order (as the allocation does). Returns the lines whose
 * holding would change, in the same order.
 */
export function replanStock(
  lines: readonly ReplanLine[],
  pool: ReadonlyMap<string, readonly PoolStock[]>,
): ReplanMove[] {
  const left = new Map(
    [...pool].map(([product, rows]) => [
      product,
      [...rows]
        .sort((a, b) => a.priority - b.priority || a.warehouse.localeCompare(b.warehouse))
        .map((r) => ({ ...r, units: Math.max(0, r.units) })),
    ]),
  );
  const moves: ReplanMove[] = [];
  for (const l of lines) {
    let planned = 0;
    for (const w of left.get(l.productCode) ?? []) {
      if (planned === l.needed) break;
      if (l.warehouses && !l.warehouses.includes(w.warehouse)) continue;
      const take = Math.min(l.needed - planned, w.units);
      w.units -= take;
      planned += take;
    }
    if (planned !== l.held) moves.push({ ...l, planned });
  }
  return moves;
}

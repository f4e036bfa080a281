// セット商品: a set is a product made of components × quantities (plain products; a set never holds
// another set). A line of a set holds its components, never the set itself: the line's held quantity
// is whole sets, and a set is held only with every one of its components (all or nothing). Pure; the
// database applies a line's steps as one guarded statement (db/stock.ts reserveSteps).
import {
  planReservation,
  type ReservationStep,
  type SetComponent,
  type WarehouseStock,
} from './allocation.js';
import { RuleRefusal } from './refusal.js';

export type { SetComponent } from './allocation.js';

/** Stock units one unit of a product takes: 1 for a plain product, Σ component quantities for a set. */
export function componentUnits(components: readonly SetComponent[] | null | undefined): number {
  return components?.length ? components.reduce((n, c) => n + c.quantity, 0) : 1;
}

/** Free sets: the minimum over the components of floor(free ÷ quantity) (free summed over warehouses). */
export function freeSets(
  components: readonly SetComponent[],
  freeOf: (productCode: string) => number,
): number {
  if (components.length === 0) return 0;
  return Math.min(...components.map((c) => Math.floor(Math.max(0, freeOf(c.productCode)) / c.quantity)));
}

export interface SetStep extends ReservationStep {
  productCode: string;
}

/**
 * Up to `sets` whole sets from the stock given (per component, warehouses in priority order, a
 * component may come from several): as many sets as every component allows, each component's
 * units planned as planReservation plans a plain line. Returns the sets and the steps.
 */
export function planSetReservation(
  sets: number,
  components: readonly SetComponent[],
  stockOf: (productCode: string) => readonly WarehouseStock[],
): { sets: number; steps: SetStep[] } {
  const take = Math.min(
    Math.max(0, sets),
    freeSets(components, (p) => stockOf(p).reduce((n, w) => n + Math.max(0, w.free), 0)),
  );
  if (take === 0) return { sets: 0, steps: [] };
  const steps = components.flatMap((c) =>
    planReservation(take * c.quantity, stockOf(c.productCode)).map((s) => ({
      ...s,
      productCode: c.productCode,
    })),
  );
  return { sets: take, steps };
}

/** The rules of a set's composition; returns the components to store (merged, sorted). */
export function checkComposition(
  setCode: string,
  components: readonly SetComponent[],
  isSet: (productCode: string) => boolean,
): SetComponent[] {
  const merged = new Map<string, number>();
  for (const c of components) {
    const code = c.productCode.trim();
    if (!code) throw new RuleRefusal('構成品の商品コードを入力してください', 'required');
    if (!Number.isInteger(c.quantity) || c.quantity < 1 || c.quantity > 9999)
      throw new RuleRefusal(`構成品 ${code} の数量は 1〜9999 の整数です`, 'invalid_quantity');
    if (code === setCode) throw new RuleRefusal('セット商品は自分自身を構成品にできません', 'set_in_set');
    if (isSet(code))
      throw new RuleRefusal(`${code} はセット商品です。セットの中にセットは入れられません`, 'set_in_set');
    merged.set(code, (merged.get(code) ?? 0) + c.quantity);
  }
  return [...merged]
    .map(([productCode, quantity]) => ({ productCode, quantity }))
    .sort((a, b) => a.productCode.localeCompare(b.productCode));
}

// The contract for writing to a cart (cart actions: 注文確認, 発送完了 with tracking, cancel, stock).
// Reading is `contract.ts`; this is the other direction. An outbox row in PostgreSQL says what to
// send; a job calls one of these methods and records the outcome. Methods never decide *whether*
// to act (that is the use case's rule) and never retry forever: transient failures (network, 5xx,
// 429) throw the usual `CartError`s after the HTTP client's attempts, so the job retries later.
import { z } from 'zod';
import { CARRIER_LABELS, CARRIERS, type Carrier } from '../domain/carriers.js';
import { CART_LABELS, type CartName } from '../domain/order.js';

export { CARRIER_LABELS, CARRIERS, type Carrier } from '../domain/carriers.js';

/**
 * What the cart answered. `done`: the action took effect now. `already`: the cart said it was
 * already so (Rakuten ERROR_103, a Yahoo! transition refusal) and a re-read confirmed it.
 * `refused`: a permanent refusal (validation error, unknown order): waits for a human, never retried.
 * `cartRefs` are the cart-side ids to store so that a retry updates instead of duplicating
 * (Rakuten `shippingDetailId` per basket, Amazon `packageReferenceId`, Shopify fulfillment id).
 */
export type ActionOutcome =
  | { status: 'done' | 'already'; answer: string; cartRefs?: Record<string, string> }
  | { status: 'refused'; answer: string; code?: string };

export interface ShipmentPackage {
  /** 1-based package (配送先 / Rakuten basket) as on the order lines. */
  packageNo: number;
  carrier: Carrier;
  /** Free text for `other` (Amazon `carrierName`, Shopify `company`). */
  carrierName?: string | null;
  trackingNumber: string;
  /** `YYYY-MM-DD` in Japan time. */
  shippedOn: string;
  /** The lines in this package; absent = every line of the package. */
  lines?: Array<{ cartLineId?: string | null; cartProductCode: string; quantity: number }>;
}

export interface ShipInput {
  cartOrderNo: string;
  packages: ShipmentPackage[];
  /** Cart-side ids stored by an earlier attempt of this action (update, don't add). */
  cartRefs: Record<string, string>;
  /** The order as the cart last gave it (the stored raw record): basket ids, item ids, … */
  cartPayload: unknown;
}

/** A bulk ship whose cart answers later (Rakuten updateOrderShippingAsync: a requestId to poll). */
export interface ShipManyOptions {
  /**
   * Requests an earlier attempt made for these orders (order number → request id and when the cart
   * took it): their results are read first, so orders the cart recorded meanwhile are found there and
   * not sent twice.
   */
  earlier?: ReadonlyMap<string, { requestId: string; requestedAt: Date }>;
  /** Called once the cart took a request, before its result is polled (the caller stores it). */
  onRequest?: (requestId: string, cartOrderNos: string[]) => Promise<void>;
}

export interface CancelInput {
  cartOrderNo: string;
  /** The cart's reason code where it has them (Rakuten changeReasonDetailApply, Yahoo! CancelReason). */
  reasonCode?: string | null;
  reason: string;
  cartPayload: unknown;
}

export interface StockLevel {
  /** The cart's product code (and option code) as the store's mapping names it. */
  cartProductCode: string;
  cartOptionCode: string | null;
  /** Absolute sellable quantity: never a delta. */
  quantity: number;
}

export interface CartActions {
  readonly cart: CartName;
  /**
   * The cart's code for a carrier, or null when the cart does not know it (the action is then
   * refused before sending, naming the order and the carrier).
   */
  carrierCode(carrier: Carrier): string | null;
  /** 注文確認 (Rakuten confirmOrder, ≤ `confirmBatch` per call): an outcome per order number. */
  confirmOrders?(cartOrderNos: string[]): Promise<Map<string, ActionOutcome>>;
  readonly confirmBatch?: number;
  /** 発送完了 with carrier and tracking number(s). */
  ship?(input: ShipInput): Promise<ActionOutcome>;
  /**
   * 発送完了 for many orders in one call where the cart has a bulk API (Rakuten
   * updateOrderShippingAsync, ≤ `shipBatch` orders): an outcome per cart order number.
   */
  shipMany?(inputs: ShipInput[], opts?: ShipManyOptions): Promise<Map<string, ActionOutcome>>;
  readonly shipBatch?: number;
  /** Cancel at the cart, where its API allows. */
  cancel?(input: CancelInput): Promise<ActionOutcome>;
  /** Absolute stock for many products (≤ `stockBatch` per call): an outcome per `code[:option]`. */
  setStock?(levels: StockLevel[]): Promise<Map<string, ActionOutcome>>;
  readonly stockBatch?: number;
  /**
   * The quantity the cart shows now per `code[:option]` (the full sync's drift check), where the
   * cart has a read API; an item the cart does not know is absent.
   */
  readStock?(
    items: Array<Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>>,
  ): Promise<Map<string, number>>;
}

/** `code` or `code:option`: the key of a StockLevel in `setStock`'s answer. */
export function stockKey(level: Pick<StockLevel, 'cartProductCode' | 'cartOptionCode'>): string {
  return level.cartOptionCode ? `${level.cartProductCode}:${level.cartOptionCode}` : level.cartProductCode;
}

// ─── Helpers every cart's actions share ───────────────────────────────────────────────────────────

/**
 * The refusal for a carrier the cart has no code for: sent nowhere, naming the order and the carrier,
 * and what the operator can do about it (a code in the store's `carrierCodes`, or another carrier).
 */
export function unknownCarrierRefusal(
  cart: CartName,
  cartOrderNo: string,
  carrier: Carrier,
  carrierName?: string | null,
): ActionOutcome {
  const label = carrier === 'other' && carrierName ? `その他（${carrierName}）` : CARRIER_LABELS[carrier];
  return {
    status: 'refused',
    code: 'UNKNOWN_CARRIER',
    answer: `注文 ${cartOrderNo}: 配送会社「${label}」は${CART_LABELS[cart]}の配送会社コードにないため、送信しませんでした。ストア設定の carrierCodes にコードを登録するか、別の配送会社で出荷してください。`,
  };
}

/** The first package whose carrier the cart does not know, as its refusal; null when all are known. */
export function refuseUnknownCarriers(
  actions: Pick<CartActions, 'cart' | 'carrierCode'>,
  input: Pick<ShipInput, 'cartOrderNo' | 'packages'>,
): ActionOutcome | null {
  for (const p of input.packages)
    if (actions.carrierCode(p.carrier) === null)
      return unknownCarrierRefusal(actions.cart, input.cartOrderNo, p.carrier, p.carrierName);
  return null;
}

/**
 * The store settings every cart's write side reads (`carts/registry.ts knownSettingKeys` adds them
 * to each cart's own): `carrierCodes`, juchu's carrier → the cart's code (see `carrierTable`).
 */
export const actionSettingsSchema = z.object({
  carrierCodes: z.partialRecord(z.enum(CARRIERS), z.string().max(100)).optional(),
});

/**
 * A store's own carrier codes (`settings.carrierCodes`, e.g. `{ "japanpost": "1003" }`) over the
 * cart's table: for a code the cart's public documents do not give, or a shop whose cart admin names
 * its carriers differently. An empty string removes a carrier (its shipments are then refused).
 */
export function carrierTable(
  defaults: Readonly<Partial<Record<Carrier, string>>>,
  settings: Record<string, unknown> | undefined,
): (carrier: Carrier) => string | null {
  const own = settings?.carrierCodes;
  const overrides: Partial<Record<Carrier, string>> = {};
  if (typeof own === 'object' && own !== null)
    for (const [k, v] of Object.entries(own))
      if ((CARRIERS as readonly string[]).includes(k) && typeof v === 'string')
        overrides[k as Carrier] = v.trim();
  return (carrier) => {
    const code = carrier in overrides ? overrides[carrier] : defaults[carrier];
    return code ? code : null;
  };
}

/** An action nothing was sent for (an order the cart has nothing left to do for, a cart without the API). */
export function refused(code: string, answer: string): ActionOutcome {
  return { status: 'refused', code, answer };
}

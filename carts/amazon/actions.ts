// Writing to Amazon: shipment confirmation with v0 `confirmShipment` (not deprecated; stores of both
// Orders APIs use it), one call per package. Each package has a `packageReferenceId` that is the
// package number: the same id edits that package (developer-docs "confirm-the-shipment-status"), so a
// retry after a lost answer edits the one package instead of adding a second. Amazon has no seller
// cancel API in juchu's scope (README): `cancel` is absent.
import { jstDate } from '../../domain/time.js';
import {
  type ActionOutcome,
  CARRIER_LABELS,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
  type ShipmentPackage,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartResponseError } from '../errors.js';
import type { HttpResponse } from '../http.js';
import { type AmazonAdapter, createAmazonAdapter } from './client.js';
import { ORDERS_V0_CONFIRM_SHIPMENT } from './constants.js';
import { errorListSchema } from './schema.js';
import type { AmazonCredentials } from './settings.js';

/**
 * juchu's carriers → `carrierCode`. The JP list of Seller Central could not be read (README): the
 * codes below are the ones third-party Amazon integrations send for Japan [T], and the rest go as
 * `Other` with `carrierName`, which Amazon documents for an unlisted carrier [V]. A store can set
 * its own codes in `settings.carrierCodes`.
 */
export const AMAZON_CARRIER_CODES: Readonly<Record<Carrier, string>> = {
  yamato: 'YamatoTransport',
  sagawa: 'SagawaExpress',
  nittsu: 'NipponExpress',
  japanpost: 'Other',
  seino: 'Other',
  fukuyama: 'Other',
  other: 'Other',
};

/** An order item as both Orders APIs' stored records carry it. */
interface OrderItem {
  orderItemId: string;
  sku: string | null;
  quantity: number;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The items of the stored record: v0 `{ order, items: [OrderItem] }` (getOrderItems' `OrderItemId`,
 * `SellerSKU`, `QuantityOrdered`) or a 2026-01-01 `Order` (`orderItems[].orderItemId`,
 * `product.sellerSku`, `quantityOrdered`).
 */
export function orderItemsOf(payload: unknown): OrderItem[] {
  if (!isObj(payload)) return [];
  const v0 = Array.isArray(payload.items) ? payload.items : null;
  const list = v0 ?? (Array.isArray(payload.orderItems) ? payload.orderItems : []);
  const out: OrderItem[] = [];
  for (const it of list) {
    if (!isObj(it)) continue;
    const id = v0 ? it.OrderItemId : it.orderItemId;
    const sku = v0 ? it.SellerSKU : isObj(it.product) ? it.product.sellerSku : undefined;
    const qty = v0 ? it.QuantityOrdered : it.quantityOrdered;
    if (typeof id !== 'string' || !id) continue;
    out.push({
      orderItemId: id,
      sku: typeof sku === 'string' ? sku : null,
      quantity: typeof qty === 'number' ? qty : 0,
    });
  }
  return out;
}

/** Whether the stored record is a cash-on-delivery order (v0 `PaymentMethod: COD`; 2026 `CashOnDelivery`). */
export function isCodOrder(payload: unknown): boolean {
  if (!isObj(payload)) return false;
  if (isObj(payload.order)) return payload.order.PaymentMethod === 'COD';
  const executions = isObj(payload.payment) ? payload.payment.paymentExecutions : undefined;
  return (
    Array.isArray(executions) && executions.some((e) => isObj(e) && e.paymentMethod === 'CashOnDelivery')
  );
}

/** `packageReferenceId` of a package: stored by an earlier attempt, else its number (positive, unique). */
const refKey = (packageNo: number) => `package:${packageNo}`;

export class AmazonActions implements CartActions {
  readonly cart = 'amazon' as const;
  private readonly code: (carrier: Carrier) => string | null;
  private readonly now: () => Date;

  constructor(
    private readonly adapter: AmazonAdapter,
    settings: Record<string, unknown> | undefined,
    now?: () => Date,
  ) {
    this.code = carrierTable(AMAZON_CARRIER_CODES, settings);
    this.now = now ?? (() => new Date());
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  async ship(input: ShipInput): Promise<ActionOutcome> {
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const items = orderItemsOf(input.cartPayload);
    const cod = isCodOrder(input.cartPayload);
    const cartRefs: Record<string, string> = {};
    const answers: string[] = [];
    for (const pkg of input.packages) {
      const body = this.requestBody(input, pkg, items, cod);
      if ('refusal' in body) return body.refusal;
      const ref = body.packageDetail.packageReferenceId;
      const res = await this.adapter.write({
        method: 'POST',
        path: ORDERS_V0_CONFIRM_SHIPMENT.path(input.cartOrderNo),
        operation: 'confirmShipment',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 204) return refusal(input.cartOrderNo, res);
      cartRefs[refKey(pkg.packageNo)] = ref;
      answers.push(
        `packageReferenceId ${ref}: ${body.packageDetail.carrierCode}${body.packageDetail.carrierName ? `（${body.packageDetail.carrierName}）` : ''} ${pkg.trackingNumber}`,
      );
    }
    return { status: 'done', answer: `confirmShipment 204（${answers.join('、')}）`, cartRefs };
  }

  /** The confirmShipment body of one package, or the refusal when the order cannot say what it holds. */
  private requestBody(
    input: ShipInput,
    pkg: ShipmentPackage,
    items: OrderItem[],
    cod: boolean,
  ):
    | {
        marketplaceId: string;
        codCollectionMethod?: 'DirectPayment';
        packageDetail: {
          packageReferenceId: string;
          carrierCode: string;
          carrierName?: string;
          trackingNumber: string;
          shipDate: string;
          orderItems: Array<{ orderItemId: string; quantity: number }>;
        };
      }
    | { refusal: ActionOutcome } {
    const no = input.cartOrderNo;
    const carrierCode = this.code(pkg.carrier)!;
    const carrierName =
      carrierCode === 'Other'
        ? pkg.carrierName?.trim() || (pkg.carrier === 'other' ? null : CARRIER_LABELS[pkg.carrier])
        : pkg.carrierName?.trim() || null;
    if (carrierCode === 'Other' && !carrierName)
      return {
        refusal: refused(
          'CARRIER_NAME_REQUIRED',
          `注文 ${no}: 配送会社が「その他」のときは Amazon に配送会社名（carrierName）が必要です。配送会社名を入力してください。`,
        ),
      };
    const tracking = pkg.trackingNumber.trim();
    if (!tracking)
      return {
        refusal: refused('TRACKING_REQUIRED', `注文 ${no}: Amazon の出荷通知には追跡番号が必要です。`),
      };
    const orderItems: Array<{ orderItemId: string; quantity: number }> = [];
    const wanted =
      pkg.lines ??
      items.map((it) => ({
        cartLineId: it.orderItemId,
        cartProductCode: it.sku ?? '',
        quantity: it.quantity,
      }));
    for (const line of wanted) {
      const item =
        items.find((it) => line.cartLineId && it.orderItemId === line.cartLineId) ??
        items.find((it) => it.sku !== null && it.sku === line.cartProductCode);
      if (!item)
        return {
          refusal: refused(
            'ORDER_ITEM_UNKNOWN',
            `注文 ${no}: 商品「${line.cartProductCode}」の orderItemId が取り込んだ注文データにありません。注文を再取り込みしてから出荷してください。`,
          ),
        };
      if (line.quantity > 0) orderItems.push({ orderItemId: item.orderItemId, quantity: line.quantity });
    }
    if (orderItems.length === 0)
      return {
        refusal: refused(
          'ORDER_ITEMS_MISSING',
          `注文 ${no}: 取り込んだ注文データに商品（orderItemId）がありません。注文を再取り込みしてから出荷してください。`,
        ),
      };
    const ref = input.cartRefs[refKey(pkg.packageNo)] ?? String(pkg.packageNo);
    return {
      marketplaceId: this.adapter.settings.marketplaceId,
      ...(cod ? { codCollectionMethod: 'DirectPayment' as const } : {}),
      packageDetail: {
        packageReferenceId: ref,
        carrierCode,
        ...(carrierName ? { carrierName } : {}),
        trackingNumber: tracking,
        shipDate: this.shipDate(pkg.shippedOn),
        orderItems,
      },
    };
  }

  /**
   * ISO 8601 with Japan's offset: noon of the day shipped, or now for today (Amazon would refuse a
   * ship date in the future [I]).
   */
  private shipDate(shippedOn: string): string {
    const now = this.now();
    if (shippedOn >= jstDate(now)) return now.toISOString();
    return `${shippedOn}T12:00:00+09:00`;
  }
}

/** A 400 / 404 of confirmShipment as the refusal that waits for a human, with Amazon's own words. */
function refusal(cartOrderNo: string, res: HttpResponse): ActionOutcome {
  let parsed: ReturnType<typeof errorListSchema.safeParse> | null = null;
  try {
    parsed = errorListSchema.safeParse(JSON.parse(res.text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success)
    throw new CartResponseError(
      `amazon confirmShipment: HTTP ${res.status} with an unreadable body: ${res.text.slice(0, 120)}`,
      'amazon',
      res.status,
    );
  const e = parsed.data.errors[0]!;
  const what =
    res.status === 404 ? 'Amazon にこの注文がありません' : 'Amazon が出荷通知を受け付けませんでした';
  return {
    status: 'refused',
    code: e.code,
    answer: `注文 ${cartOrderNo}: ${what}（HTTP ${res.status} ${e.code}: ${e.message ?? ''}${e.details ? ` ${e.details}` : ''}）`,
  };
}

export function createAmazonActions(opts: AdapterOptions<AmazonCredentials>): AmazonActions {
  return new AmazonActions(createAmazonAdapter(opts), opts.settings, opts.now);
}

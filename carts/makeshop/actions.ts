// Writing to makeshop. The classic order API changes a delivery's status (`cmd=deliver`, status 3
// 配送完了 with carrier and tracking number, optionally mailing the customer) and cancels
// (`cmd=status&status=0`) [V: apidoc orderinfo 動作概要; T: the parameters]. The next-generation GraphQL
// API documents no mutation that changes an order's delivery or status (searched 2026-12-02: its
// reference and release notes list searchOrder and createOrder for orders, and coupon, member and
// product mutations): a store on it gets a clear refusal, and ships and cancels in makeshop's admin.
import {
  type ActionOutcome,
  CARRIER_LABELS,
  type CancelInput,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartUnavailableError } from '../errors.js';
import { MakeshopClassicAdapter } from './client.js';
import { MAKESHOP_CANCELLED } from './codes.js';
import { type MakeshopCredentials, makeshopOrderApi, makeshopSettingsSchema } from './settings.js';

/**
 * juchu's carriers → the `carrier` parameter. **Unverified**: no public page lists its values; they
 * are most likely the 配送会社 names set up in the shop [I], so the defaults are the carriers' names
 * and a shop whose names differ sets its own in `settings.carrierCodes`.
 */
export const MAKESHOP_CARRIERS: Readonly<Partial<Record<Carrier, string>>> = CARRIER_LABELS;

const NEXT_API_REFUSAL =
  'makeshop の次世代API（GraphQL）には注文の配送状況・キャンセルを変更する操作が公開されていないため、送信しませんでした。makeshop の管理画面で発送・キャンセル処理をしてください。';

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null =>
  typeof v === 'string' ? v : isObj(v) && typeof v.content === 'string' ? v.content : null;

/** The classic record's deliveries (XML parsed by xml.ts: `deliveries.delivery[]`). */
function deliveriesOf(order: unknown): Record<string, unknown>[] {
  const d = isObj(order) && isObj(order.deliveries) ? order.deliveries.delivery : undefined;
  return Array.isArray(d) ? d.filter(isObj) : [];
}

export class MakeshopClassicActions implements CartActions {
  readonly cart = 'makeshop' as const;
  private readonly code: (carrier: Carrier) => string | null;
  private readonly sendMail: boolean;

  constructor(
    private readonly adapter: MakeshopClassicAdapter,
    settings: Record<string, unknown> | undefined,
  ) {
    this.code = carrierTable(MAKESHOP_CARRIERS, settings);
    this.sendMail = settings?.sendShippingMail !== false;
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  async ship(input: ShipInput): Promise<ActionOutcome> {
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const no = input.cartOrderNo;
    const answers: string[] = [];
    let already = 0;
    for (const pkg of input.packages) {
      const carrier =
        pkg.carrier === 'other' && pkg.carrierName?.trim() ? pkg.carrierName.trim() : this.code(pkg.carrier)!;
      const number = pkg.trackingNumber.trim();
      const deliveryid = pkg.packageNo - 1; // makeshop's deliveries count from 0 [I]
      // Read first: a deliver sent again may mail the customer again, so an earlier attempt that
      // went through (its answer lost) is found before anything is sent.
      if (await this.delivered(no, deliveryid, number)) {
        answers.push(`deliveryid ${deliveryid}: 配送完了済み（再読込で確認）`);
        already++;
        continue;
      }
      const query = {
        cmd: 'deliver',
        ordernum: no,
        deliveryid,
        status: 3,
        carrier,
        deliverynum: number,
        send_mail: this.sendMail ? 1 : 0,
      };
      let res: Awaited<ReturnType<MakeshopClassicAdapter['write']>>;
      try {
        res = await this.adapter.write('deliver', query);
      } catch (e) {
        if (!(e instanceof CartUnavailableError)) throw e;
        // The answer was lost: read the order before anything is sent again (a second deliver may mail twice).
        if (await this.delivered(no, deliveryid, number)) {
          answers.push(`deliveryid ${deliveryid}: 配送完了（応答なしのため再読込で確認）`);
          continue;
        }
        throw e;
      }
      if (!res.ok) {
        return {
          status: 'refused',
          code: res.code ?? undefined,
          answer:
            `注文 ${no}: makeshop が配送ステータスの変更を受け付けませんでした（${res.code ?? ''} ${res.message ?? ''}）`.replace(
              '（ ',
              '（',
            ),
        };
      }
      answers.push(
        `deliveryid ${deliveryid}: status 3 配送完了, carrier ${carrier}, deliverynum ${number}${this.sendMail ? '（発送メールあり）' : ''}`,
      );
    }
    return {
      status: already === input.packages.length ? 'already' : 'done',
      answer: `cmd=deliver（${answers.join(' / ')}）`,
    };
  }

  async cancel(input: CancelInput): Promise<ActionOutcome> {
    const no = input.cartOrderNo;
    const res = await this.adapter.write('cancel', { cmd: 'status', ordernum: no, status: 0, deliveryid: 0 });
    if (res.ok) return { status: 'done', answer: 'cmd=status status=0 OK（キャンセル）' };
    const raw = await this.adapter.fetchOrder(no);
    if (raw && isObj(raw.payload) && raw.payload.status === MAKESHOP_CANCELLED)
      return {
        status: 'already',
        answer:
          `キャンセル済み（再読込で確認）。makeshop の回答: ${res.code ?? ''} ${res.message ?? ''}`.trim(),
      };
    return {
      status: 'refused',
      code: res.code ?? undefined,
      answer: raw
        ? `注文 ${no}: makeshop がキャンセルを受け付けませんでした（${res.code ?? ''} ${res.message ?? ''}）`
        : `注文 ${no}: makeshop にこの注文がありません。`,
    };
  }

  /**
   * Whether the order shows this delivery 配送完了 with this number. The element names of a delivery's
   * status in the order answer are not public [I] (README): when makeshop names them otherwise this
   * finds nothing, and the error stands (the outbox tries again).
   */
  private async delivered(no: string, deliveryid: number, number: string): Promise<boolean> {
    const raw = await this.adapter.fetchOrder(no);
    const d = raw ? deliveriesOf(raw.payload)[deliveryid] : undefined;
    return !!d && text(d.deliverystatus) === '3' && (text(d.deliverynum) ?? '') === number;
  }
}

/** A next-generation store: nothing to send, said in Japanese. */
export class MakeshopNextActions implements CartActions {
  readonly cart = 'makeshop' as const;
  private readonly code: (carrier: Carrier) => string | null;
  constructor(settings: Record<string, unknown> | undefined) {
    this.code = carrierTable(MAKESHOP_CARRIERS, settings);
  }
  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }
  async ship(input: ShipInput): Promise<ActionOutcome> {
    return refused('NEXT_API_UNSUPPORTED', `注文 ${input.cartOrderNo}: ${NEXT_API_REFUSAL}`);
  }
  async cancel(input: CancelInput): Promise<ActionOutcome> {
    return refused('NEXT_API_UNSUPPORTED', `注文 ${input.cartOrderNo}: ${NEXT_API_REFUSAL}`);
  }
}

export function createMakeshopActions(opts: AdapterOptions<MakeshopCredentials>): CartActions {
  const api = makeshopOrderApi(makeshopSettingsSchema.parse(opts.settings ?? {}), opts.credentials);
  return api === 'next'
    ? new MakeshopNextActions(opts.settings)
    : new MakeshopClassicActions(new MakeshopClassicAdapter(opts), opts.settings);
}

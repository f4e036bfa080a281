// Writing to Yahoo! Shopping: 出荷 with `orderShipStatusChange` (ShipStatus 3 出荷済み with the
// carrier's ShipCompanyCode, ShipInvoiceNumber1 (and 2), ShipDate YYYYMMDD), and cancel with
// `orderStatusChange` (OrderStatus 4 with a CancelReason) within Yahoo!'s transition table. Both set
// values, so sending the same again changes nothing [I]; a refusal is re-read with orderInfo, and an
// order already in the state asked for counts as `already`.
import {
  type ActionOutcome,
  type CancelInput,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import type { YahooCredentials } from './auth.js';
import { createYahooAdapter, type YahooAdapter } from './client.js';
import {
  CANCEL_REASONS,
  CANCELLED_STATUS,
  ORDER_SHIP_STATUS_CHANGE_PATH,
  ORDER_STATUS_CHANGE_PATH,
  ORDER_STATUS_TRANSITIONS,
  SHIP_STATUS_SHIPPED,
} from './constants.js';
import { isObject, text, type XmlObject } from './xml.js';

/**
 * juchu's carriers → ShipCompanyCode. **Unverified**: since 2025-08-20 Yahoo! keeps the table only on
 * orderInfo.html#shipcompanycode, which could not be read (README). 1001 / 1002 are what a
 * third-party Yahoo! exporter sends for the two big carriers [T]; 1003 for 日本郵便 follows the same
 * numbering as a guess [I]. The others have no default: a store sets them in `settings.carrierCodes`
 * (from its ストアクリエイターPro), and until then their shipments are refused before sending.
 */
export const YAHOO_SHIP_COMPANY_CODES: Readonly<Partial<Record<Carrier, string>>> = {
  yamato: '1001',
  sagawa: '1002',
  japanpost: '1003',
};

/** ヤマト運輸: 「半角数字と「-」記号のみ、最大14byteまで」 [V: orderShipStatusChange changelog 2022-11-07]. */
const YAMATO_NUMBER = /^[0-9-]{1,14}$/;
/** The cancel reason sent when the action names none: その他（ストア都合）. */
export const DEFAULT_CANCEL_REASON = '230';

const ymd = (isoDate: string) => isoDate.replace(/-/g, '');

function ship(info: XmlObject): XmlObject {
  return isObject(info.Ship) ? info.Ship : {};
}

export class YahooActions implements CartActions {
  readonly cart = 'yahoo' as const;
  private readonly code: (carrier: Carrier) => string | null;

  constructor(
    private readonly adapter: YahooAdapter,
    settings: Record<string, unknown> | undefined,
  ) {
    this.code = carrierTable(YAHOO_SHIP_COMPANY_CODES, settings);
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  async ship(input: ShipInput): Promise<ActionOutcome> {
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const no = input.cartOrderNo;
    // One ship-to per Yahoo! order, with room for two tracking numbers of one carrier.
    const [first, second, ...more] = input.packages;
    if (!first) return refused('NO_PACKAGE', `注文 ${no}: 出荷する荷物がありません。`);
    const companyCode = this.code(first.carrier)!;
    if (more.length > 0 || (second && this.code(second.carrier) !== companyCode))
      return refused(
        'TOO_MANY_PACKAGES',
        `注文 ${no}: Yahoo!ショッピングに登録できる伝票番号は同じ配送会社の2つまでです（${input.packages.length}個口）。ストアクリエイターProで登録してください。`,
      );
    const numbers = [first, second].filter((p) => p !== undefined).map((p) => p.trackingNumber.trim());
    if (numbers.some((n) => !n)) return refused('TRACKING_REQUIRED', `注文 ${no}: 伝票番号がありません。`);
    if (first.carrier === 'yamato') {
      const bad = numbers.find((n) => !YAMATO_NUMBER.test(n));
      if (bad)
        return refused(
          'INVALID_TRACKING_NUMBER',
          `注文 ${no}: ヤマト運輸の伝票番号は半角数字と「-」で14文字までです（${bad}）。`,
        );
    }
    const shipDate = [first, second]
      .filter((p) => p !== undefined)
      .map((p) => p.shippedOn)
      .sort()
      .at(-1)!;
    const res = await this.adapter.write('orderShipStatusChange', ORDER_SHIP_STATUS_CHANGE_PATH, {
      Target: { OrderId: no, IsPointFix: 'false' },
      Order: {
        Ship: {
          ShipStatus: SHIP_STATUS_SHIPPED,
          ShipCompanyCode: companyCode,
          ShipInvoiceNumber1: numbers[0],
          ...(numbers[1] ? { ShipInvoiceNumber2: numbers[1] } : {}),
          ShipDate: ymd(shipDate),
        },
      },
    });
    const sent = `ShipStatus 3, ShipCompanyCode ${companyCode}, 伝票番号 ${numbers.join(' / ')}, 出荷日 ${ymd(shipDate)}`;
    if (res.ok)
      return {
        status: 'done',
        answer: `orderShipStatusChange OK（${sent}）${res.warnings.length ? ` 警告: ${res.warnings.join(' / ')}` : ''}`,
      };
    // Refused: already shipped with these numbers (an earlier attempt whose answer was lost) is done.
    const info = await this.adapter.readOrder(no);
    const s = info ? ship(info) : {};
    if (text(s.ShipStatus) === SHIP_STATUS_SHIPPED && text(s.ShipInvoiceNumber1) === numbers[0])
      return {
        status: 'already',
        answer: `出荷済み（orderInfo で確認: ${sent}）。Yahoo!の回答: ${describe(res)}`,
      };
    return {
      status: 'refused',
      code: res.code ?? undefined,
      answer: `注文 ${no}: Yahoo!ショッピングが出荷情報を受け付けませんでした（${describe(res)}）`,
    };
  }

  async cancel(input: CancelInput): Promise<ActionOutcome> {
    const no = input.cartOrderNo;
    const reason = input.reasonCode ?? DEFAULT_CANCEL_REASON;
    if (!CANCEL_REASONS[reason])
      return refused(
        'INVALID_CANCEL_REASON',
        `注文 ${no}: キャンセル理由コード ${reason} は Yahoo!ショッピングにありません（${Object.keys(CANCEL_REASONS).join('、')}）。`,
      );
    const res = await this.adapter.write('orderStatusChange', ORDER_STATUS_CHANGE_PATH, {
      Target: { OrderId: no, IsPointFix: 'false' },
      Order: { OrderStatus: CANCELLED_STATUS, CancelReason: reason },
    });
    const sent = `OrderStatus 4（キャンセル）, CancelReason ${reason} ${CANCEL_REASONS[reason]}`;
    if (res.ok) return { status: 'done', answer: `orderStatusChange OK（${sent}）` };
    // A transition refusal for an order that is already cancelled is the state we wanted.
    const info = await this.adapter.readOrder(no);
    const status = info ? text(info.OrderStatus) : null;
    if (status === CANCELLED_STATUS)
      return {
        status: 'already',
        answer: `キャンセル済み（orderInfo で確認）。Yahoo!の回答: ${describe(res)}`,
      };
    const allowed = status ? ORDER_STATUS_TRANSITIONS[status] : undefined;
    const why =
      allowed && !allowed.includes(CANCELLED_STATUS)
        ? `注文ステータス ${status} からはキャンセルにできません`
        : info
          ? 'Yahoo!ショッピングがキャンセルを受け付けませんでした'
          : 'Yahoo!ショッピングにこの注文がありません';
    return {
      status: 'refused',
      code: res.code ?? undefined,
      answer: `注文 ${no}: ${why}（${describe(res)}）`,
    };
  }
}

function describe(res: { code: string | null; message: string }): string {
  return res.code ? `${res.code}: ${res.message}` : res.message;
}

export function createYahooActions(opts: AdapterOptions<YahooCredentials>): YahooActions {
  return new YahooActions(createYahooAdapter(opts), opts.settings);
}

// makeshop: the next-generation GraphQL API (searchOrder; the default) and the classic XML order API
// makeshop is closing, per store (`orderApi`). See README.md in this folder for both APIs, their limits
// and which field names are documented, third-party or inferred.
import { apiEndpoint, type CartModule, type RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { createMakeshopActions } from './actions.js';
import { MakeshopClassicAdapter, rawOrder } from './client.js';
import { MAKESHOP_DEMO_CREDENTIALS } from './demo-credentials.js';
import { graphqlErrors } from './graphql.js';
import { MakeshopNextAdapter } from './next-client.js';
import { normalizeMakeshopOrder } from './normalize.js';
import { rawNextOrder } from './normalize-next.js';
import {
  MAKESHOP_DEFAULT_BASE_URL,
  type MakeshopCredentials,
  makeshopApiStatus,
  makeshopCredentialsSchema,
  makeshopOrderApi,
  makeshopSettingsSchema,
} from './settings.js';
import { decodeXml, parseXml, readAnswer } from './xml.js';

export {
  createMakeshopActions,
  MAKESHOP_CARRIERS,
  MakeshopClassicActions,
  MakeshopNextActions,
} from './actions.js';
export { MakeshopClassicAdapter } from './client.js';
export { MakeshopNextAdapter } from './next-client.js';
export { normalizeMakeshopOrder, prefectureOf } from './normalize.js';
export {
  MAKESHOP_API_LIMITS,
  MAKESHOP_LIMITS,
  MAKESHOP_NEXT_LIMITS,
  type MakeshopCredentials,
  type MakeshopOrderApi,
  type MakeshopSettings,
  makeshopCredentialsSchema,
  makeshopOrderApi,
  makeshopSettingsSchema,
  makeshopStamp,
} from './settings.js';

/** The orders of a recorded searchOrder answer: `{ data: { searchOrder: { orders } } }`, or a list of them. */
function searchOrderRecords(json: unknown): RawOrder[] {
  const bodies = Array.isArray(json) ? json : [json];
  return bodies.flatMap((b, i) => {
    const at = bodies.length > 1 ? ` (answer ${i + 1})` : '';
    const errors = graphqlErrors(b);
    const data = (b as { data?: { searchOrder?: unknown } } | null)?.data?.searchOrder;
    if (typeof data !== 'object' || data === null) {
      const why = errors.length
        ? `errors: ${errors.map((e) => e.message).join(' / ')}`
        : 'no data.searchOrder';
      throw new CartResponseError(
        `makeshop: recorded body${at} is not a searchOrder answer (${why})`,
        'makeshop',
      );
    }
    const orders = (data as { orders?: unknown }).orders ?? [];
    if (!Array.isArray(orders))
      throw new CartResponseError(
        `makeshop: recorded body${at}: searchOrder.orders is not a list`,
        'makeshop',
      );
    // A non-object stays in, for normalize to refuse by name.
    return orders.map((o) =>
      typeof o === 'object' && o !== null && !Array.isArray(o)
        ? rawNextOrder(o as Record<string, unknown>)
        : { cartOrderNo: null, payload: o },
    );
  });
}

/**
 * The classic order API's host [V: apidoc.makeshop.jp]. The next-generation GraphQL API's endpoint is
 * sent by e-mail after an app development request [V: developers.makeshop.jp/api/graphql, "アプリ開発
 * 申請のお手続き完了メールにて通知"], and no public page names its host, so it is not listed (not even
 * as `*.makeshop.jp`): add it here once a store has it. Unverified; see README.md.
 */
const API_HOSTS = ['www.makeshop.jp'];

export const makeshopCart: CartModule<MakeshopCredentials> = {
  cart: 'makeshop',
  apiHosts: API_HOSTS,
  endpoints: (baseUrl) => [apiEndpoint(baseUrl, API_HOSTS)],
  credentialsSchema: makeshopCredentialsSchema,
  settingsSchemas: [makeshopSettingsSchema],
  demoCredentials: MAKESHOP_DEMO_CREDENTIALS,
  defaultBaseUrl: MAKESHOP_DEFAULT_BASE_URL,
  cartStatuses: [
    { code: '1', label: '通常注文 / normal' },
    { code: '99', label: '仮注文（決済未完了） / provisional, payment not completed' },
    { code: '0', label: 'キャンセル / cancelled' },
  ],
  // 仮注文 waits for its payment and is deleted by makeshop when the payment fails [T: GoQ manual].
  defaultImportStatuses: ['1'],
  // paymethod names normalize emits for methods paid before shipping (the shop may rename them).
  defaultPrepaidMethods: [
    '銀行振込',
    '銀行振込（前払い）',
    'ゆうちょ銀行',
    'ゆうちょ振替',
    'コンビニ決済',
    'コンビニ払い',
    'ペイジー決済',
    'ペイジー',
    'Pay-easy',
  ],
  apiStatus: makeshopApiStatus,
  createAdapter: (opts) =>
    makeshopOrderApi(makeshopSettingsSchema.parse(opts.settings ?? {}), opts.credentials) === 'next'
      ? new MakeshopNextAdapter(opts)
      : new MakeshopClassicAdapter(opts),
  // Classic: cmd=deliver / cmd=status; next-generation: refused (no documented mutation).
  createActions: createMakeshopActions,
  normalize: normalizeMakeshopOrder,
  /** A classic `<orders>` XML body (any charset), or a searchOrder JSON answer (or a list of them). */
  rawOrdersFromRecorded(body): RawOrder[] {
    const head = body
      .subarray(0, 64)
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
      .trimStart();
    if (head.startsWith('{') || head.startsWith('[')) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
      } catch (e) {
        throw new CartResponseError(
          `makeshop: recorded body is not JSON: ${e instanceof Error ? e.message : String(e)}`,
          'makeshop',
        );
      }
      return searchOrderRecords(json);
    }
    let answer: ReturnType<typeof readAnswer>;
    try {
      answer = readAnswer(parseXml(decodeXml(body)));
    } catch (e) {
      throw new CartResponseError(
        `makeshop: recorded body: ${e instanceof Error ? e.message : String(e)}`,
        'makeshop',
      );
    }
    if (answer?.kind !== 'orders')
      throw new CartResponseError('makeshop: recorded body is not an <orders> answer', 'makeshop');
    return answer.orders.map(rawOrder);
  },
};

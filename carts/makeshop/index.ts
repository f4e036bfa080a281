// makeshop (classic order API, XML). See README.md in this folder for modes, limits and which element
// names are third-party or inferred.
import { apiEndpoint, type CartModule, type RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import {
  MAKESHOP_DEFAULT_BASE_URL,
  MakeshopAdapter,
  type MakeshopCredentials,
  makeshopCredentialsSchema,
  rawOrder,
} from './client.js';
import { MAKESHOP_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeMakeshopOrder } from './normalize.js';
import { decodeXml, parseXml, readAnswer } from './xml.js';

export {
  MAKESHOP_LIMITS,
  MakeshopAdapter,
  type MakeshopCredentials,
  type MakeshopSettings,
  makeshopCredentialsSchema,
  makeshopSettingsSchema,
  makeshopStamp,
} from './client.js';
export { normalizeMakeshopOrder, prefectureOf } from './normalize.js';

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
  createAdapter: (opts) => new MakeshopAdapter(opts),
  normalize: normalizeMakeshopOrder,
  rawOrdersFromRecorded(body): RawOrder[] {
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

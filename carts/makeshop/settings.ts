// What a makeshop store is set up with: which order API it speaks (the next-generation GraphQL API, or
// the classic XML API makeshop is closing), the credentials of each, the settings and the documented
// limits with their sources. Shared by both adapters, the cart module and the simulator. See README.md.
import { z } from 'zod';
import { toJstIso } from '../../domain/time.js';
import type { ApiStatus, RateLimits } from '../contract.js';

/**
 * Both APIs' credentials in one object (the store screen lists these fields): a next-generation store
 * needs `accessToken` and `apiKey`, a classic one `shopId` and `token`. Which set is used follows the
 * store's `orderApi` (see `makeshopOrderApi`).
 */
/** A credential field: blank is the same as absent (a form or an environment variable left empty). */
const credential = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().trim().min(1).optional(),
);

export const makeshopCredentialsSchema = z
  .object({
    /**
     * 次世代API: the permanent token (`PAT.…`, sent to the app's install webhook, revoked when the app
     * is uninstalled) or a temporary SSO token, sent as `authorization: Bearer …` [V].
     */
    accessToken: credential,
    /** 次世代API: the API key issued after the アプリ開発申請 / アプリ公開申請, sent as `x-api-key` [V]. */
    apiKey: credential,
    /** 従来API: the shop's makeshop ID (the one used to log in to the shop admin). */
    shopId: credential,
    /** 従来API: the 認証コード issued under ショップ管理画面 › API › 注文データ連携設定. */
    token: credential,
  })
  .superRefine((c, ctx) => {
    const half = (a: keyof typeof c, b: keyof typeof c) => {
      if (c[a] && !c[b]) ctx.addIssue({ code: 'custom', path: [b], message: `required with ${a}` });
    };
    half('accessToken', 'apiKey');
    half('apiKey', 'accessToken');
    half('shopId', 'token');
    half('token', 'shopId');
    if (!c.accessToken && !c.apiKey && !c.shopId && !c.token)
      ctx.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'accessToken and apiKey (次世代API), or shopId and token (従来API)',
      });
  });
export type MakeshopCredentials = z.infer<typeof makeshopCredentialsSchema>;

export type MakeshopOrderApi = 'next' | 'classic';

export const makeshopSettingsSchema = z.object({
  /**
   * Which order API the store speaks. Absent: decided by the credentials (`makeshopOrderApi`), so a
   * store saved before this setting existed keeps the classic API it has credentials for.
   */
  orderApi: z.enum(['next', 'classic']).optional(),

  // ── classic API ──
  /** `service`: the caller system's name makeshop asks for (half-width letters and digits). */
  service: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('juchu'),
  /** Orders in one answer; makeshop outputs at most 100 and asks to narrow the conditions beyond [T]. */
  maxPerCall: z.number().int().min(2).max(100).default(100),
  /**
   * Also ask for the orders changed since the previous fetch (diff mode) to see cancels and payments of
   * orders placed before the window. makeshop keeps that "previous fetch" on its side, so another system
   * pulling the diff for the same shop and service name would take those changes away from us.
   */
  diffPass: z.boolean().default(true),
  /** cmd=deliver `send_mail`: makeshop mails the customer about the shipment (default true; actions.ts). */
  sendShippingMail: z.boolean().optional(),

  // ── next-generation API ──
  /** `limit` of one searchOrder page; the third-party client clamps it to 1–1000 [T]. */
  pageSize: z.number().int().min(1).max(1000).default(1000),
  /**
   * searchOrder selects by order date only [T]: orders placed this many days before the window are
   * searched again on every window, so their cancels, payments and edits reach juchu (0 = off).
   */
  changeLookbackDays: z.number().int().min(0).max(90).default(14),
  /** Re-import by order number searches this many days back, newest first (no number condition is known). */
  fetchLookbackDays: z.number().int().min(1).max(3650).default(90),
  /**
   * `deliveryStatus` values to search, one search each (N 未処理, Y 配送, C キャンセル, R 返送 [T]). Absent:
   * no deliveryStatus condition — whether makeshop requires one is unknown; set all four if it does.
   */
  deliveryStatuses: z
    .array(z.enum(['N', 'Y', 'C', 'R']))
    .min(1)
    .optional(),
});
export type MakeshopSettings = z.infer<typeof makeshopSettingsSchema>;

/**
 * The store's order API: its `orderApi` setting; without one, the credentials decide — next-generation
 * credentials (accessToken + apiKey) mean `next`, classic ones alone (shopId + token: every store saved
 * before the setting existed) mean `classic`. Without credentials to look at (the stores screen), a store
 * with no setting is taken to be one of those older, classic stores.
 */
export function makeshopOrderApi(
  settings: { orderApi?: MakeshopOrderApi | undefined },
  credentials?: Partial<MakeshopCredentials> | null,
): MakeshopOrderApi {
  if (settings.orderApi) return settings.orderApi;
  if (credentials === undefined) return 'classic';
  if (credentials?.accessToken && credentials.apiKey) return 'next';
  if (credentials?.shopId && credentials.token) return 'classic';
  return 'next';
}

/** yyyymmddhhmmss in Japan time: the classic API's `start` / `end` [T] and searchOrder's startOrderDate / endOrderDate [T]. */
export function makeshopStamp(ms: number): string {
  return toJstIso(new Date(ms)).slice(0, 19).replace(/[-T:]/g, '');
}

export const MAKESHOP_DEFAULT_BASE_URL = 'https://www.makeshop.jp';
export const MAKESHOP_ORDER_PATH = '/api/orderinfo/index.html';

/**
 * The documented limits, per API, with where each figure comes from (checked 2026-12-02). The
 * simulator enforces these and the adapters stay under them, so a benchmark can compare orders/s with
 * the ceiling they allow (`perCall × ratePerSec`).
 */
export const MAKESHOP_API_LIMITS = {
  classic: {
    ratePerSec: 1,
    burst: 1,
    /** Orders in one answer. */
    perCall: 100,
    source:
      '1 request a second for the whole API, order and member APIs together, serialized [V: apidoc.makeshop.jp/about]; at most 100 orders an answer [T: third-party WMS integration, file id 30512708660]',
  },
  next: {
    ratePerSec: 1,
    burst: 1,
    /** Orders in one searchOrder page (`limit`). */
    perCall: 1000,
    /** `x-timestamp` is valid for an hour [V]. */
    timestampTtlSeconds: 3600,
    /** "リクエストサイズが5MB以上の場合はリクエストを受け付けない場合が有ります" [V]. */
    maxRequestBytes: 5 * 1024 * 1024,
    source:
      "x-timestamp valid 1 hour and requests of 5 MB or more may be refused [V: developers.makeshop.jp/api/graphql]; limit 1–1000 [T: Kahiro-M/MakeshopOrderList clamps it so]; no request rate is published — 1 a second is our guess, the classic API's figure [I]",
  },
} as const;

/** The classic API's gate: 1 request a second for the shop, no burst [V]. */
export const MAKESHOP_LIMITS: RateLimits = {
  '*': { ratePerSec: MAKESHOP_API_LIMITS.classic.ratePerSec, burst: MAKESHOP_API_LIMITS.classic.burst },
};
/** The next-generation API's gate: no published rate; the classic figure [I]. */
export const MAKESHOP_NEXT_LIMITS: RateLimits = {
  '*': { ratePerSec: MAKESHOP_API_LIMITS.next.ratePerSec, burst: MAKESHOP_API_LIMITS.next.burst },
};

export const MAKESHOP_API_LABELS = {
  next: '次世代API (GraphQL)',
  classic: '従来API（閉塞予定）',
} as const;

/** After this, makeshop's announced closing ("2025年末〜2026年頭") has passed. */
const CLOSING_PASSED = Date.parse('2026-04-01T00:00:00+09:00');

/**
 * What the stores screen shows: the API the store speaks and, for classic stores, makeshop's closing
 * notice (developers.makeshop.jp/news/notice/api_migration_guide and /faq).
 */
export function makeshopApiStatus(settings: Record<string, unknown>, now: Date): ApiStatus {
  const orderApi = settings.orderApi === 'next' || settings.orderApi === 'classic' ? settings.orderApi : null;
  const api = makeshopOrderApi({ orderApi: orderApi ?? undefined });
  if (api === 'next') return { api: MAKESHOP_API_LABELS.next, warnings: [] };
  const warnings = [
    now.getTime() < CLOSING_PASSED
      ? 'makeshop は従来APIを2025年末〜2026年頭に閉塞予定と発表しています（developers.makeshop.jp「新旧API移行ガイド」）。apps developer 登録とアプリ開発申請をして次世代APIの認証情報（accessToken・apiKey）とエンドポイント URL を受け取り、settings の orderApi を "next" にしてください。'
      : 'makeshop は従来APIを2025年末〜2026年頭に閉塞予定と発表しています（developers.makeshop.jp「新旧API移行ガイド」）。その時期を過ぎており、いつ取り込めなくなってもおかしくありません。次世代APIの認証情報（accessToken・apiKey）とエンドポイント URL を登録し、settings の orderApi を "next" にしてください。',
  ];
  if (!orderApi)
    warnings.push(
      'settings に orderApi がありません。従来APIの認証情報（shopId・token）だけの店舗は従来APIで、次世代APIの認証情報（accessToken・apiKey）のある店舗は次世代APIで取り込みます。"orderApi": "next" か "classic" を書いて明示してください。',
    );
  return { api: MAKESHOP_API_LABELS.classic, warnings };
}

// A store's Amazon credentials (LWA app + the seller's refresh token) and settings.
import { z } from 'zod';
import {
  AMAZON_LWA_URL,
  JP_MARKETPLACE_ID,
  LWA_PATH,
  MAX_RESULTS_PER_PAGE,
  ORDERS_APIS,
  type OrdersApi,
} from './constants.js';

export const amazonCredentialsSchema = z.object({
  /** LWA client identifier of the app (`amzn1.application-oa2-client.…`). */
  clientId: z.string().min(1),
  /** LWA client secret of the app. */
  clientSecret: z.string().min(1),
  /** The seller's refresh token from authorizing the app (`Atzr|…`); it does not expire. */
  refreshToken: z.string().min(1),
});
export type AmazonCredentials = z.infer<typeof amazonCredentialsSchema>;

export const amazonSettingsSchema = z.object({
  /**
   * Which Orders API the store reads. `2026-01-01` (searchOrders, items inline, PII by role) unless
   * set: stores without the setting, old ones included, read the new API (README "Which API a store
   * uses"). `v0` (getOrders + getOrderItems + an RDT) stays selectable until Amazon turns it off on
   * 2027-03-27 (`ORDERS_V0_CUTOFF`); the stores screen warns about it.
   */
  ordersApi: z.enum(ORDERS_APIS).default('2026-01-01'),
  /** `MarketplaceIds` of getOrders / `marketplaceIds` of searchOrders; Amazon.co.jp by default. */
  marketplaceId: z.string().min(1).default(JP_MARKETPLACE_ID),
  /**
   * LWA token endpoint: an absolute URL, or a path resolved against the store's API base URL
   * (`/auth/o2/token`, where the simulator serves it: `amazonSimulatorSettings`). Unset, it is
   * Amazon's own, except for an API base URL on loopback (a local simulator), where it is that
   * base URL's `/auth/o2/token`: the refresh token and client secret never leave for another host.
   */
  lwaUrl: z
    .string()
    .refine(
      (v) => v.startsWith('/') || /^https?:\/\//.test(v),
      'an absolute http(s) URL, or a path on the API base URL such as /auth/o2/token',
    )
    .optional(),
  /**
   * getOrders `MaxResultsPerPage` / searchOrders `maxResultsPerPage` (1–100). Large pages matter:
   * getOrders is allowed once a minute, searchOrders once every three.
   */
  maxResultsPerPage: z.number().int().min(1).max(MAX_RESULTS_PER_PAGE).default(MAX_RESULTS_PER_PAGE),
  /**
   * The store expects names and addresses (PII). v0: fetch ship-to and buyer through a
   * restricted-data token (needs the app's Direct-to-Consumer Shipping and Tax roles), refused with a
   * 403 without them. 2026-01-01 needs no token, the roles alone unlock the PII (developer-docs
   * access-orders-pii), and Amazon leaves it out silently without them: a page of orders ready to
   * ship without any recipient name is then an auth error. `false`: import without names, street
   * and phone.
   */
  restrictedData: z.boolean().default(true),
  /**
   * getOrders `FulfillmentChannels` (searchOrders `fulfilledBy`: MFN is MERCHANT, AFN is AMAZON).
   * Seller-fulfilled (MFN) only by default: FBA (AFN) orders ship from Amazon's warehouses and must
   * not take stock from ours.
   */
  fulfillmentChannels: z
    .array(z.enum(['MFN', 'AFN']))
    .min(1)
    .default(['MFN']),
  /** Refresh an access token or RDT when fewer than this many seconds remain. */
  tokenRefreshMarginSec: z.number().int().min(0).max(1800).default(60),
});
export type AmazonSettings = z.infer<typeof amazonSettingsSchema>;

/** The store's Orders API as its settings say; `2026-01-01` when unset or unreadable. */
export function ordersApiOf(settings: Record<string, unknown> | undefined): OrdersApi {
  return settings?.ordersApi === 'v0' ? 'v0' : '2026-01-01';
}

/** Settings that point LWA at the simulator (demo, tests): it serves the token endpoint itself. */
export const amazonSimulatorSettings: Readonly<Record<string, unknown>> = { lwaUrl: LWA_PATH };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The LWA URL for a store (see `lwaUrl`). */
export function resolveLwaUrl(settings: Pick<AmazonSettings, 'lwaUrl'>, baseUrl: string): string {
  const base = baseUrl.replace(/\/$/, '');
  if (settings.lwaUrl === undefined) {
    const host = URL.canParse(base) ? new URL(base).hostname : '';
    return LOOPBACK.has(host) ? base + LWA_PATH : AMAZON_LWA_URL;
  }
  return /^https?:\/\//.test(settings.lwaUrl) ? settings.lwaUrl : base + settings.lwaUrl;
}

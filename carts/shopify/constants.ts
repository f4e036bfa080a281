// Facts about Shopify's Admin API that the adapter and its simulator share, each with its source and
// the date it was checked (README.md in this folder lists them with the unverified ones marked).
import type { RateLimits } from '../contract.js';

/** REST Admin API: a bucket of 40 calls leaking 2 a second on Standard [V: shopify.dev REST rate limits]. */
export const SHOPIFY_LIMITS: RateLimits = { '*': { ratePerSec: 2, burst: 40 } };

/**
 * GraphQL Admin API cost limits by plan: restore rate in points a second [V: shopify.dev
 * apps/build/apis/graphql-admin/rate-limits, checked 2026-12-02] and bucket size in points. The
 * bucket sizes are the `maximumAvailable` Shopify reports: 2000 on a 100/s shop and 20000 on a
 * 1000/s one [T: recorded responses in public code]; Advanced and enterprise are scaled the same
 * way (20 seconds of restore) [I].
 */
export const GRAPHQL_PLAN_LIMITS = {
  standard: { restoreRate: 100, bucketSize: 2000 },
  advanced: { restoreRate: 200, bucketSize: 4000 },
  plus: { restoreRate: 1000, bucketSize: 20_000 },
  enterprise: { restoreRate: 2000, bucketSize: 40_000 },
} as const;
export type ShopifyPlan = keyof typeof GRAPHQL_PLAN_LIMITS;

/**
 * "A single query to the API cannot exceed a cost of 1000", enforced on the requested cost before
 * the query runs [V: help.shopify.com GraphQL Admin call limit; T: MAX_COST_EXCEEDED bodies].
 */
export const MAX_QUERY_COST = 1000;

/** Connections page at most 250 nodes (`first`/`last`), as REST's `limit` [V: shopify.dev api/usage/limits]. */
export const MAX_PAGE_SIZE = 250;

/** `POST https://{shop}.myshopify.com/admin/oauth/access_token` [V: shopify.dev client-secrets]. */
export const TOKEN_PATH = '/admin/oauth/access_token';

/**
 * Client-credentials tokens last 24 hours (`expires_in: 86399`) [V: client-credentials-grant page;
 * T: recorded responses]; expiring offline tokens an hour (`expires_in: 3600`) and their refresh
 * tokens 90 days [V: changelog 2025-12-10 and 2026-08-28].
 */
export const CLIENT_CREDENTIALS_TTL_SECONDS = 86_399;
export const OFFLINE_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 86_400;
/**
 * A used refresh token keeps working until its replacement is used, for at most 30 days from its
 * first use [V: changelog "more-resilient-refreshes-for-expiring-offline-access-tokens", 2026-08-28].
 */
export const REFRESH_TOKEN_REUSE_DAYS = 30;

/**
 * The API version juchu asks for unless a store says otherwise: the latest stable one on 2026-12-02
 * [V: shopify.dev reference pages list 2026-10 as latest]. Supported until 2027-10-01 (the rule below).
 */
export const DEFAULT_API_VERSION = '2026-10';

export const API_VERSION_PATTERN = /^(\d{4})-(01|04|07|10)$/;

/**
 * Shopify releases a stable version at the start of every quarter (5 pm UTC), names it `YYYY-MM`,
 * and supports each "for a minimum of 12 months"; past that it answers with the oldest supported
 * version instead ("falls forward") [V: shopify.dev api/usage/versioning, checked 2026-12-02].
 */
export function apiVersionWindow(version: string): { released: Date; supportedUntil: Date } | null {
  const m = API_VERSION_PATTERN.exec(version);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return {
    released: new Date(Date.UTC(year, month - 1, 1, 17)),
    supportedUntil: new Date(Date.UTC(year + 1, month - 1, 1)),
  };
}

/** The newest stable version released by `now`. */
export function latestStableVersion(now: Date): string {
  let year = now.getUTCFullYear();
  let month = Math.floor(now.getUTCMonth() / 3) * 3 + 1;
  const name = () => `${year}-${String(month).padStart(2, '0')}`;
  if (now < apiVersionWindow(name())!.released) {
    month -= 3;
    if (month < 1) {
      month = 10;
      year -= 1;
    }
  }
  return name();
}

// Shopify Admin API tokens, three ways (README.md "Credentials"):
// - a Dev Dashboard app's client ID and secret, exchanged with the client-credentials grant for a
//   24-hour token, renewed before it runs out [V: shopify.dev client-credentials-grant];
// - an OAuth offline token that expires after an hour, renewed with its refresh token [V: changelog
//   2025-12-10];
// - the old custom-app token (`shpat_…`), used as it is.
// Tokens are held per process, shared by every adapter of the same store so that each import does not
// ask again. A refresh token Shopify replaced is written back to the store's credentials through the
// adapter's credential store (compare and set), so the next process refreshes with the replacement.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CredentialStore, HttpSettings } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import { CartHttpClient, type Classified, classifyByStatus, type HttpResponse } from '../http.js';
import { CLIENT_CREDENTIALS_TTL_SECONDS, OFFLINE_TOKEN_TTL_SECONDS, TOKEN_PATH } from './constants.js';

const secret = z.string().trim().min(1);

export const shopifyCredentialsSchema = z
  .object({
    /** The shop's myshopify subdomain (`juchu-demo`) or full domain (`juchu-demo.myshopify.com`). */
    shop: z
      .string()
      .trim()
      .toLowerCase()
      .transform((s) => s.replace(/^https?:\/\//, '').replace(/\.myshopify\.com\/?$/, ''))
      .pipe(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'not a myshopify subdomain')),
    /** Client ID of a Dev Dashboard app (Settings → Client ID). */
    clientId: secret.optional(),
    /** Its client secret. With the ID alone, tokens come from the client-credentials grant. */
    clientSecret: secret.optional(),
    /** The refresh token of an expiring OAuth offline token (needs the app's client ID and secret). */
    refreshToken: secret.optional(),
    /**
     * An Admin API access token: the old custom app's `shpat_…` token, or the current offline token
     * when a refresh token is given too.
     */
    accessToken: secret.optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.clientId || c.refreshToken) && !c.clientSecret)
      ctx.addIssue({
        code: 'custom',
        path: ['clientSecret'],
        message: 'needed with clientId or refreshToken',
      });
    if ((c.clientSecret || c.refreshToken) && !c.clientId)
      ctx.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'needed with clientSecret or refreshToken',
      });
    if (!c.accessToken && !c.clientId && !c.clientSecret && !c.refreshToken)
      ctx.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'give clientId and clientSecret (Dev Dashboard app) or an accessToken (shpat_…)',
      });
  });
export type ShopifyCredentials = z.infer<typeof shopifyCredentialsSchema>;

export type ShopifyAuthMode = 'client_credentials' | 'refresh_token' | 'access_token';

/** Which way the credentials get a token: an app's keys win over a token given beside them. */
export function shopifyAuthMode(c: ShopifyCredentials): ShopifyAuthMode {
  if (c.clientId && c.clientSecret) return c.refreshToken ? 'refresh_token' : 'client_credentials';
  return 'access_token';
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number().positive(), z.string().regex(/^\d+$/)]).optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

/** OAuth errors of the token endpoint (RFC 6749 §5.2): a refused grant or client needs a human. */
function classifyToken(res: HttpResponse): Classified {
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    let detail = res.text.slice(0, 200);
    try {
      const j = JSON.parse(res.text) as { error?: unknown; error_description?: unknown };
      if (typeof j.error === 'string')
        detail = `${j.error}${typeof j.error_description === 'string' ? `: ${j.error_description}` : ''}`;
    } catch {
      // not JSON: keep the raw snippet
    }
    return { kind: 'auth', message: `token request refused (HTTP ${res.status}): ${detail}` };
  }
  return classifyByStatus(res);
}

interface HeldToken {
  value: string;
  /** When to get a new one: a few minutes before it expires. */
  renewAt: number;
}

/** Tokens of this process, by token endpoint and credentials (hashed: the key holds no secret). */
const HELD = new Map<string, HeldToken>();
const PENDING = new Map<string, Promise<string>>();

/** Forgets every token this process holds (tests). */
export function forgetShopifyTokens(): void {
  HELD.clear();
  PENDING.clear();
}

/** Renew this long before expiry, but never more than half-way through a token's life. */
const RENEW_MARGIN_MS = 5 * 60_000;

export class ShopifyTokens {
  readonly mode: ShopifyAuthMode;
  private readonly key: string;
  private readonly http: CartHttpClient;
  /** Tokens obtained from the endpoint by this object (tests and the README's numbers). */
  issued = 0;
  /** Refresh tokens stored back after Shopify replaced them (tests and the README's numbers). */
  rotated = 0;
  /** The refresh token to use next: the stored one, or its replacement once that is stored. */
  private refreshToken: string | undefined;

  constructor(
    private readonly creds: ShopifyCredentials,
    private readonly tokenUrl: string,
    http: Partial<HttpSettings> | undefined,
    private readonly now: () => number,
    private readonly store?: CredentialStore,
  ) {
    this.mode = shopifyAuthMode(creds);
    this.refreshToken = creds.refreshToken;
    const material = [creds.shop, creds.clientId, creds.clientSecret, creds.refreshToken].join('\n');
    this.key = `${tokenUrl}\n${this.mode}\n${createHash('sha256').update(material).digest('hex')}`;
    this.http = new CartHttpClient({ cart: 'shopify', baseUrl: tokenUrl, http, classify: classifyToken });
    // An offline token given with its refresh token is used until it is refused or replaced.
    if (this.mode === 'refresh_token' && creds.accessToken && !HELD.has(this.key))
      HELD.set(this.key, { value: creds.accessToken, renewAt: Number.POSITIVE_INFINITY });
  }

  /** A token believed valid, renewed first when it is about to expire. */
  async current(): Promise<string> {
    if (this.mode === 'access_token') return this.creds.accessToken!;
    const held = HELD.get(this.key);
    if (held && this.now() < held.renewAt) return held.value;
    return this.renew();
  }

  /**
   * The API refused the token: forget it and get a new one. False when there is nothing to renew
   * with (a fixed token) or the token endpoint refused too; the API's own refusal then stands.
   */
  async renewAfterRefusal(refused: string): Promise<boolean> {
    if (this.mode === 'access_token') return false;
    if (HELD.get(this.key)?.value === refused) HELD.delete(this.key);
    try {
      await this.renew();
      return true;
    } catch (e) {
      if (e instanceof CartAuthError) return false;
      throw e;
    }
  }

  /** One request at a time per store and process: concurrent callers share it. */
  private renew(): Promise<string> {
    let pending = PENDING.get(this.key);
    if (!pending) {
      pending = this.request().finally(() => PENDING.delete(this.key));
      PENDING.set(this.key, pending);
    }
    return pending;
  }

  private async request(): Promise<string> {
    if (this.mode !== 'refresh_token' || !this.store) return this.exchange();
    const used = this.refreshToken;
    try {
      return await this.exchange();
    } catch (e) {
      // Another process stored a replacement and used it, which retired ours: take the stored one.
      if (!(e instanceof CartAuthError)) throw e;
      const stored = await this.store.current();
      if (typeof stored.refreshToken !== 'string' || stored.refreshToken === used) throw e;
      this.refreshToken = stored.refreshToken;
      return this.exchange();
    }
  }

  private async exchange(): Promise<string> {
    const c = this.creds;
    const used = this.refreshToken;
    const form: Record<string, string> =
      this.mode === 'refresh_token'
        ? {
            grant_type: 'refresh_token',
            // The stored refresh token. Without a credential store a replacement is never used: it
            // would retire the stored one, and the next process would hold a dead token (the stored
            // one keeps working for 30 days from its first use [V: changelog 2026-08-28]).
            refresh_token: used!,
            client_id: c.clientId!,
            client_secret: c.clientSecret!,
          }
        : { grant_type: 'client_credentials', client_id: c.clientId!, client_secret: c.clientSecret! };
    const res = await this.http.send({
      method: 'POST',
      path: this.tokenUrl,
      operation: 'token',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    let parsed: z.infer<typeof tokenResponseSchema>;
    try {
      parsed = tokenResponseSchema.parse(JSON.parse(res.text));
    } catch (e) {
      throw new CartResponseError(
        `shopify token: unexpected token endpoint response (HTTP ${res.status}): ${res.text.slice(0, 120)}`,
        'shopify',
        res.status,
        { cause: e },
      );
    }
    this.issued++;
    const fallback =
      this.mode === 'refresh_token' ? OFFLINE_TOKEN_TTL_SECONDS : CLIENT_CREDENTIALS_TTL_SECONDS;
    const lifeMs = Number(parsed.expires_in ?? fallback) * 1000;
    HELD.set(this.key, {
      value: parsed.access_token,
      renewAt: this.now() + lifeMs - Math.min(RENEW_MARGIN_MS, lifeMs / 2),
    });
    if (this.mode === 'refresh_token' && this.store && parsed.refresh_token && parsed.refresh_token !== used)
      await this.storeReplacement(used!, parsed.refresh_token, parsed.access_token);
    return parsed.access_token;
  }

  /**
   * Keeps Shopify's replacement refresh token (and the new access token, so other processes need not
   * refresh) if the stored one is still the one used. If another process stored its own replacement
   * first, that one is used from now on and ours is dropped unused, which retires nothing.
   */
  private async storeReplacement(used: string, replacement: string, accessToken: string): Promise<void> {
    const store = this.store!;
    if (await store.rotate({ refreshToken: used }, { refreshToken: replacement, accessToken })) {
      this.refreshToken = replacement;
      this.rotated++;
      return;
    }
    const stored = await store.current();
    if (typeof stored.refreshToken === 'string') this.refreshToken = stored.refreshToken;
  }
}

/** The token endpoint of the shop's API origin. */
export function shopifyTokenUrl(base: string): string {
  return new URL(TOKEN_PATH, base).toString();
}

// Tokens for SP-API calls. An LWA access token (refresh_token grant, one hour) authorizes every call;
// a restricted-data token (Tokens API, one hour) replaces it where PII is wanted. Both are renewed
// *before* they run out, so a request never leaves with a token about to expire in flight.

import type { HttpSettings } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { CartHttpClient, type Classified, classifyByStatus, type HttpResponse } from '../http.js';
import { lwaErrorSchema, lwaResponseSchema } from './schema.js';
import type { AmazonCredentials } from './settings.js';

export interface IssuedToken {
  value: string;
  expiresInSec: number;
}

/** One token with its expiry; concurrent callers share a single refresh. */
export class ExpiringToken {
  private current: { value: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly now: () => number,
    private readonly marginMs: number,
  ) {}

  /** The token, first renewed when less than the margin (at most half its lifetime) remains. */
  async get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.value;
    this.pending ??= this.issue()
      .then((t) => {
        const lifetimeMs = t.expiresInSec * 1000;
        this.current = {
          value: t.value,
          refreshAt: this.now() + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2),
        };
        return t.value;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /** The token as held now, without renewing (for the request headers). */
  peek(): string | null {
    return this.current?.value ?? null;
  }

  /** Forget the token (the API called it expired or invalid); the next `get` issues a new one. */
  invalidate(): void {
    this.current = null;
  }
}

/** LWA answers 400 `invalid_grant` for a revoked refresh token and 401 `invalid_client` for bad app keys. */
export function classifyLwa(res: HttpResponse): Classified {
  if (res.status === 400 || res.status === 401) {
    let code = '';
    try {
      const parsed = lwaErrorSchema.safeParse(JSON.parse(res.text));
      if (parsed.success) code = parsed.data.error;
    } catch {
      // not JSON: fall through to the status meaning
    }
    if (res.status === 401 || ['invalid_grant', 'invalid_client', 'unauthorized_client'].includes(code))
      return {
        kind: 'auth',
        message: `LWA refused the credentials (HTTP ${res.status}): ${res.text.slice(0, 200)}`,
      };
  }
  return classifyByStatus(res);
}

/** Exchanges the seller's refresh token for an access token (LwaAuthClient.mjs, form-encoded). */
export function lwaTokenIssuer(
  lwaUrl: string,
  credentials: AmazonCredentials,
  http?: Partial<HttpSettings>,
): () => Promise<IssuedToken> {
  const client = new CartHttpClient({ cart: 'amazon', baseUrl: lwaUrl, http, classify: classifyLwa });
  return async () => {
    const res = await client.send({
      method: 'POST',
      path: lwaUrl,
      operation: 'lwaToken',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.refreshToken,
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      }).toString(),
    });
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new CartResponseError(
        `amazon lwaToken: response is not JSON: ${res.text.slice(0, 120)}`,
        'amazon',
      );
    }
    const parsed = lwaResponseSchema.safeParse(json);
    if (!parsed.success)
      throw new CartResponseError(`amazon lwaToken: no access_token/expires_in in the response`, 'amazon');
    return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
  };
}

// Yahoo! ID連携 v2 tokens for the order API. The access token lasts an hour; the refresh token is
// exchanged for a new one at the Token endpoint with `grant_type=refresh_token` and client
// authentication by HTTP Basic [V: yconnect v2 token.html]. A refresh token can die early
// (password change, consent withdrawn): the endpoint then answers `invalid_grant` and only a new
// authorization by the store owner helps [V: shopping FAQ] → CartAuthError.
import { constants, publicEncrypt } from 'node:crypto';
import { z } from 'zod';
import type { HttpSettings } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { CartHttpClient, type Classified, classifyByStatus, type HttpResponse } from '../http.js';
import { ACCESS_TOKEN_TTL_SECONDS, CART, TOKEN_PATH, YAHOO_TOKEN_URL } from './constants.js';

export const yahooCredentialsSchema = z.object({
  /** ストアアカウント (SellerId), e.g. `tanarkystore`; test stores start with `snbx-`. */
  sellerId: z.string().min(1),
  /** Client ID (アプリケーションID) and secret of a server-side application. */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** From the store owner's authorization (認可コード → Token endpoint). */
  refreshToken: z.string().min(1),
  /** A still-valid access token, if one is at hand; otherwise one is fetched with the refresh token. */
  accessToken: z.string().min(1).optional(),
  /**
   * 公開鍵認証 (optional): the public key Yahoo issued to the store (PEM, or its base64 body) and its
   * version. With it every call carries `X-sws-signature`, which lets the refresh token live
   * 4 weeks instead of 12 hours [T: several clients; V: shopping help].
   */
  publicKey: z.string().min(1).optional(),
  publicKeyVersion: z.string().min(1).optional(),
});
export type YahooCredentials = z.infer<typeof yahooCredentialsSchema>;

/** The Token endpoint for an API base URL: Yahoo's own for yahooapis.jp hosts, else the same origin. */
export function tokenUrlFor(baseUrl: string, override?: string): string {
  if (override) return override;
  const host = new URL(baseUrl).hostname;
  if (host === 'yahooapis.jp' || host.endsWith('.yahooapis.jp')) return YAHOO_TOKEN_URL;
  return new URL(TOKEN_PATH, baseUrl).toString();
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/)]).optional(),
  // Yahoo is not documented to rotate the refresh token on refresh; take a new one if it comes.
  refresh_token: z.string().min(1).optional(),
});

/** OAuth errors of the Token endpoint (RFC 6749 §5.2): 400/401 mean the grant or client is refused. */
function classifyToken(res: HttpResponse): Classified {
  if (res.status === 400 || res.status === 401) {
    let detail = res.text.slice(0, 200);
    try {
      const j = JSON.parse(res.text) as { error?: string; error_description?: string };
      if (j.error) detail = `${j.error}${j.error_description ? `: ${j.error_description}` : ''}`;
    } catch {
      // not JSON: keep the raw snippet
    }
    return { kind: 'auth', message: `token refresh refused (HTTP ${res.status}): ${detail}` };
  }
  return classifyByStatus(res);
}

export class YahooTokens {
  private token: string | null;
  private expiresAt: number | null = null;
  private refreshToken: string;
  private inflight: Promise<string> | null = null;
  private readonly http: CartHttpClient;
  refreshes = 0;

  constructor(
    private readonly creds: YahooCredentials,
    private readonly tokenUrl: string,
    http: Partial<HttpSettings> | undefined,
    private readonly now: () => Date,
  ) {
    this.token = creds.accessToken ?? null;
    this.refreshToken = creds.refreshToken;
    this.http = new CartHttpClient({ cart: CART, baseUrl: tokenUrl, http, classify: classifyToken });
  }

  /** A token believed valid: refreshed first when none is held or it is within a minute of expiry. */
  async current(): Promise<string> {
    const soon = this.now().getTime() + 60_000;
    if (this.token !== null && (this.expiresAt === null || this.expiresAt > soon)) return this.token;
    return this.refresh();
  }

  /** The token last obtained (call `current()` first). */
  held(): string {
    return this.token ?? '';
  }

  /** One refresh at a time: concurrent callers share it. */
  refresh(): Promise<string> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<string> {
    this.refreshes++;
    const basic = Buffer.from(`${this.creds.clientId}:${this.creds.clientSecret}`).toString('base64');
    const res = await this.http.send({
      method: 'POST',
      path: this.tokenUrl,
      operation: 'token',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.refreshToken }).toString(),
    });
    let parsed: z.infer<typeof tokenResponseSchema>;
    try {
      parsed = tokenResponseSchema.parse(JSON.parse(res.text));
    } catch (e) {
      throw new CartResponseError(
        `yahoo token: unexpected Token endpoint response (HTTP ${res.status}): ${res.text.slice(0, 120)}`,
        CART,
        res.status,
        { cause: e },
      );
    }
    const ttl = Number(parsed.expires_in ?? ACCESS_TOKEN_TTL_SECONDS);
    this.token = parsed.access_token;
    this.expiresAt = this.now().getTime() + ttl * 1000;
    if (parsed.refresh_token) this.refreshToken = parsed.refresh_token;
    return parsed.access_token;
  }
}

/**
 * 公開鍵認証 headers: base64 of RSA-PKCS#1 v1.5 encryption of `<sellerId>:<unix seconds>` with the
 * store's public key, and the key version [T: several independent clients agree].
 */
export function signatureHeaders(creds: YahooCredentials, now: Date): Record<string, string> {
  if (!creds.publicKey || !creds.publicKeyVersion) return {};
  const key = publicKeyPem(creds.publicKey);
  const plain = Buffer.from(`${creds.sellerId}:${Math.floor(now.getTime() / 1000)}`);
  const sig = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plain).toString('base64');
  return { 'X-sws-signature': sig, 'X-sws-signature-version': creds.publicKeyVersion };
}

/** The store's public key as PEM: as given, or its base64 body wrapped in PEM armour. */
export function publicKeyPem(publicKey: string): string {
  return publicKey.includes('BEGIN')
    ? publicKey
    : `-----BEGIN PUBLIC KEY-----\n${publicKey.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----\n`;
}

// The one contract every cart adapter keeps. HTTP (paging, auth, rate limits) lives in the adapter's
// client; turning a raw record into a `CartOrder` is `normalize`, pure and testable on recorded payloads.
import type { z } from 'zod';
import type { CartName, CartOrder } from '../domain/order.js';
import type { CartActions } from './actions.js';
import type { LimitSpec, RequestLimiter } from './rate-limit.js';

/** One order as the cart gave it. `payload` is the cart's own record (JSON, or XML parsed to an object). */
export interface RawOrder {
  cartOrderNo: string | null;
  payload: unknown;
}

export interface OrderPage {
  orders: RawOrder[];
  /**
   * Progress a cart ordered by update time can state (adapters with `progress: 'pages'`): every order
   * of the window changed before this instant is in this page or an earlier one. The import moves the
   * cursor here once the page is stored, and a retry lists from here on (`resume`).
   */
  resumeFrom?: Date;
}

/**
 * How an import of the cart commits progress inside a window (issue 15):
 * - `pages`: its pages carry `resumeFrom` (paging ordered by update time, or sub-windows it walks);
 * - `windows`: the window may be split into sub-windows listed one after another, each committed;
 * - absent: only a whole window commits (the CSV inbox: files, not times).
 */
export type ImportProgress = 'pages' | 'windows';

/** Half-open window [from, to) on the cart's "last updated" time (or order time where that is all it offers). */
export interface ListWindow {
  from: Date;
  to: Date;
}

export interface ListOptions {
  signal?: AbortSignal;
  /**
   * The window continues one an earlier attempt began (its `from` is that attempt's last
   * `resumeFrom`): work the adapter did once per window before its first `resumeFrom` (a look-back
   * scan for changes of older orders) is done already.
   */
  resume?: boolean;
}

export type NormalizeResult =
  | { ok: true; order: CartOrder }
  | { ok: false; cartOrderNo: string | null; field: string; message: string };

export interface CartAdapter {
  readonly cart: CartName;
  /** Every order changed in the window, page by page, exactly once across pages and sub-windows. */
  listOrders(window: ListWindow, opts?: ListOptions): AsyncGenerator<OrderPage>;
  /** How progress inside a window is committed (see ImportProgress). */
  readonly progress?: ImportProgress;
  /** One order by cart order number (re-import); null when the cart does not know it. */
  fetchOrder(cartOrderNo: string): Promise<RawOrder | null>;
  /** Pure: raw record → order, or a rejection naming the field. */
  normalize(raw: RawOrder, store: string): NormalizeResult;
  /**
   * Called by the import job after a window completed and its cursor was saved (CSV moves the
   * files it read to `processed/`). Optional.
   */
  afterWindow?(): Promise<void>;
  /**
   * The latest window end the cart can list now (Amazon: LastUpdatedBefore must be ≥ 2 minutes before
   * now). The import job ends its window there, so the cursor never passes what was listed. Optional.
   */
  listableUntil?(): Date;
  /**
   * A cart whose orders arrive as files in a folder (CSV): the files one at a time, so the import
   * records each file before reading it, moves a file that cannot be processed aside and never
   * reads a file that crashed a worker again. Optional.
   */
  inbox?: FileInbox;
}

/** A file waiting in an inbox; name, size and modification time identify it. */
export interface InboxFile {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface FileInbox {
  /** The folder (for messages). */
  readonly dir: string;
  /** Files ready to be read, oldest first (younger ones may still be uploading). */
  files(): Promise<InboxFile[]>;
  /** The file's orders, a page at a time, read as a stream; a file that is not an order file throws. */
  pages(file: InboxFile): AsyncGenerator<OrderPage>;
  /** Moves a file whose orders are all stored out of the inbox (CSV: to processed/). */
  done(file: InboxFile): Promise<void>;
  /** Moves a file that cannot be processed aside (CSV: to failed/, with its reason beside it). */
  setAside(file: InboxFile, reason: string): Promise<void>;
}

export type RateLimits = Record<string, LimitSpec>;

export interface HttpSettings {
  /** Attempts per request for network errors, timeouts, 5xx and 429 (1 = no retry). */
  maxAttempts: number;
  /** First backoff; doubles each attempt, with jitter. */
  baseDelayMs: number;
  /** Longest single wait, also caps a cart's Retry-After. */
  maxDelayMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_HTTP: HttpSettings = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
};

export interface AdapterOptions<C> {
  storeCode: string;
  baseUrl: string;
  credentials: C;
  http?: Partial<HttpSettings>;
  /** Override the cart's documented client-side rate limits (tests run faster with both ends scaled). */
  limits?: RateLimits;
  /**
   * The limiter the store's requests take their tokens from: the Redis one that every process
   * shares (workers, scheduler, CLI: `infra/redis-limiter.ts`), or, when absent, one of this adapter
   * alone (tools without Redis).
   */
  limiter?: RequestLimiter;
  /**
   * Where the adapter keeps credentials the cart replaces (Shopify rotates the refresh token of an
   * expiring offline token on every refresh). Absent: replacements live in this process only.
   */
  credentialStore?: CredentialStore;
  /** Injectable clock (tests); defaults to the real one. */
  now?: () => Date;
  /** Cart-specific settings of the store (e.g. CSV column mapping, Amazon marketplace). */
  settings?: Record<string, unknown>;
}

/** A store's stored credentials, as an adapter may read and replace them (usecases/rotate-store-credentials.ts). */
export interface CredentialStore {
  /**
   * Stores `next` over the credentials if the stored ones still have the `previous` fields (compare
   * and set: of two processes that refreshed at once, one wins). True when stored.
   */
  rotate(previous: Record<string, unknown>, next: Record<string, unknown>): Promise<boolean>;
  /** The credentials as stored now (another process may have replaced them). */
  current(): Promise<Record<string, unknown>>;
}

/**
 * A URL an adapter sends a store's credentials to, with the hosts it may name
 * (`domain/store-endpoint.ts` holds the rule; each cart's README the sources of its hosts).
 */
export interface CredentialEndpoint {
  /** Which store field the URL comes from: `baseUrl`, `settings.tokenUrl`, `settings.lwaUrl`. */
  setting: string;
  /** What it is, for messages (Japanese). */
  label: string;
  url: string;
  /** Exact host names, or `*.suffix` for one label under the suffix. */
  hosts: readonly string[];
  /** A folder rather than a server (the CSV cart): only `file:` URLs. */
  file?: boolean;
}

/** The API itself, at a store's base URL. */
export function apiEndpoint(url: string, hosts: readonly string[]): CredentialEndpoint {
  return { setting: 'baseUrl', label: 'API のベース URL', url, hosts };
}

export interface ApiStatus {
  /** e.g. `Orders API 2026-01-01`, `GraphQL Admin API 2026-10`, `次世代API (GraphQL)`. */
  api: string;
  /** Warnings for the operator (Japanese), each with its date and what to do. */
  warnings: string[];
}

export interface CartModule<C = unknown> {
  cart: CartName;
  /**
   * Hosts the cart's API answers on (exact, or `*.suffix`): a store's base URL must name one of them,
   * or, for a test store only, this machine. Sources and the date checked are in the cart's README.
   */
  apiHosts: readonly string[];
  /**
   * Every URL the adapter would send the store's credentials to, for a base URL (the store's, or
   * `defaultBaseUrl`) and the store's settings: the API itself and, where the cart has one, its
   * token endpoint. `credentials`, when known, fills a base URL template (Shopify's `{shop}`).
   */
  endpoints(baseUrl: string, settings: Record<string, unknown>, credentials?: unknown): CredentialEndpoint[];
  /** Validates a store's decrypted credentials. */
  credentialsSchema: z.ZodType<C>;
  /**
   * Every schema of the store settings this cart reads (its adapter's, its write side's). Settings
   * are checked against these and `domain/store-settings.ts` before they are stored: a key none of
   * them knows is refused, naming the closest known one. A new setting goes into one of them and is
   * known from then on (`carts/registry.ts knownSettingKeys`).
   */
  settingsSchemas: readonly z.ZodObject[];
  /** Credentials the simulator accepts by default (demo and tests). */
  demoCredentials: C;
  defaultBaseUrl: string;
  /** The cart's own statuses, for the per-store "which statuses to import" setting. */
  cartStatuses: ReadonlyArray<{ code: string; label: string }>;
  defaultImportStatuses: readonly string[];
  /**
   * What the cart's payment method codes (as normalize emits them) are called, for the screens
   * (Yahoo!'s `payment_b1` is 銀行振込). Absent: the cart sends names already (Rakuten, makeshop).
   */
  paymentMethodNames?: Readonly<Record<string, string>>;
  /** Payment method names (as normalize emits them) that mean the money comes before shipping. */
  defaultPrepaidMethods: readonly string[];
  /**
   * Which API (and version) a store with these settings speaks, and the operator's warnings about it
   * (a version past its support window, an API the cart is closing: Japanese, with the date). The
   * stores screen shows it. Absent: nothing to say.
   */
  apiStatus?(settings: Record<string, unknown>, now: Date): ApiStatus;
  createAdapter(opts: AdapterOptions<C>): CartAdapter;
  /** Writing to the cart (`actions.ts`): absent while the cart has no write API juchu speaks. */
  createActions?(opts: AdapterOptions<C>): CartActions;
  normalize(raw: RawOrder, store: string): NormalizeResult;
  /**
   * The raw orders in one recorded response body (`juchu parse`): a getOrder / getOrders / orders.json
   * / orderInfo body, or a CSV file. `extra` carries further bodies where the cart splits an order
   * (Amazon getOrderItems).
   */
  rawOrdersFromRecorded(
    body: Buffer,
    extra?: { items?: Buffer[]; settings?: Record<string, unknown> },
  ): RawOrder[];
}

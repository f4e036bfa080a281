// Operations on stores (EC店舗): create or change one (`saveStore`), and give it new credentials
// (`setStoreCredentials`). Every front end writes stores through here: the dashboard's store and
// credentials forms, `juchu stores apply` (a stores YAML/JSON file) and the demo seed.
//
// Credentials stay with their cart (issue 12 item 5). A store's API base URL, and every URL setting
// its adapter sends credentials to (Yahoo `settings.tokenUrl`, Amazon `settings.lwaUrl`), must pass
// domain/store-endpoint.ts against the hosts that endpoint is known to answer on (`apiHosts` and
// `endpoints` of carts/<cart>/index.ts): https to the cart's own hosts, no IP addresses, no user
// name in the URL, and this machine (the simulators) only for a store marked テスト店舗.
//
// Moving a store to another server: when a credential endpoint's origin (scheme, host, port)
// changes and the same change brings no new credentials, the stored credentials are DROPPED and the
// store is marked needs_credentials with the reason, in the same transaction — so the old token is
// never sent to the new server. We drop rather than refuse because credentials are write-only and
// entered on their own form (the store form has no credential fields): a move is then "save, and
// enter the credentials again", and the store screen says so until they are. A stores file that
// names the credentials in the same entry keeps the new ones. The adapter factory (jobs/deps.ts)
// applies the same rule again before anything is sent, for rows changed by other means.
import cron from 'node-cron';
import type { CredentialEndpoint } from '../carts/contract.js';
import { cartModule, storeEndpoints } from '../carts/registry.js';
import {
  dropCredentials,
  findSavedStore,
  getStoreById,
  type Store,
  setCredentials,
  storeCredentials,
  upsertStore,
} from '../db/stores.js';
import { CARTS, type CartName } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { checkEndpoint, originOf } from '../domain/store-endpoint.js';
import { storeSettingsSchema } from '../domain/store-settings.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface StoreDeps extends Pick<UseCaseDeps, 'db'> {
  /** JUCHU_SECRET_KEY: credentials are encrypted with it before they reach the database. */
  key: Buffer;
}

export interface SaveStoreInput {
  code: string;
  /** Required for a new store; a store's cart never changes. */
  cart?: CartName;
  name: string;
  enabled: boolean;
  importCron: string;
  /** undefined: unchanged; null or '': the cart's default. */
  baseUrl?: string | null;
  /** テスト店舗（シミュレーター可）. undefined: unchanged (a new store is not one). */
  testStore?: boolean;
  /** The store's settings as written (undefined: unchanged). */
  settings?: Record<string, unknown>;
  /** New credentials in the same change (a stores file); undefined or null: the stored ones stay. */
  credentials?: Record<string, unknown> | null;
}

export interface SavedStoreResult {
  store: Store;
  created: boolean;
  credentialsUpdated: boolean;
  /** Why the stored credentials were dropped (their endpoint moved), or null. */
  credentialsDropped: string | null;
}

export const STORE_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Every credential endpoint of the store passes the rule, or the first refusal is thrown. */
function checkEndpoints(endpoints: readonly CredentialEndpoint[], testStore: boolean): void {
  for (const e of endpoints) {
    const v = checkEndpoint(e.url, { label: e.label, hosts: e.hosts, testStore, file: e.file });
    if (!v.ok) throw new RuleRefusal(v.message, 'endpoint_not_allowed');
  }
}

/** The first endpoint whose server changed between two states of a store, as a sentence; or null. */
function movedEndpoint(before: readonly CredentialEndpoint[], after: readonly CredentialEndpoint[]) {
  for (const a of after) {
    const b = before.find((x) => x.setting === a.setting);
    const from = b ? originOf(b.url) : null;
    const to = originOf(a.url);
    if (from !== to)
      return `${a.label} の接続先が ${from ?? '（なし）'} から ${to ?? a.url} に変わったため、保存していた認証情報を消しました。新しい接続先の認証情報を登録してください`;
  }
  return null;
}

function checkCredentials(cart: CartName, credentials: Record<string, unknown>): void {
  const checked = cartModule(cart).credentialsSchema.safeParse(credentials);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new RuleRefusal(
      `認証情報が足りません: ${issue?.path.join('.') || ''} ${issue?.message ?? ''}`.trim(),
      'invalid_credentials',
    );
  }
}

export async function saveStore(deps: StoreDeps, input: SaveStoreInput): Promise<SavedStoreResult> {
  if (!STORE_CODE.test(input.code))
    throw new RuleRefusal(
      '店舗コードは英小文字・数字・- です（先頭は英小文字か数字、63 文字まで）',
      'invalid_code',
    );
  if (input.name.trim() === '' || input.name.length > 100)
    throw new RuleRefusal('店舗名は 1〜100 文字です', 'invalid_name');
  if (!cron.validate(input.importCron)) throw new RuleRefusal('cron 式が正しくありません', 'invalid_cron');
  if (input.cart !== undefined && !CARTS.includes(input.cart))
    throw new RuleRefusal(`カート ${input.cart} はありません`, 'invalid_cart');
  return withTransaction(deps.db, async (trx) => {
    const existing = await findSavedStore(trx, input.code, { lock: true });
    const cart = existing?.cart ?? input.cart;
    if (!cart) throw new RuleRefusal('新しい店舗にはカートを選んでください', 'cart_required');
    if (existing && input.cart && input.cart !== existing.cart)
      throw new RuleRefusal('店舗のカートは変更できません', 'cart_fixed');
    const settings = input.settings ?? existing?.settings ?? {};
    const parsed = storeSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new RuleRefusal(
        `設定が正しくありません: ${i ? `${i.path.join('.')}: ${i.message}` : ''}`,
        'invalid_settings',
      );
    }
    const baseUrl = input.baseUrl === undefined ? (existing?.baseUrl ?? null) : input.baseUrl?.trim() || null;
    const testStore = input.testStore ?? existing?.testStore ?? false;
    const credentials = input.credentials ?? undefined;
    if (credentials) checkCredentials(cart, credentials);

    // The servers the credentials would go to, before and after (Shopify's host is the stored shop's).
    // (Credentials that no longer decrypt, after a key change, still count as stored: compared without them.)
    const stored = existing?.hasCredentials
      ? await storeCredentials(trx, existing.id, deps.key).catch(() => ({}))
      : undefined;
    const after = storeEndpoints({ cart, baseUrl, settings }, credentials ?? stored);
    checkEndpoints(after, testStore);
    const moved =
      existing && stored && !credentials
        ? movedEndpoint(
            storeEndpoints({ cart, baseUrl: existing.baseUrl, settings: existing.settings }, stored),
            after,
          )
        : null;

    const saved = await upsertStore(
      trx,
      {
        code: input.code,
        cart,
        name: input.name.trim(),
        enabled: input.enabled,
        importCron: input.importCron,
        baseUrl,
        testStore,
        settings,
        credentials: credentials ?? null,
      },
      deps.key,
    );
    if (moved) await dropCredentials(trx, saved.id, moved);
    return {
      store: moved ? await getStoreById(trx, saved.id) : saved,
      created: existing === null,
      credentialsUpdated: credentials !== undefined,
      credentialsDropped: moved,
    };
  });
}

/**
 * New credentials for an existing store, checked against the cart's schema; the store's endpoints
 * are checked with them (Shopify's host comes from the shop name) before they are kept.
 */
export async function setStoreCredentials(
  deps: StoreDeps,
  input: { code: string; credentials: Record<string, unknown> },
): Promise<Store> {
  return withTransaction(deps.db, async (trx) => {
    const existing = await findSavedStore(trx, input.code, { lock: true });
    if (!existing) throw new RuleRefusal(`店舗 ${input.code} はありません`, 'not_found');
    checkCredentials(existing.cart, input.credentials);
    checkEndpoints(storeEndpoints(existing, input.credentials), existing.testStore);
    return setCredentials(trx, existing.id, input.credentials, deps.key);
  });
}

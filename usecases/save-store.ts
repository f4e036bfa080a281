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
//
// Settings are checked before they are stored (issue 15 item 4): every cron (the import's and every
// setting named `…Cron`) must be one the scheduler can run, every setting key must be one a schema
// knows (`carts/registry.ts knownSettingKeys`; the refusal names the closest), every value must pass
// its schema, and a store's cart changes only when the caller says so (`changeCart`). Each refusal
// names the field; `apply-stores.ts` adds the file and the store.
import cron from 'node-cron';
import type { CredentialEndpoint } from '../carts/contract.js';
import { cartModule, storeEndpoints, storeSettingsProblems } from '../carts/registry.js';
import { addedApiHosts } from '../db/cart-api-hosts.js';
import type { Db } from '../db/db.js';
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
import { isCronSetting, type SettingProblem } from '../domain/store-settings.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface StoreDeps extends Pick<UseCaseDeps, 'db'> {
  /** JUCHU_SECRET_KEY: credentials are encrypted with it before they reach the database. */
  key: Buffer;
}

export interface SaveStoreInput {
  code: string;
  /** Required for a new store; an existing store's cart changes only with `changeCart`. */
  cart?: CartName;
  /**
   * The caller means to move an existing store to another cart (`stores apply --change-cart`): its
   * stored credentials, which belong to the old cart, are dropped unless new ones come with it.
   */
  changeCart?: boolean;
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
  /** Why the stored credentials were dropped (their endpoint moved, the cart changed), or null. */
  credentialsDropped: string | null;
  /** The store moved to another cart (`changeCart`), or null. */
  cartChanged: { from: CartName; to: CartName } | null;
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

/** A store refused for one or more of its fields; the message names each (`settings.reconcileCron: …`). */
export class StoreRefusal extends RuleRefusal {
  constructor(
    readonly problems: readonly SettingProblem[],
    rule: string,
  ) {
    super(
      rule === 'invalid_settings'
        ? `設定が正しくありません: ${problems.map((p) => `${p.field.replace(/^settings\./, '')}: ${p.message}`).join('; ')}`
        : problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      rule,
    );
  }
}

const refuse = (field: string, message: string, rule: string): never => {
  throw new StoreRefusal([{ field, message }], rule);
};

/**
 * Why the scheduler could not run `expr` (Asia/Tokyo, node-cron as in workers/scheduler.ts), in
 * Japanese; null when it can. An expression the reader takes that never comes round is refused too.
 */
export function cronProblem(expr: unknown): string | null {
  if (typeof expr !== 'string' || expr.trim() === '') return 'cron 式を書いてください（例: */10 * * * *）';
  const hint = '（分 時 日 月 曜日。例: */10 * * * * は 10 分ごと、30 3 * * * は毎日 3:30）';
  if (!cron.validate(expr)) return `「${expr.slice(0, 100)}」は実行できる cron 式ではありません${hint}`;
  const task = cron.createTask(expr, () => undefined, { timezone: 'Asia/Tokyo' });
  try {
    if (!task.getNextRuns(1)[0]) return `「${expr.slice(0, 100)}」は一度も実行されません${hint}`;
  } catch {
    return `「${expr.slice(0, 100)}」は実行できる cron 式ではありません${hint}`;
  } finally {
    void task.destroy();
  }
  return null;
}

/**
 * What is wrong with a store's settings for `cart`: unknown keys (with the closest known one), values
 * a schema refuses, crons that cannot run. Fields are named `settings.<key>`. Pure but for node-cron.
 */
export function settingsRefusals(cart: CartName, settings: Record<string, unknown>): SettingProblem[] {
  const problems = storeSettingsProblems(cart, settings);
  for (const [key, value] of Object.entries(settings)) {
    if (!isCronSetting(key) || value === null || problems.some((p) => p.field === key)) continue;
    const why = cronProblem(value);
    if (why) problems.push({ field: key, message: why });
  }
  return problems.map((p) => ({ field: `settings.${p.field}`, message: p.message }));
}

/** The checks that need no database, in the order a person fixes them. */
export function checkStoreInput(input: SaveStoreInput): void {
  if (!STORE_CODE.test(input.code))
    refuse('code', '店舗コードは英小文字・数字・- です（先頭は英小文字か数字、63 文字まで）', 'invalid_code');
  if (input.name.trim() === '' || input.name.length > 100)
    refuse('name', '店舗名は 1〜100 文字です', 'invalid_name');
  const why = cronProblem(input.importCron);
  if (why) refuse('cron', `取込スケジュール: ${why}`, 'invalid_cron');
  if (input.cart !== undefined && !CARTS.includes(input.cart))
    refuse('cart', `カート ${input.cart} はありません（${CARTS.join(', ')}）`, 'invalid_cart');
  if (input.cart && input.settings) {
    const problems = settingsRefusals(input.cart, input.settings);
    if (problems.length) throw new StoreRefusal(problems, 'invalid_settings');
  }
}

export async function saveStore(deps: StoreDeps, input: SaveStoreInput): Promise<SavedStoreResult> {
  return withTransaction(deps.db, (trx) => saveStoreIn(trx, deps.key, input));
}

/** saveStore's work inside the caller's transaction (`apply-stores.ts` saves a whole file in one). */
export async function saveStoreIn(trx: Db, key: Buffer, input: SaveStoreInput): Promise<SavedStoreResult> {
  checkStoreInput(input);
  const existing = await findSavedStore(trx, input.code, { lock: true });
  if (!existing && !input.cart) refuse('cart', '新しい店舗にはカートを選んでください', 'cart_required');
  const cartChange =
    existing && input.cart && input.cart !== existing.cart ? { from: existing.cart, to: input.cart } : null;
  if (cartChange && !input.changeCart)
    refuse(
      'cart',
      `店舗 ${input.code} は ${cartChange.from} の店舗で、カートは変更できません。${cartChange.to} に変えるには、変えることを明示してください（juchu stores apply --change-cart）。認証情報は消えます`,
      'cart_fixed',
    );
  const cart = (cartChange ? cartChange.to : (existing?.cart ?? input.cart)) as CartName;
  const settings = input.settings ?? existing?.settings ?? {};
  const problems = settingsRefusals(cart, settings);
  if (problems.length) throw new StoreRefusal(problems, 'invalid_settings');
  const baseUrl = input.baseUrl === undefined ? (existing?.baseUrl ?? null) : input.baseUrl?.trim() || null;
  const testStore = input.testStore ?? existing?.testStore ?? false;
  const credentials = input.credentials ?? undefined;
  if (credentials) checkCredentials(cart, credentials);

  // The servers the credentials would go to, before and after (Shopify's host is the stored shop's).
  // (Credentials that no longer decrypt, after a key change, still count as stored: compared without them.)
  // Another cart's credentials are never sent to this one: a cart change drops them.
  const stored =
    existing?.hasCredentials && !cartChange
      ? await storeCredentials(trx, existing.id, key).catch(() => ({}))
      : undefined;
  const added = await addedApiHosts(trx, cart);
  const after = storeEndpoints({ cart, baseUrl, settings }, credentials ?? stored, added);
  checkEndpoints(after, testStore);
  const moved =
    cartChange && existing?.hasCredentials && !credentials
      ? `カートを ${cartChange.from} から ${cartChange.to} に変えたため、保存していた認証情報を消しました。${cartChange.to} の認証情報を登録してください`
      : existing && stored && !credentials
        ? movedEndpoint(
            storeEndpoints({ cart, baseUrl: existing.baseUrl, settings: existing.settings }, stored, added),
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
    key,
  );
  if (moved) await dropCredentials(trx, saved.id, moved);
  return {
    store: moved ? await getStoreById(trx, saved.id) : saved,
    created: existing === null,
    credentialsUpdated: credentials !== undefined,
    credentialsDropped: moved,
    cartChanged: cartChange,
  };
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

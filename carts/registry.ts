// Every cart juchu speaks, by name. A store's `cart` picks its module. The simulators have their own
// registry (`sim/simulators.ts`): they are dev tools, and a worker loading this file loads none of them.
import { z } from 'zod';
import type { CartName } from '../domain/order.js';
import { type SettingProblem, settingsProblems, storeSettingsSchema } from '../domain/store-settings.js';
import { actionSettingsSchema } from './actions.js';
import { amazonCart } from './amazon/index.js';
import type { CartModule, CredentialEndpoint } from './contract.js';
import { csvCart } from './csv/index.js';
import { makeshopCart } from './makeshop/index.js';
import { rakutenCart } from './rakuten/index.js';
import { shopifyCart } from './shopify/index.js';
import { yahooCart } from './yahoo/index.js';

// biome-ignore lint/suspicious/noExplicitAny: each module has its own credential type; stores give unknown
const MODULES: Readonly<Record<CartName, CartModule<any>>> = {
  rakuten: rakutenCart,
  yahoo: yahooCart,
  amazon: amazonCart,
  makeshop: makeshopCart,
  shopify: shopifyCart,
  csv: csvCart,
};

// biome-ignore lint/suspicious/noExplicitAny: see above
export function cartModule(cart: CartName): CartModule<any> {
  const m = MODULES[cart];
  if (!m) throw new Error(`unknown cart "${cart}"`);
  return m;
}

/**
 * Field names of a cart's credentials, from its `credentialsSchema` (the store screen shows these,
 * empty). A cart whose credentials are not an object (CSV: nothing to authenticate) has none.
 */
export function credentialFields(cart: CartName): string[] {
  const schema: unknown = cartModule(cart).credentialsSchema;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Every URL a store's adapter would send its credentials to (the base URL, or the cart's default, and
 * any token endpoint its settings imply), with the hosts each may name. See `apiHosts` per cart.
 */
export function storeEndpoints(
  store: { cart: CartName; baseUrl: string | null; settings: Record<string, unknown> },
  credentials?: unknown,
  /** Hosts an ops engineer added for this cart's API (`juchu stores allow-host`, db/cart-api-hosts.ts). */
  addedHosts: readonly string[] = [],
): CredentialEndpoint[] {
  const mod = cartModule(store.cart);
  const endpoints = mod.endpoints(store.baseUrl ?? mod.defaultBaseUrl, store.settings, credentials);
  // Only the API's own URL: token endpoints stay the cart's published ones.
  if (addedHosts.length === 0) return endpoints;
  return endpoints.map((e) =>
    e.setting === 'baseUrl' && !e.file ? { ...e, hosts: [...e.hosts, ...addedHosts] } : e,
  );
}

/** Every schema a store of this cart's settings must pass: juchu's own, the write side's, the cart's. */
export function settingsSchemasOf(cart: CartName): readonly z.ZodObject[] {
  return [storeSettingsSchema, actionSettingsSchema, ...cartModule(cart).settingsSchemas];
}

/** The setting keys a store of this cart may have, from the schemas (so a key added to one is known). */
export function knownSettingKeys(cart: CartName): string[] {
  return [...new Set(settingsSchemasOf(cart).flatMap((s) => Object.keys(s.shape)))].sort();
}

/** What is wrong with a store's settings (unknown keys with the closest known one, bad values); [] if nothing. */
export function storeSettingsProblems(cart: CartName, settings: Record<string, unknown>): SettingProblem[] {
  return settingsProblems(settings, settingsSchemasOf(cart));
}

/**
 * A payment method as a person reads it: the cart's name for its code (Amazon's joined methods part
 * by part, `CreditCard+GiftCertificate` → クレジットカード＋ギフト券), or the code itself when the cart
 * has no name for it (never dropped: the operator still sees what the cart sent).
 */
export function paymentMethodName(cart: CartName, method: string | null): string | null {
  if (method === null) return null;
  const names = cartModule(cart).paymentMethodNames;
  if (!names) return method;
  return method
    .split('+')
    .map((m) => names[m] ?? m)
    .join('＋');
}

// The known setting keys come from the schemas (carts/registry.ts knownSettingKeys), so a key added
// to a schema is known at once. This holds the other half: every store setting the code reads by
// name (`settings.foo`, `settings?.foo`) is in some cart's schemas — a setting read without a schema
// would be refused by `stores apply` and the store screen.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARTS } from '../domain/order.js';
import { knownSettingKeys, storeSettingsProblems } from './registry.js';

const ROOTS = ['carts', 'jobs', 'usecases', 'workers', 'domain'];
/** `settings.x` that are not a store's settings: BullMQ's worker settings, the HTTP client's, a Map. */
const NOT_STORE = /(?:http|worker|opts)\??\.settings$/;
const NOT_KEYS = new Set(['get', 'js', 'ts', 'has', 'set', 'backoffStrategy']);
/** The HTTP client's own `this.settings` (timeouts and attempts per request, not a store's). */
const NOT_STORE_FILES = new Set([path.join('carts', 'http.ts')]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'sim' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !/simulator|render\.ts$/.test(p) ? [p] : [];
  });
}

describe('store setting keys', () => {
  it('are derived from the schemas of each cart', () => {
    for (const cart of CARTS) {
      const keys = knownSettingKeys(cart);
      expect(keys, cart).toContain('reconcileCron');
      expect(keys, cart).toContain('carrierCodes');
    }
    expect(knownSettingKeys('rakuten')).toContain('searchDateTypes');
    expect(knownSettingKeys('rakuten')).not.toContain('windowCondition');
    expect(knownSettingKeys('makeshop')).toContain('sendShippingMail');
    expect(knownSettingKeys('csv')).toEqual(expect.arrayContaining(['inboxDir', 'shipmentLayout']));
  });

  it('refuse another cart’s setting, naming the closest of this one', () => {
    expect(storeSettingsProblems('shopify', { windowCondition: 'OrderTime' })).toEqual([
      { field: 'windowCondition', message: expect.stringMatching(/^不明な設定です/) },
    ]);
    expect(storeSettingsProblems('yahoo', { windowCondition: 'OrderTime' })).toEqual([]);
    expect(storeSettingsProblems('yahoo', { carrierCodes: { yamto: '1001' } })[0]?.field).toBe(
      'carrierCodes.yamto',
    );
  });

  it('include every setting the code reads by name', () => {
    const known = new Set(CARTS.flatMap((c) => knownSettingKeys(c)));
    const unknown: string[] = [];
    for (const file of ROOTS.flatMap((r) => sources(r)).filter((f) => !NOT_STORE_FILES.has(f))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/([\w.?]*?)\bsettings\??\.([A-Za-z_]\w*)/g)) {
        const [, before = '', key = ''] = m;
        if (NOT_STORE.test(`${before}settings`) || NOT_KEYS.has(key)) continue;
        if (!known.has(key)) unknown.push(`${file}: settings.${key}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it("checks Rakuten's orderConfirmation like the other settings: a known mode, and only for Rakuten", () => {
    for (const mode of ['import', 'operator', 'never'])
      expect(storeSettingsProblems('rakuten', { orderConfirmation: mode })).toEqual([]);
    expect(storeSettingsProblems('rakuten', { orderConfirmation: 'auto' })).toEqual([
      {
        field: 'orderConfirmation',
        message:
          '注文確認は import（取込時）、operator（オペレーターが確認）、never（送らない）のいずれかです',
      },
    ]);
    expect(storeSettingsProblems('shopify', { orderConfirmation: 'import' })[0]).toMatchObject({
      field: 'orderConfirmation',
    });
  });
});

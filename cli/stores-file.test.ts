import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStoresFile } from './stores-file.js';

const env = {
  RAKUTEN_SERVICE_SECRET: 'SP1',
  RAKUTEN_LICENSE_KEY: 'SL1',
  YAHOO_SELLER_ID: 'shop',
  YAHOO_CLIENT_ID: 'c',
  YAHOO_CLIENT_SECRET: 's',
  YAHOO_REFRESH_TOKEN: 'r',
  YAHOO_PUBLIC_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString(),
  YAHOO_PUBLIC_KEY_VERSION: '1',
  AMAZON_LWA_CLIENT_ID: 'c',
  AMAZON_LWA_CLIENT_SECRET: 's',
  AMAZON_REFRESH_TOKEN: 'Atzr|x',
  MAKESHOP_SHOP_ID: 'm',
  MAKESHOP_TOKEN: 't',
  SHOPIFY_SHOP: 'juchu-demo',
  SHOPIFY_ACCESS_TOKEN: 'shpat_x',
};

async function file(text: string, ext = 'yaml'): Promise<string> {
  const p = path.join(tmpdir(), `stores-${process.pid}-${Math.random().toString(36).slice(2)}.${ext}`);
  await writeFile(p, text);
  return p;
}

describe('stores file', () => {
  it('reads the README example with credentials from the environment', async () => {
    const stores = await readStoresFile('examples/stores.yaml', env);
    expect(stores.map((s) => s.code)).toEqual([
      'rakuten-main',
      'yahoo-main',
      'amazon-jp',
      'makeshop-main',
      'shopify-global',
      'csv-wholesale',
    ]);
    expect(stores[0]!.credentials).toEqual({ serviceSecret: 'SP1', licenseKey: 'SL1' });
    expect(stores[0]!.importCron).toBe('*/10 * * * *');
    expect(stores[5]!.credentials).toBeNull();
    expect(stores.every((s) => s.testStore === false)).toBe(true);
  });

  it('reads the test store mark (only a test store may point at a local simulator)', async () => {
    const f = await file(
      'stores:\n  - code: sim\n    cart: csv\n    name: S\n    baseUrl: file:///tmp/inbox\n    testStore: true\n',
    );
    expect((await readStoresFile(f, env))[0]).toMatchObject({
      testStore: true,
      baseUrl: 'file:///tmp/inbox',
    });
    const bad = await file('stores:\n  - code: sim\n    cart: csv\n    name: S\n    testStore: "yes"\n');
    await expect(readStoresFile(bad, env)).rejects.toThrow(/stores\.0\.testStore/);
  });

  it('refuses a Yahoo! store without its public key and version, saying why, unless marked interactive', async () => {
    const yahoo = (extra: string, creds = '') =>
      file(
        `stores:\n  - code: y1\n    cart: yahoo\n    name: Y\n${extra}    credentialsFromEnv:\n` +
          '      sellerId: YAHOO_SELLER_ID\n      clientId: YAHOO_CLIENT_ID\n' +
          `      clientSecret: YAHOO_CLIENT_SECRET\n      refreshToken: YAHOO_REFRESH_TOKEN\n${creds}`,
      );
    await expect(readStoresFile(await yahoo(''), env)).rejects.toThrow(
      /store y1: credentials have no publicKey and publicKeyVersion .*lapses after 12 hours.*interactive: true/,
    );
    await expect(readStoresFile(await yahoo('', '      publicKey: YAHOO_PUBLIC_KEY\n'), env)).rejects.toThrow(
      /store y1: credentials have no publicKeyVersion /,
    );
    await expect(
      readStoresFile(
        await yahoo(
          '',
          '      publicKey: YAHOO_CLIENT_ID\n      publicKeyVersion: YAHOO_PUBLIC_KEY_VERSION\n',
        ),
        env,
      ),
    ).rejects.toThrow(/store y1: publicKey is not a public key/);
    const [interactive] = await readStoresFile(await yahoo('    interactive: true\n'), env);
    expect(interactive!.credentials).not.toHaveProperty('publicKey');
    const [unattended] = await readStoresFile(
      await yahoo(
        '',
        '      publicKey: YAHOO_PUBLIC_KEY\n      publicKeyVersion: YAHOO_PUBLIC_KEY_VERSION\n',
      ),
      env,
    );
    expect(unattended!.credentials).toMatchObject({ publicKeyVersion: '1' });
  });

  it('names a missing environment variable', async () => {
    const { RAKUTEN_LICENSE_KEY: _, ...partial } = env;
    await expect(readStoresFile('examples/stores.yaml', partial)).rejects.toThrow(
      /rakuten-main: credential licenseKey comes from \$RAKUTEN_LICENSE_KEY, which is not set/,
    );
  });

  it('names a bad setting and a bad field', async () => {
    const bad = await file(
      'stores:\n  - code: s1\n    cart: csv\n    name: S\n    settings:\n      deliveryHoldDays: -1\n',
    );
    await expect(readStoresFile(bad, env)).rejects.toThrow(/store s1: settings\.deliveryHoldDays/);
    const wrongCart = await file('{"stores":[{"code":"s2","cart":"ebay","name":"S"}]}', 'json');
    await expect(readStoresFile(wrongCart, env)).rejects.toThrow(/stores\.0\.cart/);
    const badCreds = await file(
      'stores:\n  - code: s3\n    cart: rakuten\n    name: R\n    credentialsFromEnv:\n      serviceSecret: RAKUTEN_SERVICE_SECRET\n',
    );
    await expect(readStoresFile(badCreds, env)).rejects.toThrow(/store s3: credentials\.licenseKey/);
  });
});

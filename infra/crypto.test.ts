import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCredentials, upsertStore } from '../db/stores.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { decryptJson, decryptSecret, encryptJson, encryptSecret } from './crypto.js';
import { createLogger } from './logger.js';

const KEY = Buffer.alloc(32, 3);

describe('credential encryption', () => {
  it('round-trips and refuses a wrong key or tampered data', () => {
    const sealed = encryptSecret('licenseKey-シークレット', KEY);
    expect(sealed).not.toContain('licenseKey');
    expect(decryptSecret(sealed, KEY)).toBe('licenseKey-シークレット');
    expect(encryptSecret('same', KEY)).not.toBe(encryptSecret('same', KEY)); // fresh IV each time
    expect(() => decryptSecret(sealed, Buffer.alloc(32, 4))).toThrow(/wrong JUCHU_SECRET_KEY or tampered/);
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64');
    flipped[0]! ^= 1;
    expect(() => decryptSecret([v, iv, tag, flipped.toString('base64')].join('.'), KEY)).toThrow(/tampered/);
    expect(decryptJson(encryptJson({ a: 1 }, KEY), KEY)).toEqual({ a: 1 });
  });

  describe('in the database', () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb('crypto');
    });
    afterAll(async () => t.drop());

    it('stores credentials encrypted: the plain text appears nowhere in the database', async () => {
      const secret = 'SP-very-secret-license-8f3a';
      const store = await upsertStore(
        t.db,
        {
          code: 'rakuten-x',
          cart: 'rakuten',
          name: '楽天',
          credentials: { serviceSecret: 'SS-1', licenseKey: secret },
        },
        KEY,
      );
      expect(await storeCredentials(t.db, store.id, KEY)).toEqual({
        serviceSecret: 'SS-1',
        licenseKey: secret,
      });
      // Every row of every table, as text.
      const tables = await sql<{
        tablename: string;
      }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(t.db);
      for (const { tablename } of tables.rows) {
        const rows = await sql<{
          j: string;
        }>`SELECT row_to_json(x)::text AS j FROM ${sql.table(tablename)} x`.execute(t.db);
        for (const r of rows.rows) expect(r.j).not.toContain(secret);
      }
    });

    it('never logs credentials', () => {
      const lines: string[] = [];
      const log = createLogger({ write: (l) => lines.push(l) });
      log.info({ store: { code: 'x', credentials: { licenseKey: 'TOPSECRET1' } } }, 'store');
      log.info(
        { credentials: { accessToken: 'TOPSECRET2' }, headers: { authorization: 'ESA TOPSECRET3' } },
        'call',
      );
      log.info({ accessToken: 'TOPSECRET4', refreshToken: 'TOPSECRET5' }, 'token');
      expect(lines.length).toBe(3);
      expect(lines.join('')).not.toMatch(/TOPSECRET/);
    });
  });
});

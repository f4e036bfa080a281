// `juchu stores apply <file>`: stores as YAML or JSON. Credentials are never written in the file:
// it names the environment variables that hold them (credentialsFromEnv), and they are encrypted
// before they reach the database. Each entry is saved by usecases/save-store.ts, which also checks
// where its credentials may be sent (`testStore: true` lets a store point at a local simulator).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { cartModule } from '../carts/registry.js';
import { unattendedImportProblem } from '../carts/yahoo/unattended.js';
import { CARTS, type CartName } from '../domain/order.js';
import { storeSettingsSchema } from '../domain/store-settings.js';
import type { SaveStoreInput } from '../usecases/save-store.js';

const storeEntry = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  cart: z.enum(CARTS),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  cron: z.string().default('*/10 * * * *'),
  baseUrl: z.string().url().nullable().optional(),
  /** テスト店舗: may point at this machine (a cart simulator). */
  testStore: z.boolean().default(false),
  credentialsFromEnv: z.record(z.string(), z.string()).optional(),
  /**
   * Someone re-authorizes the store by hand: a Yahoo! store may then go without its public key,
   * whose lack makes Yahoo's authorization lapse after 12 hours (carts/yahoo/unattended.ts).
   */
  interactive: z.boolean().default(false),
  settings: z.record(z.string(), z.unknown()).default({}),
});

const storesFile = z.object({ stores: z.array(storeEntry).min(1) });

export type StoresFileEntry = z.infer<typeof storeEntry>;

/** Reads and checks the file; every problem names the store and the field or variable. */
export async function readStoresFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Array<SaveStoreInput & { cart: CartName }>> {
  const text = await readFile(path, 'utf8');
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const parsed = storesFile.safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${path}: ${i.path.join('.')}: ${i.message}`);
  }
  return parsed.data.stores.map((s) => {
    const settings = storeSettingsSchema.safeParse(s.settings);
    if (!settings.success) {
      const i = settings.error.issues[0]!;
      throw new Error(`${path}: store ${s.code}: settings.${i.path.join('.')}: ${i.message}`);
    }
    let credentials: Record<string, unknown> | null = null;
    if (s.credentialsFromEnv) {
      credentials = {};
      for (const [field, variable] of Object.entries(s.credentialsFromEnv)) {
        const value = env[variable];
        if (value === undefined || value === '')
          throw new Error(
            `${path}: store ${s.code}: credential ${field} comes from $${variable}, which is not set`,
          );
        credentials[field] = value;
      }
      const check = cartModule(s.cart).credentialsSchema.safeParse(credentials);
      if (!check.success) {
        const i = check.error.issues[0]!;
        throw new Error(`${path}: store ${s.code}: credentials.${i.path.join('.')}: ${i.message}`);
      }
      const problem = s.cart === 'yahoo' && !s.interactive ? unattendedImportProblem(credentials) : null;
      if (problem) throw new Error(`${path}: store ${s.code}: ${problem}`);
    }
    return {
      code: s.code,
      cart: s.cart,
      name: s.name,
      enabled: s.enabled,
      importCron: s.cron,
      baseUrl: s.baseUrl ?? null,
      testStore: s.testStore,
      settings: s.settings,
      credentials,
    };
  });
}

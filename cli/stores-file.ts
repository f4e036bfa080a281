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
import { unknownKeyMessage } from '../domain/store-settings.js';
import { cronProblem, type SaveStoreInput, settingsRefusals } from '../usecases/save-store.js';

// Strict: a misspelt field (`crom`, `setting`) is refused with the closest one, never ignored.
const storeEntry = z.strictObject({
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

const storesFile = z.strictObject({ stores: z.array(storeEntry).min(1) });
const ENTRY_FIELDS = Object.keys(storeEntry.shape);

/** Where in the file and what: `store <code>: <field>: …` for an entry, else the path. */
function describeIssue(data: unknown, i: z.core.$ZodIssue): string {
  const [top, index] = i.path;
  const entry =
    top === 'stores' && typeof index === 'number'
      ? ((data as { stores?: Array<{ code?: unknown }> }).stores?.[index] ?? null)
      : null;
  const where =
    entry === null
      ? ''
      : typeof entry.code === 'string'
        ? `store ${entry.code}: `
        : `stores[${String(index)}]: `;
  if (i.code === 'unrecognized_keys') {
    const known = entry === null ? ['stores'] : ENTRY_FIELDS;
    return i.keys
      .map((k) => `${where}${[...i.path, k].join('.')}: ${unknownKeyMessage(k, known, '項目')}`)
      .join('; ');
  }
  return `${where}${i.path.join('.')}: ${i.message}`;
}

export type StoresFileEntry = z.infer<typeof storeEntry>;

/** Reads and checks the file; every problem names the store and the field or variable. */
export async function readStoresFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Array<SaveStoreInput & { cart: CartName }>> {
  const text = await readFile(path, 'utf8');
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const parsed = storesFile.safeParse(data);
  if (!parsed.success) throw new Error(`${path}: ${describeIssue(data, parsed.error.issues[0]!)}`);
  return parsed.data.stores.map((s) => {
    // The same checks as the dashboard's (usecases/save-store.ts): crons, setting keys and values.
    const problems = settingsRefusals(s.cart, s.settings);
    const cronWhy = cronProblem(s.cron);
    if (cronWhy) problems.unshift({ field: 'cron', message: cronWhy });
    if (problems.length)
      throw new Error(
        `${path}: store ${s.code}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      );
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

// Per-store settings (stores.settings). Every field has a default so a store created with `{}` works;
// cart-specific defaults (which cart statuses to import, which payment methods are prepaid) come
// from the cart module.
import { z } from 'zod';
import { stockPushSettingsSchema } from './free-quantity.js';
import { REGISTRATION_NUMBER } from './invoice.js';

export const reservationTimings = ['import', 'fulfillment'] as const;

/** Per-store HTTP settings to the cart; each absent key keeps the cart's default (carts/contract.ts). */
export const httpSettingsSchema = z
  .object({
    /** Per-request timeout. */
    timeoutMs: z.number().int().min(1000).max(300_000).optional(),
    /** Attempts per request for network errors, timeouts, 5xx and 429 (1 = no retry). */
    maxAttempts: z.number().int().min(1).max(20).optional(),
    /** First backoff, doubling each attempt with jitter. */
    baseDelayMs: z.number().int().min(0).max(60_000).optional(),
    /** Longest single wait (also caps a cart's Retry-After). */
    maxDelayMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict()
  .refine((h) => h.baseDelayMs === undefined || h.maxDelayMs === undefined || h.baseDelayMs <= h.maxDelayMs, {
    message: 'baseDelayMs must not exceed maxDelayMs',
    path: ['baseDelayMs'],
  });

export const storeSettingsSchema = z.object({
  /** Cart statuses whose orders are imported; null = the cart's defaults. Cancels of imported orders always come through. */
  importStatuses: z.array(z.string()).nullable().default(null),
  /** Payment-method names (as the cart gives them) that mean "money first"; null = the cart's defaults. */
  prepaidMethods: z.array(z.string()).nullable().default(null),
  /** A requested delivery date this many days ahead (JST) or more holds the order (納期指定あり). */
  deliveryHoldDays: z.number().int().min(1).max(365).default(10),
  /** Reserve stock as soon as an order is imported, or only once it reaches fulfillment. */
  reservationTiming: z.enum(reservationTimings).default('import'),
  /** Each window starts this far before the cursor, to catch orders the cart indexed late. */
  syncOverlapMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10),
  /** Each window ends this far before now: carts take a moment to settle a new order. */
  settleLagSeconds: z.number().int().min(0).max(3600).default(120),
  /** With no cursor yet, the first import looks back this many days. */
  initialImportDays: z.number().int().min(0).max(730).default(3),
  /** A cancel before the shipping instruction completes by itself (else it waits for an operator). */
  autoCompleteCancel: z.boolean().default(true),
  /**
   * A cart whose pages do not say how far a window is in is listed in sub-windows this long, each
   * committed before the next (issue 15): a retry resumes at the first one not yet in.
   */
  importSliceMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360),
  /** HTTP to the cart: per-request timeout, attempts and backoff (defaults: the cart's). */
  http: httpSettingsSchema.default({}),
  /** Daily reconciliation (missed-order backstop), Asia/Tokyo. */
  reconcileCron: z.string().default('30 3 * * *'),
  /** Optional scheduled shipping instruction for this store's ready orders, Asia/Tokyo. */
  shippingInstructionCron: z.string().nullable().default(null),
  /** 適格請求書発行事業者登録番号 (T + 13 digits): printed on the 納品書, which then carries the invoice fields. */
  invoiceRegistrationNumber: z
    .string()
    .regex(REGISTRATION_NUMBER, { message: '登録番号は T に続く13桁の数字です（例: T1234567890123）' })
    .nullable()
    .default(null),
  /** 売上日: the day of 出荷完了 (default), or the order's date. */
  salesDateBasis: z
    .enum(['shipment', 'order'], { message: '売上日は shipment（出荷日）か order（受注日）です' })
    .default('shipment'),
  // 在庫連携 (domain/free-quantity.ts): push on/off (off by default), safety stock, share, cap.
  ...stockPushSettingsSchema.shape,
});

export type StoreSettings = z.infer<typeof storeSettingsSchema>;

export function parseStoreSettings(raw: unknown): StoreSettings & Record<string, unknown> {
  const base = storeSettingsSchema.parse(raw ?? {});
  // Cart-specific keys (marketplace id, CSV column mapping…) pass through for the adapter.
  return { ...(typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}), ...base };
}

// ── Checking settings before they are stored (issue 15 item 4) ─────────────────────────────────

/** Zod's messages in Japanese: the store screen shows them. */
const JA = z.locales.ja().localeError;

/** A problem with one setting: which field (`reconcileCron`, `pageSize`), and what is wrong (Japanese). */
export interface SettingProblem {
  field: string;
  message: string;
}

/**
 * A setting whose name ends in `Cron` (`reconcileCron`, `shippingInstructionCron`, any added later)
 * is a cron expression the scheduler runs in Japan time: it is checked with the scheduler's own cron
 * reader before it is stored (usecases/save-store.ts).
 */
export function isCronSetting(key: string): boolean {
  return /cron$/i.test(key);
}

/** Optimal string alignment distance (Levenshtein with adjacent swaps), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [
    i,
    ...Array<number>(t.length).fill(0),
  ]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[s.length]![t.length]!;
}

/** The known key nearest to `word` (a typo, a case slip, a word left out), or null when none is near. */
export function closestKey(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const dist = editDistance(word, k);
    if (dist < bestDistance) [best, bestDistance] = [k, dist];
  }
  const near = Math.max(2, Math.floor(word.length / 3));
  if (best !== null && bestDistance <= near) return best;
  // `shippingCron` for `shippingInstructionCron`: a word left out (the shortest key holding every letter in order).
  const lower = word.toLowerCase();
  if (lower.length < 4) return null;
  const holds = (k: string) => {
    let at = 0;
    for (const ch of k.toLowerCase()) if (ch === lower[at]) at++;
    return at === lower.length;
  };
  return known.filter(holds).sort((a, b) => a.length - b.length)[0] ?? null;
}

/** `不明な設定です（… のことですか？）`: the sentence for a key no schema knows. */
export function unknownKeyMessage(key: string, known: readonly string[], what = '設定'): string {
  const near = closestKey(key, known);
  return near
    ? `不明な${what}です（${near} のことですか？）`
    : `不明な${what}です（使えるのは ${known.join(', ')}）`;
}

/**
 * Every problem of `settings` against the schemas a store must pass (juchu's own, the write side's,
 * the cart's): keys none of them knows, with the closest known one, and values a schema refuses, in
 * Japanese. Cron values are the caller's to check (the scheduler's reader is not pure domain code).
 */
export function settingsProblems(
  settings: Record<string, unknown>,
  schemas: readonly z.ZodObject[],
): SettingProblem[] {
  const known = [...new Set(schemas.flatMap((s) => Object.keys(s.shape)))].sort();
  const problems: SettingProblem[] = [];
  for (const key of Object.keys(settings))
    if (!known.includes(key)) problems.push({ field: key, message: unknownKeyMessage(key, known) });
  const seen = new Set<string>();
  for (const schema of schemas) {
    const r = schema.safeParse(settings, { error: JA });
    if (r.success) continue;
    for (const i of r.error.issues) {
      // A misspelt key inside a setting (`carrierCodes.yamto`): named on its own.
      const paths = i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : [i.path];
      for (const p of paths) {
        const field = p.map(String).join('.') || '(settings)';
        if (seen.has(field)) continue;
        seen.add(field);
        problems.push({ field, message: i.message });
      }
    }
  }
  return problems;
}

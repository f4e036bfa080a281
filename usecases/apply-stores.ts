// `juchu stores apply <file>`: a whole stores file is one change. Every entry is checked first (the
// same checks as one store: save-store.ts), two entries with the same code are refused, and then all
// of them are saved in one transaction — a file with one bad entry changes nothing. A refusal says
// which entry (its store code and its place in the file) and which field.
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import {
  checkStoreInput,
  type SavedStoreResult,
  type SaveStoreInput,
  type StoreDeps,
  saveStoreIn,
} from './save-store.js';

/** A refusal of one entry of a stores file: which store, which entry (1-based), and why. */
export class StoreEntryRefusal extends RuleRefusal {
  constructor(
    readonly store: string,
    readonly entry: number,
    readonly reason: string,
    rule: string,
  ) {
    super(`store ${store}: ${reason}`, rule);
  }
}

/** Codes given more than once, each with the entries (1-based) that give it. */
export function duplicateCodes(codes: readonly string[]): Array<{ code: string; entries: number[] }> {
  const at = new Map<string, number[]>();
  for (const [i, c] of codes.entries()) at.set(c, [...(at.get(c) ?? []), i + 1]);
  return [...at].filter(([, e]) => e.length > 1).map(([code, entries]) => ({ code, entries }));
}

export async function applyStores(
  deps: StoreDeps,
  entries: readonly SaveStoreInput[],
): Promise<SavedStoreResult[]> {
  const dup = duplicateCodes(entries.map((e) => e.code))[0];
  if (dup)
    throw new StoreEntryRefusal(
      dup.code,
      dup.entries[1]!,
      `code: 店舗コード ${dup.code} がファイルの中で ${dup.entries.length} 回使われています（${dup.entries.join('・')} 番目）。1 店舗 1 項目にしてください`,
      'duplicate_code',
    );
  const each = async <T>(i: number, fn: () => Promise<T> | T): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RuleRefusal) throw new StoreEntryRefusal(entries[i]!.code, i + 1, e.message, e.rule);
      throw e;
    }
  };
  for (const [i, entry] of entries.entries()) await each(i, () => checkStoreInput(entry));
  return withTransaction(deps.db, async (trx) => {
    const results: SavedStoreResult[] = [];
    for (const [i, entry] of entries.entries())
      results.push(await each(i, () => saveStoreIn(trx, deps.key, entry)));
    return results;
  });
}

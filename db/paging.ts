// Keyset paging, for every list the screens and the CLI page through: fetch one row more than the
// page, and the last row shown becomes the cursor of the next page (nothing counts the whole list,
// and rows added meanwhile do not shift the pages). The caller sends the cursor back as it came.
// Two kinds of cursor:
// - an id, for lists newest first by id (import runs, rejects, mappings): the screens send it back
//   as `before`;
// - a sort value with the id, for lists sorted by another column (the order list): base64url JSON,
//   sent back as `after`.
// A cursor that cannot be read is the caller's mistake: a RuleRefusal, never a 500.
import { RuleRefusal } from '../domain/refusal.js';

export interface Page<T, C> {
  items: T[];
  /** The cursor of the next page; null on the last one. */
  next: C | null;
}

/** One page: `fetch` is asked for `size + 1` rows; the extra one only says that a next page exists. */
export async function fetchPage<R, C>(
  size: number,
  fetch: (limit: number) => Promise<R[]>,
  cursorOf: (last: R) => C,
): Promise<Page<R, C>> {
  const rows = await fetch(size + 1);
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return { items, next: rows.length > size && last !== undefined ? cursorOf(last) : null };
}

/** The same page with its rows turned into what the caller shows. */
export function mapPage<R, T, C>(page: Page<R, C>, fn: (row: R) => T): Page<T, C> {
  return { items: page.items.map(fn), next: page.next };
}

const unreadable = (param: string) => new RuleRefusal(`${param}: ページ位置が読めません`, 'bad_cursor');

/** Ids of `serial` columns end here; `bigserial` ones beyond what a JS number holds exactly. */
export const MAX_SERIAL_ID = 2_147_483_647;

/**
 * An id cursor (`before`): a positive whole number, as a number or as the query string gave it, no
 * larger than the id column can hold (`max`), or PostgreSQL would refuse the comparison.
 */
export function decodeIdCursor(
  raw: string | number | undefined,
  param = 'before',
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw unreadable(param);
  return n;
}

export type SortKey = [value: string | number, id: number];

export function encodeSortCursor([value, id]: SortKey): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/** A (sort value, id) cursor (`after`), as `encodeSortCursor` made it. */
export function decodeSortCursor(raw: string | undefined, param = 'after'): SortKey | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      (typeof v[0] === 'string' || (typeof v[0] === 'number' && Number.isFinite(v[0]))) &&
      Number.isSafeInteger(v[1]) &&
      (v[1] as number) > 0
    )
      return [v[0], v[1] as number];
  } catch {
    // not base64url JSON: refused below
  }
  throw unreadable(param);
}

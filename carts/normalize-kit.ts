// Shared by every cart's normalize: turn "this record is wrong" into a rejection that names the field
// and the cart order number, so one bad record never stops its page.
import { z } from 'zod';
import type { CartOrder } from '../domain/order.js';
import type { NormalizeResult } from './contract.js';

/**
 * The largest quantity a line may have: order_lines.quantity is a PostgreSQL integer. A cart sending
 * more has sent garbage, and refusing it here names the field; the database would not.
 */
export const MAX_QUANTITY = 2_147_483_647;

/** Text that must say something: a product name or code of only spaces is as missing as an empty one. */
export const nonBlank = z.string().regex(/\S/, 'empty');

/** Thrown inside a normalizer when a field is missing or unusable; caught by `normalizeSafely`. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FieldError';
  }
}

export function zodPath(path: ReadonlyArray<PropertyKey>): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(record)'
  );
}

/** Parses with a zod schema, throwing a FieldError naming the first bad field. */
export function parseRecord<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field =
    [prefix, zodPath(issue.path)].filter((s) => s && s !== '(record)').join('.') || prefix || '(record)';
  throw new FieldError(field, issue.message);
}

/**
 * Money juchu computes from an order must stay exact: each line's unit price × quantity, their sum,
 * and the cart's totals are integers within 2^53 (a yen amount beyond it cannot be added exactly).
 * Every cart's prices may each fit while a product does not, so this is checked once for all carts.
 */
export function checkAmounts(order: CartOrder): void {
  let goods = 0;
  order.lines.forEach((l, i) => {
    const amount = l.unitPrice * l.quantity;
    if (!Number.isSafeInteger(amount))
      throw new FieldError(
        `lines[${i}].unitPrice`,
        `unit price × quantity (${l.unitPrice} × ${l.quantity}) out of range`,
      );
    if (l.taxAmount !== null && !Number.isSafeInteger(l.taxAmount))
      throw new FieldError(`lines[${i}].taxAmount`, 'amount out of range');
    goods += amount;
  });
  if (!Number.isSafeInteger(goods)) throw new FieldError('lines', 'the goods total is out of range');
  for (const [name, v] of Object.entries(order.totals))
    if (v !== null && !Number.isSafeInteger(v)) throw new FieldError(`totals.${name}`, 'amount out of range');
}

/** Runs a normalizer; a FieldError (or any other error) becomes a rejection naming what was wrong. */
export function normalizeSafely(cartOrderNo: string | null, build: () => CartOrder): NormalizeResult {
  try {
    const order = build();
    checkAmounts(order);
    return { ok: true, order };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, cartOrderNo, field: e.field, message: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, cartOrderNo, field: '(record)', message };
  }
}

/** Wraps a value conversion so its error names the field (`orderedAt: not a timestamp …`). */
export function field<T>(name: string, convert: () => T): T {
  try {
    return convert();
  } catch (e) {
    if (e instanceof FieldError) throw e;
    throw new FieldError(name, e instanceof Error ? e.message : String(e));
  }
}

/** Empty strings from carts mean "not given". */
export function orNull(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = String(s).trim();
  return t === '' ? null : t;
}

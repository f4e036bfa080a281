// Property-based bad input for the cart adapters (issue 7 item 3): mutate a valid record the way
// carts break — a field gone, the wrong type, a number out of range, a date that is not one, unicode
// junk — and check what `normalize` makes of it. Shared by every `carts/<cart>/fuzz.test.ts`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizeResult, RawOrder } from '../carts/contract.js';
import { generateOrders, type SimOrderView, viewAt } from '../carts/sim/generate.js';
import type { CartName, CartOrder, Party } from '../domain/order.js';

export type Path = ReadonlyArray<string | number>;
export type Rejection = Extract<NormalizeResult, { ok: false }>;

/**
 * Runs of the main property: the issue asks for at least 1,000 malformed records per cart. The other
 * properties scale with it; `JUCHU_FUZZ_RUNS=20000 npx vitest run fuzz` searches harder.
 */
export const RUNS = Math.max(1000, Number(process.env.JUCHU_FUZZ_RUNS) || 1000);
const scaled = (n: number) => Math.round((n * RUNS) / 1000);
/** Test timeout that grows with the runs (the default 60 s is for the default runs). */
export const FUZZ_TIMEOUT = scaled(60_000);

/** `PackageModelList[0].ItemModelList[1].units`, the notation of `zodPath` in normalize-kit. */
export function pathText(path: Path): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '') || '(record)'
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every path in a JSON-like value, containers and leaves; the root itself is not listed. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  const visit = (p: Path, v: unknown) => {
    out.push(p);
    out.push(...pathsOf(v, p));
  };
  if (Array.isArray(value)) for (const [i, v] of value.entries()) visit([...prefix, i], v);
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) visit([...prefix, k], v);
  return out;
}

export function getAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A copy of `value` with the thing at `path` replaced (or deleted, for `DROP`). */
export function changedAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next === DROP ? undefined : structuredClone(next);
  const copy = structuredClone(value);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (next === DROP) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (key === '__proto__' || key === 'constructor') {
    // As JSON.parse makes it: an own property, not the prototype.
    Object.defineProperty(parent, key, { value: next, enumerable: true, writable: true, configurable: true });
  } else parent[key] = structuredClone(next);
  return copy;
}

/** Marks "remove the field" in a mutation. */
export const DROP: unique symbol = Symbol('drop');

export type MutationKind =
  | 'drop'
  | 'null'
  | 'wrongType'
  | 'outOfRange'
  | 'badDate'
  | 'badTaxRate'
  | 'junk'
  | 'emptyList'
  | 'hostileKey'
  | 'record';

export interface Mutation {
  path: Path;
  kind: MutationKind;
  value: unknown;
}

export function describeMutation(m: Mutation): string {
  const v = m.value === DROP ? '(dropped)' : JSON.stringify(m.value)?.slice(0, 80);
  return `${m.kind} ${pathText(m.path)} = ${v}`;
}

export function applyMutation(record: unknown, m: Mutation): unknown {
  if (m.kind === 'hostileKey') {
    const [key, value] = m.value as [string, unknown];
    return changedAt(record, [...m.path, key], value);
  }
  return changedAt(record, m.path, m.value);
}

const NUMBER_OUT_OF_RANGE: readonly unknown[] = [
  -1,
  0,
  0.5,
  1.5,
  -9999,
  2_147_483_648,
  1e15,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  -0,
  1e308,
];
const NUMERIC_TEXT_OUT_OF_RANGE: readonly unknown[] = [
  '-1',
  '0',
  '0.5',
  '1.5',
  '1e3',
  '0x10',
  '2147483648',
  '99999999999999999999',
  '１２',
  '1,000',
  '¥100',
  ' 12 ',
  '12abc',
  'NaN',
  'Infinity',
  '-',
  '',
];
const BAD_DATES: readonly unknown[] = [
  '2024-02-30T10:00:00+09:00',
  '2024-13-01T10:00:00+09:00',
  '2024-05-01T25:00:00+09:00',
  '2024-05-01T10:61:00+09:00',
  '2024-05-01T10:00:00+99:99',
  '2024-02-30 10:00:00',
  '2024/13/45 10:00:00',
  '2024-05-01 24:00:00',
  '2024-05-01',
  '2024-05-01T10:00:00',
  '0000-00-00 00:00:00',
  '2024-05-01junk',
  'yesterday',
  '1714521600',
  '令和6年5月1日',
  '',
];
/** Timestamps every cart that sends an offset must refuse. */
export const BAD_INSTANTS: readonly unknown[] = [
  '2024-02-30T10:00:00+09:00',
  '2024-13-01T10:00:00+09:00',
  '2024-05-01T25:00:00+09:00',
  '2024-05-01T10:61:00+09:00',
  '2024-05-01T10:00:00+99:99',
  '2024-05-01T10:00:00',
  '2024-05-01',
  '2024-05-01junk',
  'yesterday',
  '1714521600',
  1714521600,
  '',
  null,
];
const BAD_TAX_RATES: readonly unknown[] = [
  0.05,
  5,
  '5',
  0.1 + 0.2,
  1.1,
  -0.08,
  -10,
  15,
  '15%',
  'ten',
  100,
  1e9,
];
/** Unicode that has broken parsers and databases: zero-width, bidi overrides, lone surrogates, astral. */
const JUNK_TEXT: readonly string[] = [
  '',
  ' ',
  '\u3000',
  '\u200b',
  '\u202e注文',
  '\ud800',
  '\udfff',
  '\ufeff',
  '🍵',
  '👨‍👩‍👧',
  'ｶﾀｶﾅ',
  '𠮷野家',
  '𩸽',
  '\u0007\u001b[2J',
  '<order>',
  ']]>',
  '&amp;',
  "'; DROP TABLE orders; --",
  '-9999',
  'null',
  'undefined',
  '[object Object]',
  'A'.repeat(10_000),
];
/** Keys that have fooled object handling (own properties, as JSON.parse makes them). */
const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'length',
  '',
];
/** What a whole record turns into when a cart answers something else. */
const NOT_A_RECORD: readonly unknown[] = [null, '', 'null', 0, 42, true, [], {}, ['x'], '<html>503</html>'];

const looksLikeDate = (s: string) => /^\d{4}[-/]?\d{1,2}[-/]?\d{1,2}/.test(s.trim());
const looksNumeric = (s: string) => /^\s*-?\d+(\.\d+)?\s*$/.test(s);
const taxRateKey = (key: string | number | undefined) =>
  typeof key === 'string' && /tax_?rat|taxratio|税率/i.test(key);

/** Type swaps for a value: number↔string, object↔array, scalar↔container, boolean↔text. */
function wrongTypes(v: unknown): unknown[] {
  if (typeof v === 'number') return [String(v), true, [v], { value: v }];
  if (typeof v === 'boolean') return [String(v), v ? 1 : 0, [v]];
  if (typeof v === 'string')
    return [looksNumeric(v) ? Number(v) : 42, false, [v], { '#text': v }, looksNumeric(v) ? `${v}個` : 0];
  if (Array.isArray(v)) return [v[0] ?? {}, {}, 'list', 0];
  if (isRecord(v)) return [[v], [], 'object', 0, true];
  return [];
}

function mutationsAt(path: Path, v: unknown): fc.Arbitrary<Mutation> {
  const key = path[path.length - 1];
  const of = (kind: MutationKind, values: readonly unknown[]) =>
    values.length ? [fc.constantFrom(...values).map((value) => ({ path, kind, value }))] : [];
  const options: Array<fc.Arbitrary<Mutation>> = [
    ...(typeof key === 'string' ? of('drop', [DROP]) : []),
    ...of('null', [null]),
    ...of('wrongType', wrongTypes(v)),
  ];
  if (typeof v === 'number') options.push(...of('outOfRange', NUMBER_OUT_OF_RANGE));
  if (typeof v === 'string' && looksNumeric(v)) options.push(...of('outOfRange', NUMERIC_TEXT_OUT_OF_RANGE));
  if (typeof v === 'string' && looksLikeDate(v)) options.push(...of('badDate', BAD_DATES));
  if (taxRateKey(key)) options.push(...of('badTaxRate', BAD_TAX_RATES));
  if (typeof v === 'string') {
    options.push(...of('junk', JUNK_TEXT));
    options.push(
      fc.string({ unit: 'binary', maxLength: 12 }).map((value): Mutation => ({ path, kind: 'junk', value })),
    );
  }
  if (Array.isArray(v) && v.length > 0) options.push(...of('emptyList', [[]]));
  if (isRecord(v))
    options.push(
      fc
        .tuple(fc.constantFrom(...HOSTILE_KEYS), fc.constantFrom<unknown>({ polluted: true }, null, 'x', []))
        .map((value): Mutation => ({ path, kind: 'hostileKey', value })),
    );
  return fc.oneof(...options);
}

/**
 * One malformed change to `record`: any field of it (leaves and groups alike), or the record as a
 * whole. `skip` leaves paths out (a cart's own housekeeping the normalizer never reads).
 */
export function mutationOf(
  record: unknown,
  skip: (path: Path) => boolean = () => false,
): fc.Arbitrary<Mutation> {
  const paths = pathsOf(record).filter((p) => !skip(p));
  const whole = fc
    .constantFrom(...NOT_A_RECORD)
    .map((value): Mutation => ({ path: [], kind: 'record', value }));
  if (paths.length === 0) return whole;
  return fc.oneof(
    { weight: 1, arbitrary: whole },
    { weight: 40, arbitrary: fc.constantFrom(...paths).chain((p) => mutationsAt(p, getAt(record, p))) },
  );
}

/** A valid record and one to three mutations of it (later ones see the earlier ones' result). */
export function malformedOf(
  bases: readonly unknown[],
  opts: { skip?: (path: Path) => boolean; maxMutations?: number } = {},
): fc.Arbitrary<{ base: number; mutations: Mutation[]; record: unknown }> {
  const max = opts.maxMutations ?? 1;
  return fc.nat(bases.length - 1).chain((base) => {
    const step = (
      record: unknown,
      mutations: Mutation[],
      left: number,
    ): fc.Arbitrary<{ mutations: Mutation[]; record: unknown }> =>
      mutationOf(record, opts.skip).chain((m) => {
        const next = applyMutation(record, m);
        const done = fc.constant<{ mutations: Mutation[]; record: unknown }>({
          mutations: [...mutations, m],
          record: next,
        });
        if (left <= 1 || next === undefined || !isRecord(next)) return done;
        return fc.oneof(done, step(next, [...mutations, m], left - 1));
      });
    return step(bases[base], [], max).map((r) => ({ base, ...r }));
  });
}

/**
 * Whether a rejection names the mutated field: the field's path (or a part inside it, e.g. the
 * required child of a group that became `{}`) appears in `field` or `message`. `aliases` lists
 * other names a cart legitimately uses for the same field (a CSV column header, say).
 */
export function namesField(r: Rejection, path: Path, aliases: readonly string[] = []): boolean {
  // The whole record replaced: any field it lacks is the right name.
  if (path.length === 0) return r.field !== '';
  const text = `${r.field}\n${r.message}`;
  return [pathText(path), ...aliases].some((name) => text.includes(name));
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const INT32_MAX = 2_147_483_647;

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function isInstant(s: unknown): boolean {
  if (typeof s !== 'string' || !ISO_WITH_OFFSET.test(s) || Number.isNaN(Date.parse(s))) return false;
  // The wall-clock part must be a real one (no 2024-02-30, no 25:00).
  const [, hh, mm, ss] = /T(\d{2}):(\d{2}):(\d{2})/.exec(s)!;
  return isCalendarDate(s.slice(0, 10)) && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
}

/** Everything a normalized order must be, whatever the cart sent (spec §6, domain/order.ts). */
export function orderViolations(o: CartOrder, cart: CartName, store: string): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) bad.push(what);
  };
  const money = (v: unknown, name: string, nullable = true) =>
    check((nullable && v === null) || Number.isSafeInteger(v), `${name} is not integer money: ${String(v)}`);
  const text = (v: unknown, name: string, nullable = true) =>
    check(
      (nullable && v === null) || (typeof v === 'string' && v.trim() !== ''),
      `${name} is not text: ${JSON.stringify(v)}`,
    );
  const party = (p: Party, name: string) => {
    for (const k of [
      'name',
      'kana',
      'email',
      'phone',
      'postalCode',
      'prefecture',
      'address1',
      'address2',
    ] as const)
      check(p[k] === null || typeof p[k] === 'string', `${name}.${k} is ${JSON.stringify(p[k])}`);
  };

  check(o.store === store, `store is ${o.store}`);
  check(o.cart === cart, `cart is ${o.cart}`);
  text(o.cartOrderNo, 'cartOrderNo', false);
  check(typeof o.cartStatus === 'string', `cartStatus is ${JSON.stringify(o.cartStatus)}`);
  check(typeof o.cancelledInCart === 'boolean', 'cancelledInCart is not boolean');
  check(isInstant(o.orderedAt), `orderedAt is not ISO with an offset: ${o.orderedAt}`);
  check(o.cartUpdatedAt === null || isInstant(o.cartUpdatedAt), `cartUpdatedAt: ${o.cartUpdatedAt}`);
  check(typeof o.currency === 'string' && /^[A-Z]{3}$/.test(o.currency), `currency: ${o.currency}`);
  for (const k of ['customerRemarks', 'internalComment'] as const)
    check(o[k] === null || typeof o[k] === 'string', `${k} is ${JSON.stringify(o[k])}`);
  party(o.orderer, 'orderer');
  party(o.shipTo, 'shipTo');

  check(Array.isArray(o.packages) && o.packages.length >= 1, 'no packages');
  o.packages.forEach((p, i) => {
    check(p.packageNo === i + 1, `packages[${i}].packageNo is ${p.packageNo}`);
    party(p.shipTo, `packages[${i}].shipTo`);
  });
  check(
    JSON.stringify(o.shipTo) === JSON.stringify(o.packages[0]?.shipTo),
    'shipTo is not packages[0].shipTo',
  );
  const packageNos = new Set(o.packages.map((p) => p.packageNo));

  o.lines.forEach((l, i) => {
    const at = `lines[${i}]`;
    check(packageNos.has(l.packageNo), `${at}.packageNo ${l.packageNo} is no package`);
    text(l.cartProductCode, `${at}.cartProductCode`, false);
    text(l.name, `${at}.name`, false);
    check(l.cartOptionCode === null || typeof l.cartOptionCode === 'string', `${at}.cartOptionCode`);
    check(
      Number.isInteger(l.quantity) && l.quantity > 0 && l.quantity <= INT32_MAX,
      `${at}.quantity is ${l.quantity}`,
    );
    money(l.unitPrice, `${at}.unitPrice`, false);
    check(typeof l.taxIncluded === 'boolean', `${at}.taxIncluded`);
    check(l.taxRate === null || [0, 8, 10].includes(l.taxRate), `${at}.taxRate is ${l.taxRate}`);
    money(l.taxAmount, `${at}.taxAmount`);
  });

  const d = o.delivery;
  check(
    d.requestedDate === null || isCalendarDate(d.requestedDate),
    `delivery.requestedDate: ${d.requestedDate}`,
  );
  for (const k of ['timeSlot', 'carrier', 'method'] as const)
    check(d[k] === null || typeof d[k] === 'string', `delivery.${k}`);
  money(d.fee, 'delivery.fee');
  const pay = o.payment;
  for (const k of ['method', 'cardType'] as const)
    check(pay[k] === null || typeof pay[k] === 'string', `payment.${k}`);
  money(pay.fee, 'payment.fee');
  check(pay.paidAt === null || isInstant(pay.paidAt), `payment.paidAt: ${pay.paidAt}`);
  for (const [k, v] of Object.entries(o.totals)) money(v, `totals.${k}`);
  // Stored as JSON: nothing undefined, NaN or infinite anywhere.
  const odd = oddValues(o);
  check(odd.length === 0, `undefined, NaN or Infinity at ${odd.join(', ')}`);
  return bad;
}

function oddValues(v: unknown, at = ''): string[] {
  if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return [at || '(order)'];
  if (Array.isArray(v)) return v.flatMap((x, i) => oddValues(x, `${at}[${i}]`));
  if (isRecord(v)) return Object.entries(v).flatMap(([k, x]) => oddValues(x, at ? `${at}.${k}` : k));
  return [];
}

export interface NormalizeRun {
  result: NormalizeResult;
  /** Set when normalize threw, returned a promise, or changed its input. */
  crash: string | null;
}

/** Calls normalize the way importPage does, catching what must never happen. */
export function runNormalize(
  normalize: (raw: RawOrder, store: string) => NormalizeResult,
  raw: RawOrder,
  store: string,
): NormalizeRun {
  const before = JSON.stringify(raw.payload);
  let result: NormalizeResult;
  try {
    result = normalize(raw, store);
  } catch (e) {
    return { result: { ok: false, cartOrderNo: null, field: '', message: '' }, crash: `threw ${String(e)}` };
  }
  if (result instanceof Promise || typeof (result as { then?: unknown }).then === 'function') {
    (result as unknown as Promise<unknown>).catch(() => {});
    return { result, crash: 'returned a promise' };
  }
  if (JSON.stringify(raw.payload) !== before) return { result, crash: 'changed its input' };
  if (typeof result.ok !== 'boolean') return { result, crash: `odd result ${JSON.stringify(result)}` };
  if (
    !result.ok &&
    (typeof result.field !== 'string' ||
      !result.field ||
      typeof result.message !== 'string' ||
      !result.message)
  )
    return { result, crash: `rejection without a field or message: ${JSON.stringify(result)}` };
  return { result, crash: null };
}

export interface CartFuzzSpec {
  cart: CartName;
  normalize: (raw: RawOrder, store: string) => NormalizeResult;
  /** Valid payloads: rendered by the cart's simulator renderer, plus the recorded fixtures. */
  bases: readonly unknown[];
  /** The RawOrder the adapter makes of a payload (its cartOrderNo read the adapter's way). */
  rawOf: (payload: unknown) => RawOrder;
  /** The cart order number a payload still shows (what a rejection must carry); null if unreadable. */
  orderNoOf: (payload: unknown) => string | null;
  /** Whether normalize itself reads the number when RawOrder.cartOrderNo is null (CSV does not). */
  readsOrderNo: boolean;
  /** Other names a rejection may give a mutated field (a CSV column header). */
  aliases?: (path: Path, payload: unknown) => string[];
  /** Paths not to mutate. */
  skip?: (path: Path) => boolean;
  /** Changes that make any record bad: each must be a rejection naming the field. */
  mustReject: ReadonlyArray<{ why: string; paths: (payload: unknown) => Path[]; values: readonly unknown[] }>;
}

const STORE = 'fuzz-store';

/**
 * Seeded simulator orders seen at different moments (new, paid, edited, cancelled), with gifts,
 * multi-package and dollar orders where the cart has them: the valid shapes mutations start from.
 */
export function simViews(opts: {
  seed: number;
  count: number;
  foreignShare?: number;
  multiPackageShare?: number;
}): SimOrderView[] {
  const from = new Date('2026-10-01T00:00:00Z');
  const to = new Date('2026-10-20T00:00:00Z');
  return generateOrders({ ...opts, from, to }).map((o, i) =>
    viewAt(o, new Date(o.orderedAt.getTime() + (i % 4) * 86_400_000 * 1.5)),
  );
}

/** What is wrong with normalize's answer for `record` after `mutations` (null: nothing). */
export function problemWith(
  spec: CartFuzzSpec,
  record: unknown,
  mutations: readonly Mutation[],
  withNo: boolean,
  mustReject = false,
): string | null {
  const raw = withNo ? spec.rawOf(record) : { cartOrderNo: null, payload: record };
  const run = runNormalize(spec.normalize, raw, STORE);
  if (run.crash) return run.crash;
  const r = run.result;
  if (r.ok) {
    if (mustReject) return 'accepted';
    const bad = orderViolations(r.order, spec.cart, STORE);
    return bad.length ? `accepted with ${bad.join('; ')}` : null;
  }
  const aliases = (p: Path) => spec.aliases?.(p, record) ?? [];
  if (!mutations.some((m) => namesField(r, m.path, aliases(m.path))))
    return `rejection does not name the field: ${r.field}: ${r.message.slice(0, 300)}`;
  const expected = withNo || spec.readsOrderNo ? spec.orderNoOf(record) : null;
  if (r.cartOrderNo !== expected)
    return `rejection carries cartOrderNo ${JSON.stringify(r.cartOrderNo)}, expected ${JSON.stringify(expected)}`;
  return null;
}

function fail(mutations: readonly Mutation[], problem: string): never {
  throw new Error(`${mutations.map(describeMutation).join(' + ')} → ${problem}`);
}

/** The four properties every cart's fuzz file runs; each returns how many records it tried. */
export function cartProperties(spec: CartFuzzSpec) {
  const bases = spec.bases;
  const mutated = (numRuns: number, maxMutations: number) => {
    fc.assert(
      fc.property(
        malformedOf(bases, { skip: spec.skip, maxMutations }),
        fc.boolean(),
        ({ mutations, record }, withNo) => {
          const problem = problemWith(spec, record, mutations, withNo);
          if (problem) fail(mutations, problem);
        },
      ),
      { numRuns },
    );
    return numRuns;
  };
  return {
    /** One mutation anywhere: no crash; ok and sound, or a rejection naming the field and order. */
    singleMutation(numRuns = RUNS) {
      return mutated(numRuns, 1);
    },
    /** Up to three mutations at once: the rejection names one of them. */
    severalMutations(numRuns = scaled(300)) {
      return mutated(numRuns, 3);
    },
    /** Changes that are bad in every record: always rejected, naming the field. */
    mustReject(numRuns = scaled(300)) {
      const cases = spec.mustReject.flatMap((c) =>
        bases.flatMap((payload, base) =>
          c.paths(payload).map((path) => ({ why: c.why, base, path, values: c.values })),
        ),
      );
      fc.assert(
        fc.property(
          fc
            .constantFrom(...cases)
            .chain((c) => fc.constantFrom(...c.values).map((value) => ({ ...c, value }))),
          fc.boolean(),
          (c, withNo) => {
            const m: Mutation = { path: c.path, kind: 'outOfRange', value: c.value };
            const problem = problemWith(spec, applyMutation(bases[c.base], m), [m], withNo, true);
            if (problem) fail([m], `${c.why}: ${problem}`);
          },
        ),
        { numRuns },
      );
      return numRuns;
    },
    /**
     * A page of good and bad records normalized one after the other gives each the answer it gets
     * alone: no state carried from a bad record to the next, every good one still ok.
     */
    mixedPage(numRuns = scaled(100)) {
      let records = 0;
      const entry = fc
        .nat(bases.length - 1)
        .chain((base) =>
          fc.option(mutationOf(bases[base], spec.skip), { freq: 2 }).map((m) => ({ base, m })),
        );
      fc.assert(
        fc.property(fc.array(entry, { minLength: 2, maxLength: 12 }), (page) => {
          const raws = page.map(({ base, m }) => spec.rawOf(m ? applyMutation(bases[base], m) : bases[base]));
          records += raws.length;
          const together = raws.map((raw) => runNormalize(spec.normalize, raw, STORE));
          page.forEach(({ base, m }, i) => {
            const alone = runNormalize(
              spec.normalize,
              spec.rawOf(m ? applyMutation(bases[base], m) : bases[base]),
              STORE,
            );
            const mutations = m ? [m] : [];
            if (together[i]!.crash) fail(mutations, together[i]!.crash!);
            if (JSON.stringify(together[i]!.result) !== JSON.stringify(alone.result))
              fail(mutations, `record ${i} of the page normalizes differently than alone`);
            if (!m && !together[i]!.result.ok)
              fail([], `a good record of the page was rejected: ${JSON.stringify(together[i]!.result)}`);
          });
        }),
        { numRuns },
      );
      return records;
    },
  };
}

/** Paths of `payload` that fit `pattern`; `*` stands for any list index or key. */
export function pathsLike(payload: unknown, pattern: ReadonlyArray<string | number>): Path[] {
  const walk = (v: unknown, at: Path, rest: ReadonlyArray<string | number>): Path[] => {
    if (rest.length === 0) return [at];
    const [head, ...tail] = rest;
    if (v === null || typeof v !== 'object') return [];
    const keys: Array<string | number> =
      head === '*' ? (Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v)) : [head!];
    return keys.flatMap((k) => {
      const child = (v as Record<string | number, unknown>)[k];
      return child === undefined ? [] : walk(child, [...at, k], tail);
    });
  };
  return walk(payload, [], pattern);
}

/** `must(['a', '*', 'b'])`: every path of that shape in a payload. */
export const like =
  (...patterns: Array<ReadonlyArray<string | number>>) =>
  (payload: unknown): Path[] =>
    patterns.flatMap((p) => pathsLike(payload, p));

/** How a response body gets broken on the way: cut short, a tag lost, stray markup or bytes. */
export function brokenText(
  text: string,
  junk: readonly string[] = TEXT_JUNK,
): fc.Arbitrary<{ how: string; text: string }> {
  const at = fc.nat(Math.max(0, text.length - 1));
  const closing = [...text.matchAll(/<\/[^>]+>/g)].map((m) => m.index);
  const options: Array<fc.Arbitrary<{ how: string; text: string }>> = [
    at.map((i) => ({ how: `cut at ${i}`, text: text.slice(0, i) })),
    fc.tuple(at, fc.constantFrom(...junk)).map(([i, j]) => ({
      how: `${JSON.stringify(j)} inserted at ${i}`,
      text: text.slice(0, i) + j + text.slice(i),
    })),
    fc.tuple(at, fc.integer({ min: 1, max: 40 })).map(([i, n]) => ({
      how: `${n} characters dropped at ${i}`,
      text: text.slice(0, i) + text.slice(i + n),
    })),
  ];
  if (closing.length)
    options.push(
      fc.constantFrom(...closing).map((i) => ({
        how: `closing tag at ${i} dropped`,
        text: text.slice(0, i) + text.slice(text.indexOf('>', i) + 1),
      })),
    );
  return fc.oneof(...options);
}

const TEXT_JUNK: readonly string[] = [
  '<',
  '>',
  '&',
  '&bogus;',
  '&#xD800;',
  ']]>',
  '<!--',
  '<![CDATA[',
  '<?xml version="1.0"?>',
  '<Item>',
  '</Item>',
  '<order>',
  '"',
  "'",
  ',',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\ufffd',
  '\ud83c',
  'ｶﾀｶﾅ',
  '🍵',
  '<script>alert(1)</script>',
];

/**
 * Parsing a broken body must end in a clear error (an Error with a message, not a TypeError from
 * reading a field of undefined) or in raw orders that normalize without a crash.
 */
export function brokenBodyProblem(
  parse: () => RawOrder[],
  normalize: (raw: RawOrder, store: string) => NormalizeResult,
  cart: CartName,
): string | null {
  let raws: RawOrder[];
  try {
    raws = parse();
  } catch (e) {
    if (!(e instanceof Error)) return `threw a non-error ${String(e)}`;
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError)
      return `crashed: ${e.name}: ${e.message}`;
    return e.message.trim() ? null : 'threw an error without a message';
  }
  if (!Array.isArray(raws)) return 'parse gave no list';
  for (const raw of raws) {
    const run = runNormalize(normalize, raw, STORE);
    if (run.crash) return run.crash;
    if (run.result.ok) {
      const bad = orderViolations(run.result.order, cart, STORE);
      if (bad.length) return `accepted with ${bad.join('; ')}`;
    }
  }
  return null;
}

/**
 * Broken bodies of a cart: each text cut short, with stray markup or bytes, or a closing tag lost
 * (`runs` of them), and, when `bytes` are given, each cut at any byte (a multi-byte character split).
 */
export function assertBrokenBodies(opts: {
  cart: CartName;
  normalize: (raw: RawOrder, store: string) => NormalizeResult;
  parse: (body: Uint8Array) => RawOrder[];
  texts: readonly string[];
  junk?: readonly string[];
  bytes?: readonly Uint8Array[];
  runs?: number;
}): void {
  const check = (body: Uint8Array, how: string) => {
    const problem = brokenBodyProblem(() => opts.parse(body), opts.normalize, opts.cart);
    if (problem) throw new Error(`${how}: ${problem}`);
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...opts.texts).chain((t) => brokenText(t, opts.junk)),
      ({ how, text }) => check(Buffer.from(text, 'utf8'), how),
    ),
    { numRuns: opts.runs ?? scaled(500) },
  );
  if (opts.bytes?.length)
    fc.assert(
      fc.property(
        fc.constantFrom(...opts.bytes).chain((b) => fc.tuple(fc.constant(b), fc.nat(b.length - 1))),
        ([b, cut]) => check(b.subarray(0, cut), `cut at byte ${cut}`),
      ),
      { numRuns: scaled(200) },
    );
}

/**
 * The suite every cart's fuzz file registers: the four properties of `cartProperties`, plus the
 * cart's own tests (`extra`, e.g. broken XML or CSV bodies).
 */
export function describeCartFuzz(spec: CartFuzzSpec, extra?: () => void): void {
  describe(`${spec.cart} normalize, fuzzed`, () => {
    const p = cartProperties(spec);
    it(
      'any one mutation: no crash; an order that holds together, or a rejection naming the field and order',
      () => {
        expect(p.singleMutation()).toBeGreaterThanOrEqual(1000);
      },
      FUZZ_TIMEOUT,
    );
    it(
      'several mutations at once: the rejection names one of them',
      () => {
        p.severalMutations();
      },
      FUZZ_TIMEOUT,
    );
    it(
      'changes bad in every record are rejected, naming the field',
      () => {
        p.mustReject();
      },
      FUZZ_TIMEOUT,
    );
    it(
      'a page of good and bad records: every good one still normalizes, nothing carries over',
      () => {
        p.mixedPage();
      },
      FUZZ_TIMEOUT,
    );
    extra?.();
  });
}

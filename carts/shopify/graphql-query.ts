// Just enough GraphQL for the Shopify adapter and its simulator: parse a query (fields, aliases,
// arguments, variables, inline fragments), work out its cost the way Shopify documents it, and pick
// the selected fields out of a full object. Pure; no schema: a field with a selection is an object,
// one without is a scalar, and connections are named by the caller.
//
// Cost [V: shopify.dev GraphQL Admin rate limits: scalars and enums 0, objects 1; T: Shopify's
// engineering blog "Rate limiting GraphQL APIs by calculating query complexity": a connection costs
// 2 plus what it returns]. Our approximation: a field with a `first`/`last` argument costs
// 2 + n × (1 + what one node selects), the node being what `edges { node }` or `nodes` select (or,
// for a list such as `transactions(first:)`, the selection itself); `pageInfo` and `cursor` are free; an
// inline fragment costs what it selects. Requested cost uses the `first` given; actual cost counts
// the nodes returned, and an object that came back null costs 1. Shopify's own numbers can differ
// (some fields carry their own cost): the adapter learns them from `extensions.cost`.

export class GraphqlError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'GraphqlError';
  }
}

export type GqlValue =
  | { kind: 'var'; name: string }
  | { kind: 'enum'; value: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'list'; items: GqlValue[] }
  | { kind: 'object'; fields: Record<string, GqlValue> };

export interface GqlField {
  kind: 'field';
  alias: string | null;
  name: string;
  args: Record<string, GqlValue>;
  selection: GqlSelection[] | null;
  /** Directives on the field with their arguments (`@idempotent(key: $key)`). */
  directives?: Record<string, Record<string, GqlValue>>;
  line: number;
  column: number;
}

export interface GqlInlineFragment {
  kind: 'fragment';
  on: string;
  selection: GqlSelection[];
}

export type GqlSelection = GqlField | GqlInlineFragment;

export interface GqlOperation {
  /** `query` (also the `{ … }` shorthand) or `mutation`. */
  type: 'query' | 'mutation';
  name: string | null;
  /** Declared variables and their defaults. */
  variables: Record<string, GqlValue | null>;
  selection: GqlSelection[];
}

interface Token {
  type: 'punct' | 'name' | 'int' | 'float' | 'string' | 'spread' | 'eof';
  value: string;
  line: number;
  column: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = () => ({ line, column: i - lineStart + 1 });
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === ',' || ch === '\ufeff') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const pos = at();
    if (text.startsWith('...', i)) {
      out.push({ type: 'spread', value: '...', ...pos });
      i += 3;
      continue;
    }
    if ('{}():$!=[]@'.includes(ch)) {
      out.push({ type: 'punct', value: ch, ...pos });
      i++;
      continue;
    }
    const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(text.slice(i, i + 200));
    if (name) {
      out.push({ type: 'name', value: name[0], ...pos });
      i += name[0].length;
      continue;
    }
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 100));
    if (num) {
      out.push({ type: num[2] || num[3] ? 'float' : 'int', value: num[0], ...pos });
      i += num[0].length;
      continue;
    }
    if (ch === '"') {
      if (text.startsWith('"""', i))
        throw new GraphqlError('block strings are not supported', pos.line, pos.column);
      let j = i + 1;
      let s = '';
      for (;;) {
        const c = text[j];
        if (c === undefined || c === '\n')
          throw new GraphqlError('unterminated string', pos.line, pos.column);
        if (c === '"') break;
        if (c === '\\') {
          const e = text[j + 1];
          const simple: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            b: '\b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (e !== undefined && e in simple) {
            s += simple[e];
            j += 2;
            continue;
          }
          const hex = /^u([0-9a-fA-F]{4})/.exec(text.slice(j + 1, j + 6));
          if (!hex) throw new GraphqlError('bad escape in string', line, j - lineStart + 1);
          s += String.fromCharCode(Number.parseInt(hex[1]!, 16));
          j += 6;
          continue;
        }
        s += c;
        j++;
      }
      out.push({ type: 'string', value: s, ...pos });
      i = j + 1;
      continue;
    }
    throw new GraphqlError(`unexpected character ${JSON.stringify(ch)}`, pos.line, pos.column);
  }
  out.push({ type: 'eof', value: '', line, column: i - lineStart + 1 });
  return out;
}

/** Parses one query or mutation operation (or the `{ … }` shorthand). Named fragments are refused. */
export function parseGraphql(text: string): GqlOperation {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p]!;
  const next = () => tokens[p++]!;
  const fail = (t: Token, what: string): never => {
    throw new GraphqlError(
      `expected ${what}, found ${t.type === 'eof' ? 'the end' : JSON.stringify(t.value)}`,
      t.line,
      t.column,
    );
  };
  const expect = (value: string) => {
    const t = next();
    if (t.value !== value || (t.type !== 'punct' && t.type !== 'name')) fail(t, JSON.stringify(value));
  };
  const isPunct = (value: string) => peek().type === 'punct' && peek().value === value;
  const nameToken = (): Token => {
    const t = next();
    if (t.type !== 'name') fail(t, 'a name');
    return t;
  };

  const value = (constOnly: boolean): GqlValue => {
    const t = next();
    if (t.type === 'punct' && t.value === '$') {
      if (constOnly) fail(t, 'a constant value');
      return { kind: 'var', name: nameToken().value };
    }
    if (t.type === 'int') return { kind: 'literal', value: Number(t.value) };
    if (t.type === 'float') return { kind: 'literal', value: Number(t.value) };
    if (t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'name') {
      if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'enum', value: t.value };
    }
    if (t.type === 'punct' && t.value === '[') {
      const items: GqlValue[] = [];
      while (!isPunct(']')) {
        if (peek().type === 'eof') fail(peek(), '"]"');
        items.push(value(constOnly));
      }
      next();
      return { kind: 'list', items };
    }
    if (t.type === 'punct' && t.value === '{') {
      const fields: Record<string, GqlValue> = {};
      while (!isPunct('}')) {
        const k = nameToken().value;
        expect(':');
        fields[k] = value(constOnly);
      }
      next();
      return { kind: 'object', fields };
    }
    return fail(t, 'a value');
  };

  const typeRef = () => {
    if (isPunct('[')) {
      next();
      typeRef();
      expect(']');
    } else nameToken();
    if (isPunct('!')) next();
  };

  const selectionSet = (): GqlSelection[] => {
    expect('{');
    const out: GqlSelection[] = [];
    while (!isPunct('}')) {
      const t = peek();
      if (t.type === 'eof') fail(t, '"}"');
      if (t.type === 'spread') {
        next();
        const on = next();
        if (on.type !== 'name' || on.value !== 'on')
          throw new GraphqlError('named fragments are not supported here', on.line, on.column);
        const type = nameToken().value;
        out.push({ kind: 'fragment', on: type, selection: selectionSet() });
        continue;
      }
      const first = nameToken();
      let alias: string | null = null;
      let name = first.value;
      if (isPunct(':')) {
        next();
        alias = first.value;
        name = nameToken().value;
      }
      const args: Record<string, GqlValue> = {};
      if (isPunct('(')) {
        next();
        while (!isPunct(')')) {
          const k = nameToken().value;
          expect(':');
          args[k] = value(false);
        }
        next();
      }
      // Field directives (Shopify's `@idempotent(key: …)` on inventory mutations).
      const directives: Record<string, Record<string, GqlValue>> = {};
      while (isPunct('@')) {
        next();
        const d = nameToken().value;
        const dargs: Record<string, GqlValue> = {};
        if (isPunct('(')) {
          next();
          while (!isPunct(')')) {
            const k = nameToken().value;
            expect(':');
            dargs[k] = value(false);
          }
          next();
        }
        directives[d] = dargs;
      }
      const selection = isPunct('{') ? selectionSet() : null;
      out.push({
        kind: 'field',
        alias,
        name,
        args,
        selection,
        ...(Object.keys(directives).length ? { directives } : {}),
        line: first.line,
        column: first.column,
      });
    }
    next();
    if (out.length === 0) fail(peek(), 'a field');
    return out;
  };

  let op: GqlOperation;
  if (isPunct('{')) op = { type: 'query', name: null, variables: {}, selection: selectionSet() };
  else {
    const kw = nameToken();
    if (kw.value !== 'query' && kw.value !== 'mutation')
      throw new GraphqlError(`${kw.value} operations are not supported here`, kw.line, kw.column);
    const name = peek().type === 'name' ? next().value : null;
    const variables: Record<string, GqlValue | null> = {};
    if (isPunct('(')) {
      next();
      while (!isPunct(')')) {
        expect('$');
        const v = nameToken().value;
        expect(':');
        typeRef();
        variables[v] = null;
        if (isPunct('=')) {
          next();
          variables[v] = value(true);
        }
      }
      next();
    }
    op = { type: kw.value, name, variables, selection: selectionSet() };
  }
  if (peek().type !== 'eof') fail(peek(), 'the end of the document (one operation only)');
  return op;
}

/** The JS value of an argument, variables resolved (enums as their names). */
export function argValue(v: GqlValue | undefined, vars: Record<string, unknown>): unknown {
  if (v === undefined) return undefined;
  switch (v.kind) {
    case 'var':
      return vars[v.name];
    case 'enum':
      return v.value;
    case 'literal':
      return v.value;
    case 'list':
      return v.items.map((x) => argValue(x, vars));
    case 'object':
      return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, argValue(x, vars)]));
  }
}

/** Variable defaults filled in where the request gave none. */
export function withDefaults(op: GqlOperation, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...given };
  for (const [k, d] of Object.entries(op.variables)) if (!(k in out) && d) out[k] = argValue(d, {});
  return out;
}

const fields = (sel: readonly GqlSelection[]): GqlField[] =>
  sel.flatMap((s) => (s.kind === 'field' ? [s] : fields(s.selection)));

/** Whether the field pages (`first`/`last`). */
export function isPaged(f: GqlField): boolean {
  return 'first' in f.args || 'last' in f.args;
}

/** What one node of a paged field selects: `edges { node { … } }` and `nodes { … }` merged. */
export function nodeSelection(f: GqlField): GqlSelection[] {
  const sel = f.selection ?? [];
  const inner = fields(sel).filter((x) => x.name === 'edges' || x.name === 'nodes');
  if (inner.length === 0) return sel;
  const out: GqlSelection[] = [];
  for (const x of inner) {
    if (x.name === 'nodes') out.push(...(x.selection ?? []));
    else for (const n of fields(x.selection ?? [])) if (n.name === 'node') out.push(...(n.selection ?? []));
  }
  return out;
}

function pageSize(f: GqlField, vars: Record<string, unknown>): number {
  const n = argValue(f.args.first ?? f.args.last, vars);
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * What an operation costs before it runs: a query by its selection, a mutation 10 points a root field
 * (the "Mutation: 10" row of Shopify's cost table [V: GraphQL Admin rate limits]; what its payload
 * selects is not charged here [I]).
 */
export function operationCost(op: GqlOperation, vars: Record<string, unknown>): number {
  if (op.type === 'mutation') return 10 * op.selection.filter((s) => s.kind === 'field').length;
  return requestedCost(op.selection, vars);
}

/** The cost Shopify charges before running the query (see the top of this file). */
export function requestedCost(sel: readonly GqlSelection[], vars: Record<string, unknown>): number {
  let total = 0;
  let fragments = 0;
  for (const s of sel) {
    if (s.kind === 'fragment') {
      // A union's fragments are alternatives: the dearest one counts.
      fragments = Math.max(fragments, requestedCost(s.selection, vars));
      continue;
    }
    if (!s.selection) continue;
    // Each node is an object (1) plus what it selects.
    if (isPaged(s)) total += 2 + pageSize(s, vars) * (1 + requestedCost(nodeSelection(s), vars));
    else total += 1 + requestedCost(s.selection, vars);
  }
  return total + fragments;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The cost of what came back: connections count the nodes returned, a null object costs 1. */
export function actualCost(sel: readonly GqlSelection[], data: unknown): number {
  if (!isObj(data)) return 0;
  let total = 0;
  for (const s of sel) {
    if (s.kind === 'fragment') {
      total += actualCost(s.selection, data);
      continue;
    }
    const key = s.alias ?? s.name;
    if (!s.selection || !(key in data)) continue;
    const v = data[key];
    if (isPaged(s)) {
      const nodes = pagedNodes(s, v);
      total += 2 + nodes.reduce((sum: number, n) => sum + 1 + actualCost(nodeSelection(s), n), 0);
    } else if (Array.isArray(v))
      // A plain list is charged as one object (its element's selection), like the requested cost.
      total += 1 + v.reduce((most: number, x) => Math.max(most, actualCost(s.selection!, x)), 0);
    else total += 1 + (v === null ? 0 : actualCost(s.selection, v));
  }
  return total;
}

function pagedNodes(f: GqlField, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (!isObj(v)) return [];
  const inner = fields(f.selection ?? []);
  const nodesKey = inner.find((x) => x.name === 'nodes');
  const edgesKey = inner.find((x) => x.name === 'edges');
  const nodes = nodesKey ? v[nodesKey.alias ?? 'nodes'] : undefined;
  if (Array.isArray(nodes)) return nodes;
  const edges = edgesKey ? v[edgesKey.alias ?? 'edges'] : undefined;
  const nodeField = edgesKey ? fields(edgesKey.selection ?? []).find((x) => x.name === 'node') : undefined;
  return Array.isArray(edges) ? edges.map((e) => (isObj(e) ? e[nodeField?.alias ?? 'node'] : null)) : [];
}

/** A cursor over a plain list: the position after which the next page starts. */
export const listCursor = (index: number) =>
  Buffer.from(JSON.stringify({ last_index: index })).toString('base64url');

function fromListCursor(cursor: unknown): number | null {
  if (typeof cursor !== 'string') return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { last_index?: unknown };
    return typeof v.last_index === 'number' && Number.isInteger(v.last_index) ? v.last_index : null;
  } catch {
    return null;
  }
}

export interface ProjectOptions {
  vars: Record<string, unknown>;
  /** `Type.field` names that are connections (`Order.lineItems`); other paged fields are plain lists. */
  connections: ReadonlySet<string>;
  maxPageSize: number;
}

/** A field the data does not have, or arguments it cannot take: the request's fault. */
export class GraphqlFieldError extends Error {
  constructor(
    message: string,
    readonly field: GqlField,
    readonly path: readonly string[],
    readonly code: string,
  ) {
    super(message);
    this.name = 'GraphqlFieldError';
  }
}

/**
 * The selected part of a full object (`__typename` says its type). Connections are plain arrays in
 * the full object and come out as `{ edges, nodes, pageInfo }` paged by `first`/`after`.
 */
export function project(
  obj: Record<string, unknown>,
  sel: readonly GqlSelection[],
  opts: ProjectOptions,
  path: string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = typeof obj.__typename === 'string' ? obj.__typename : 'Object';
  for (const s of sel) {
    if (s.kind === 'fragment') {
      if (s.on === type) Object.assign(out, project(obj, s.selection, opts, path));
      continue;
    }
    const key = s.alias ?? s.name;
    const here = [...path, key];
    if (s.name === '__typename') {
      out[key] = type;
      continue;
    }
    if (!(s.name in obj))
      throw new GraphqlFieldError(
        `Field '${s.name}' doesn't exist on type '${type}'`,
        s,
        here,
        'undefinedField',
      );
    const v = obj[s.name];
    const connection = opts.connections.has(`${type}.${s.name}`);
    if (connection && !isPaged(s))
      throw new GraphqlFieldError(
        `you must provide one of first or last to paginate the \`${s.name}\` connection`,
        s,
        here,
        'argumentLiteralsIncompatible',
      );
    if (isPaged(s)) {
      const n = argValue(s.args.first ?? s.args.last, opts.vars);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > opts.maxPageSize)
        throw new GraphqlFieldError(
          `${'first' in s.args ? 'first' : 'last'} must be between 0 and ${opts.maxPageSize} on \`${s.name}\``,
          s,
          here,
          'argumentLiteralsIncompatible',
        );
      const items = Array.isArray(v) ? v : [];
      if (!connection) {
        out[key] = s.selection
          ? items
              .slice(0, n)
              .map((x, i) => (isObj(x) ? project(x, s.selection!, opts, [...here, String(i)]) : x))
          : items.slice(0, n);
        continue;
      }
      const after = fromListCursor(argValue(s.args.after, opts.vars));
      const start = after === null ? 0 : after + 1;
      const page = items.slice(start, start + n);
      const node = (x: unknown, i: number) =>
        isObj(x) ? project(x, nodeSelection(s), opts, [...here, String(i)]) : x;
      const conn: Record<string, unknown> = {};
      for (const c of fields(s.selection ?? [])) {
        const ck = c.alias ?? c.name;
        if (c.name === 'nodes') conn[ck] = page.map(node);
        else if (c.name === 'edges')
          conn[ck] = page.map((x, i) => {
            const edge: Record<string, unknown> = {};
            for (const e of fields(c.selection ?? [])) {
              if (e.name === 'cursor') edge[e.alias ?? 'cursor'] = listCursor(start + i);
              else if (e.name === 'node') edge[e.alias ?? 'node'] = node(x, i);
              else
                throw new GraphqlFieldError(
                  `Field '${e.name}' doesn't exist on type 'Edge'`,
                  e,
                  [...here, ck],
                  'undefinedField',
                );
            }
            return edge;
          });
        else if (c.name === 'pageInfo')
          conn[ck] = project(
            {
              __typename: 'PageInfo',
              hasNextPage: start + page.length < items.length,
              hasPreviousPage: start > 0,
              startCursor: page.length ? listCursor(start) : null,
              endCursor: page.length ? listCursor(start + page.length - 1) : null,
            },
            c.selection ?? [],
            opts,
            [...here, ck],
          );
        else
          throw new GraphqlFieldError(
            `Field '${c.name}' doesn't exist on type 'Connection'`,
            c,
            [...here, ck],
            'undefinedField',
          );
      }
      out[key] = conn;
      continue;
    }
    if (!s.selection) {
      if (isObj(v) || (Array.isArray(v) && v.some(isObj)))
        throw new GraphqlFieldError(
          `Field must have selections (field '${s.name}' returns an object)`,
          s,
          here,
          'selectionMismatch',
        );
      out[key] = v;
      continue;
    }
    if (v === null || v === undefined) out[key] = null;
    else if (Array.isArray(v))
      out[key] = v.map((x, i) => (isObj(x) ? project(x, s.selection!, opts, [...here, String(i)]) : x));
    else if (isObj(v)) out[key] = project(v, s.selection, opts, here);
    else
      throw new GraphqlFieldError(
        `Selections can't be made on scalars (field '${s.name}')`,
        s,
        here,
        'selectionMismatch',
      );
  }
  return out;
}

// The next-generation API's searchOrder query: which fields juchu asks for, how sure we are of each name,
// and what to do when makeshop says one does not exist. Pure; shared by the adapter and the simulator.
//
// makeshop's GraphQL reference could only be read up to its request headers, so the order's fields come
// from one public client (Kahiro-M/MakeshopOrderList, MakeShopApiMod.py, 2024-09, which links each name to
// makeshop's reference: #query-searchOrder, #definition-SearchOrderRequest, #definition-SearchedOrder,
// #definition-BasketInfo) [T], the 2024-10-23 release note (`searchOrder.orders.discountPerTax`) [V], and
// our guesses [I] modelled on those names. A GraphQL server refuses a whole query that names one field
// its schema lacks, so a guessed field makeshop refuses is dropped from the query and the search retried
// (`undefinedField`); a confirmed one never is. README.md lists every name with its mark.

/** [V] makeshop's own pages, [T] third-party code, [I] our inference. */
export type Source = 'V' | 'T' | 'I';

export interface FieldNode {
  name: string;
  source: Source;
  /** An object field: the GraphQL type of its value (as makeshop's reference names it, or our guess) and its fields. */
  type?: string;
  children?: readonly FieldNode[];
}

const f = (name: string, source: Source): FieldNode => ({ name, source });
const obj = (name: string, source: Source, type: string, children: readonly FieldNode[]): FieldNode => ({
  name,
  source,
  type,
  children,
});

/** A basket line (`BasketInfo` [T]). */
const BASKET_INFO: readonly FieldNode[] = [
  f('productCode', 'T'),
  f('productName', 'T'),
  f('price', 'T'),
  f('amount', 'T'),
  // 独自商品コード, the option's code and name, the line's tax rate.
  f('customProductCode', 'I'),
  f('optionCode', 'I'),
  f('optionName', 'I'),
  f('taxRate', 'I'),
];

/** A delivery of the order (the type's name is our guess). */
const DELIVERY_INFO: readonly FieldNode[] = [
  obj('basketInfos', 'T', 'BasketInfo', BASKET_INFO),
  f('receiverName', 'I'),
  f('receiverNameKana', 'I'),
  f('receiverZipCode', 'I'),
  f('receiverPrefecture', 'I'),
  f('receiverAddress1', 'I'),
  f('receiverAddress2', 'I'),
  f('receiverTel', 'I'),
  f('receiverEmail', 'I'),
  f('deliveryMethodName', 'I'),
  f('deliveryDate', 'I'),
  f('deliveryTime', 'I'),
];

/** One order (`SearchedOrder` [T]). */
const SEARCHED_ORDER: readonly FieldNode[] = [
  f('displayOrderNumber', 'T'),
  f('orderDate', 'T'),
  f('memberId', 'T'),
  f('sumPrice', 'T'),
  f('senderPrefecture', 'T'),
  obj('discountPerTax', 'V', 'DiscountPerTax', [f('taxRate', 'V'), f('discount', 'V')]),
  obj('deliveryInfos', 'T', 'DeliveryInfo', DELIVERY_INFO),
  f('deliveryStatus', 'I'),
  f('temporaryOrder', 'I'),
  f('paymentStatus', 'I'),
  f('paymentMethodName', 'I'),
  f('deliveryFee', 'I'),
  f('paymentFee', 'I'),
  f('usePoint', 'I'),
  f('couponDiscount', 'I'),
  f('bulkDiscount', 'I'),
  f('senderName', 'I'),
  f('senderNameKana', 'I'),
  f('senderZipCode', 'I'),
  f('senderAddress1', 'I'),
  f('senderAddress2', 'I'),
  f('senderTel', 'I'),
  f('senderEmail', 'I'),
  obj('notes', 'I', 'OrderNote', [f('title', 'I'), f('content', 'I')]),
];

/** `searchOrder(input: SearchOrderRequest!)` → `{ searchedCount page orders }` [T]. */
export const SEARCH_ORDER_FIELDS: readonly FieldNode[] = [
  f('searchedCount', 'T'),
  f('page', 'T'),
  obj('orders', 'T', 'SearchedOrder', SEARCHED_ORDER),
];

/** The response type's name (our guess; only its fields are known). */
export const SEARCH_ORDER_RESPONSE = 'SearchOrderResponse';

/** `Type.field`: how a dropped field is remembered. */
export const fieldKey = (type: string, name: string) => `${type}.${name}`;

function selection(nodes: readonly FieldNode[], type: string, dropped: ReadonlySet<string>): string {
  return nodes
    .filter((n) => !dropped.has(fieldKey(type, n.name)))
    .map((n) => (n.children ? `${n.name} { ${selection(n.children, n.type!, dropped)} }` : n.name))
    .join(' ');
}

/** The query text, without the fields makeshop refused. */
export function searchOrderQuery(dropped: ReadonlySet<string> = new Set()): string {
  return `query searchOrder($input: SearchOrderRequest!) { searchOrder(input: $input) { ${selection(SEARCH_ORDER_FIELDS, SEARCH_ORDER_RESPONSE, dropped)} } }`;
}

/** Every field of the query with its type and source (README tables, the simulator's schema). */
export function allFields(
  nodes: readonly FieldNode[] = SEARCH_ORDER_FIELDS,
  type = SEARCH_ORDER_RESPONSE,
): Array<{ type: string; name: string; source: Source }> {
  return nodes.flatMap((n) => [
    { type, name: n.name, source: n.source },
    ...(n.children ? allFields(n.children, n.type!) : []),
  ]);
}

/**
 * The field a GraphQL validation error says does not exist, in the wordings of the common servers:
 * graphql-js / Apollo (`Cannot query field "x" on type "T".`) and graphql-java / AppSync
 * (`Field 'x' in type 'T' is undefined`). makeshop's wording is unknown [I].
 */
export function undefinedField(message: string): { type: string; name: string } | null {
  const js =
    /Cannot query field ["']([_A-Za-z][_0-9A-Za-z]*)["'] on type ["']([_A-Za-z][_0-9A-Za-z]*)["']/.exec(
      message,
    );
  if (js) return { name: js[1]!, type: js[2]! };
  const java =
    /Field ["']([_A-Za-z][_0-9A-Za-z]*)["'] in type ["']([_A-Za-z][_0-9A-Za-z]*)["'] is undefined/.exec(
      message,
    );
  if (java) return { name: java[1]!, type: java[2]! };
  return null;
}

/**
 * Which field of ours an undefined-field error is about: the one with that name under that type, else
 * (makeshop may name its types differently from our guesses) the only field of ours with that name.
 */
export function ourField(ref: {
  type: string;
  name: string;
}): { type: string; name: string; source: Source } | null {
  const all = allFields();
  const exact = all.find((x) => x.type === ref.type && x.name === ref.name);
  if (exact) return exact;
  const byName = all.filter((x) => x.name === ref.name);
  return byName.length === 1 ? byName[0]! : null;
}

export interface GraphqlError {
  message: string;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** The `errors` of a GraphQL answer, or [] (also for a body that is not one). */
export function graphqlErrors(body: unknown): GraphqlError[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e) => {
    const message =
      typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string'
        ? (e as { message: string }).message
        : JSON.stringify(e);
    const ext = typeof e === 'object' && e !== null ? (e as { extensions?: unknown }).extensions : undefined;
    return typeof ext === 'object' && ext !== null
      ? { message, extensions: ext as GraphqlError['extensions'] }
      : { message };
  });
}

/** `extensions.code` of an error, as a string (or ''). */
export const errorCode = (e: GraphqlError) =>
  typeof e.extensions?.code === 'string' ? e.extensions.code : '';

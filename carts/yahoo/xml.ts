// XML in and out for the Yahoo order API. Values stay strings (`parseTagValue: false`): order ids such
// as `store-00012`, postal codes `0600001` and item codes `0012` must not become numbers.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** Elements that repeat: a single hit is otherwise not wrapped in a list [T: JSPSystem requestAll]. */
const REPEATED = new Set([
  'Result.Search.OrderInfo',
  'ResultSet.Result.OrderInfo.Item',
  'ResultSet.Result.OrderInfo.Item.ItemOption',
]);

const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  ignoreDeclaration: true,
  trimValues: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

const builder = new XMLBuilder({ format: false, ignoreAttributes: false, attributeNamePrefix: '@_' });

export type XmlObject = Record<string, unknown>;

/** Parses an XML document into plain objects; throws on anything that is not well-formed XML. */
export function parseXml(text: string): XmlObject {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) throw new Error('body does not start with an XML element');
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(trimmed) as unknown;
  if (!isObject(doc) || Object.keys(doc).length === 0) throw new Error('XML document without a root element');
  return doc;
}

/** `{ Req: { … } }` → `<?xml …?><Req>…</Req>` (text escaped). */
export function buildXml(doc: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(doc) as string}`;
}

export function isObject(v: unknown): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `x` or `[x, y]` → always a list (parsed XML gives a single repeated element as an object). */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** Text of a leaf element, `null` when absent or not text. */
export function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * Yahoo's error body: `<Error><Message>…</Message><Code>…</Code></Error>`; `Code` is often absent
 * (the 401 for an expired token has only `Message`) [T: qiita suin 5241f461 recorded response;
 * JSPSystem BaseApiClient].
 */
export function errorOf(doc: XmlObject): { message: string; code: string | null } | null {
  const e = doc.Error;
  if (e === undefined) return null;
  if (!isObject(e)) return { message: text(e) ?? 'Error', code: null };
  return { message: text(e.Message) ?? 'Error', code: text(e.Code) };
}

export function errorXml(message: string, code?: string): string {
  return buildXml({ Error: code ? { Message: message, Code: code } : { Message: message } });
}

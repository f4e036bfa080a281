// 配送ルール: which carrier and method an order ships with. A store has a default (carrier + method)
// and rules in order; the first rule that matches the order wins: by prefecture (沖縄県), by postal
// code range (remote islands: a list the operator keeps, see README), by size class (the order's
// largest line at least this size) and for 代引. An operator's choice on the order beats them all
// (stored on the order); the rules' choice is frozen at the shipping instruction. Pure functions.
import { CARRIER_LABELS, CARRIERS, type Carrier } from './carriers.js';
import { isPrefecture } from './prefectures.js';

/** サイズ区分, smallest first: メール便 (ネコポス, ゆうパケット), then the 3-side-sum sizes. */
export const SIZE_CLASSES = ['mail', '60', '80', '100', '120', '140', '160', '180', '200'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

export const SIZE_LABELS: Readonly<Record<SizeClass, string>> = {
  mail: 'メール便（ポスト投函）',
  '60': '60サイズ',
  '80': '80サイズ',
  '100': '100サイズ',
  '120': '120サイズ',
  '140': '140サイズ',
  '160': '160サイズ',
  '180': '180サイズ',
  '200': '200サイズ',
};

export function isSizeClass(v: unknown): v is SizeClass {
  return typeof v === 'string' && (SIZE_CLASSES as readonly string[]).includes(v);
}

/** "100", "100サイズ", "ネコポス"/"メール便" → a size class; anything else null. */
export function parseSizeClass(text: string): SizeClass | null {
  const t = text
    .normalize('NFKC')
    .trim()
    .replace(/サイズ$/, '');
  if (/^(mail|メール便|ネコポス|ゆうパケット)$/i.test(t)) return 'mail';
  return isSizeClass(t) ? t : null;
}

/** The largest of the lines' size classes (unknown products count as nothing). */
export function orderSizeClass(classes: ReadonlyArray<string | null>): SizeClass | null {
  let best = -1;
  for (const c of classes) if (isSizeClass(c)) best = Math.max(best, SIZE_CLASSES.indexOf(c));
  return best < 0 ? null : SIZE_CLASSES[best]!;
}

/** The carriers juchu writes label files for, and their methods (送り状種別 / 便種). */
export const LABEL_CARRIERS = ['yamato', 'sagawa', 'japanpost'] as const;
export type LabelCarrier = (typeof LABEL_CARRIERS)[number];

export function isLabelCarrier(c: unknown): c is LabelCarrier {
  return typeof c === 'string' && (LABEL_CARRIERS as readonly string[]).includes(c);
}

export const CARRIER_METHODS: Readonly<Record<LabelCarrier, ReadonlyArray<readonly [string, string]>>> = {
  yamato: [
    ['takkyubin', '宅急便'],
    ['compact', '宅急便コンパクト'],
    ['nekopos', 'ネコポス'],
  ],
  sagawa: [['hikyaku', '飛脚宅配便']],
  japanpost: [
    ['yupack', 'ゆうパック'],
    ['yupacket', 'ゆうパケット'],
  ],
};

/** Methods that cannot collect cash on delivery (posted into a mailbox). */
export const NO_COD_METHODS: ReadonlySet<string> = new Set(['nekopos', 'yupacket']);

export function methodLabel(carrier: string, method: string | null): string | null {
  if (!method || !isLabelCarrier(carrier)) return method;
  return CARRIER_METHODS[carrier].find(([m]) => m === method)?.[1] ?? method;
}

export function carrierLabel(carrier: string, method: string | null = null): string {
  const name = (CARRIER_LABELS as Record<string, string>)[carrier] ?? carrier;
  const m = methodLabel(carrier, method);
  return m ? `${name} ${m}` : name;
}

export type RuleKind = 'prefecture' | 'postal' | 'size' | 'cod';
export const RULE_KINDS: readonly RuleKind[] = ['prefecture', 'postal', 'size', 'cod'];

export interface CarrierRule {
  /** 1-based; the first matching rule (lowest position) wins. */
  position: number;
  kind: RuleKind;
  /** prefecture: prefecture names; postal: ranges "9000000-9999999" or prefixes "907"; size: [the least size class]; cod: []. */
  values: string[];
  carrier: Carrier;
  method: string | null;
  /** The operator's name for it ("離島"). */
  note: string | null;
}

export interface CarrierChoice {
  carrier: Carrier;
  method: string | null;
}

/** What the rules look at. */
export interface OrderShippingFacts {
  prefecture: string | null;
  postalCode: string | null;
  sizeClass: SizeClass | null;
  cod: boolean;
}

export interface CarrierDecision {
  carrier: Carrier | null;
  method: string | null;
  source: 'operator' | 'rule' | 'default' | null;
  /** The rule's position when a rule chose. */
  rule: number | null;
  /** Shown on the order: which rule chose, in Japanese. */
  reason: string;
}

/** Default words of 代引 payment methods across carts ("代金引換", "代引き", Shopify's "Cash on Delivery (COD)"). */
const COD_WORDS = /代引|代金引換|cash\s*on\s*delivery|\bCOD\b/i;

/** Whether the payment method collects on delivery: the store's list if it has one, else the usual words. */
export function isCod(paymentMethod: string | null, codMethods: readonly string[] | null): boolean {
  if (!paymentMethod) return false;
  if (codMethods?.length) return codMethods.some((m) => m.trim() === paymentMethod.trim());
  return COD_WORDS.test(paymentMethod);
}

/** "900-0001", "〒９００００１２" → "9000012"; digits only, or '' when there are not seven. */
export function postalDigits(code: string | null): string {
  const d = (code ?? '').normalize('NFKC').replace(/\D/g, '');
  return d.length === 7 ? d : '';
}

/** A postal value: "9000000-9079999" (a range, both ends 7 digits) or a prefix of 1 to 7 digits. */
export function parsePostalValue(v: string): { from: string; to: string } | null {
  const t = v.normalize('NFKC').replace(/[\s〒]/g, '');
  const range = /^(\d{3})-?(\d{4})[~〜～:](\d{3})-?(\d{4})$/.exec(t) ?? /^(\d{7})-(\d{7})$/.exec(t);
  if (range) {
    const from = range.length === 5 ? `${range[1]}${range[2]}` : range[1]!;
    const to = range.length === 5 ? `${range[3]}${range[4]}` : range[2]!;
    return from <= to ? { from, to } : null;
  }
  if (!/^\d{1,7}$/.test(t) && !/^\d{3}-\d{1,4}$/.test(t)) return null;
  const prefix = t.replace('-', '');
  if (/^\d{1,7}$/.test(prefix)) return { from: prefix.padEnd(7, '0'), to: prefix.padEnd(7, '9') };
  return null;
}

function matches(rule: CarrierRule, o: OrderShippingFacts): boolean {
  switch (rule.kind) {
    case 'prefecture':
      return o.prefecture !== null && rule.values.includes(o.prefecture);
    case 'postal': {
      const d = postalDigits(o.postalCode);
      return (
        d !== '' &&
        rule.values.some((v) => {
          const r = parsePostalValue(v);
          return r !== null && r.from <= d && d <= r.to;
        })
      );
    }
    case 'size': {
      const least = rule.values[0];
      return (
        o.sizeClass !== null &&
        isSizeClass(least) &&
        SIZE_CLASSES.indexOf(o.sizeClass) >= SIZE_CLASSES.indexOf(least)
      );
    }
    case 'cod':
      return o.cod;
  }
}

/** What a rule matches, in Japanese ("沖縄県", "郵便番号 1000100-1002999", "120サイズ以上", "代引"). */
export function ruleCondition(rule: Pick<CarrierRule, 'kind' | 'values' | 'note'>): string {
  const what =
    rule.kind === 'prefecture'
      ? rule.values.join('・')
      : rule.kind === 'postal'
        ? `郵便番号 ${rule.values.join('、')}`
        : rule.kind === 'size'
          ? `${isSizeClass(rule.values[0]) ? SIZE_LABELS[rule.values[0]] : rule.values[0]}以上`
          : '代引';
  return rule.note ? `${rule.note}（${what}）` : what;
}

/**
 * The carrier for an order: the first rule that matches, else the store's default. A method that
 * cannot collect (ネコポス) is not chosen for 代引: the rule is passed over, and a default that cannot
 * collect falls back to the carrier's first method.
 */
export function decideCarrier(
  rules: readonly CarrierRule[],
  defaults: CarrierChoice | null,
  order: OrderShippingFacts,
): CarrierDecision {
  const ordered = [...rules].sort((a, b) => a.position - b.position);
  for (const r of ordered) {
    if (!matches(r, order)) continue;
    if (order.cod && r.method && NO_COD_METHODS.has(r.method)) continue;
    return {
      carrier: r.carrier,
      method: r.method,
      source: 'rule',
      rule: r.position,
      reason: `ルール${r.position}: ${ruleCondition(r)} → ${carrierLabel(r.carrier, r.method)}`,
    };
  }
  if (!defaults)
    return {
      carrier: null,
      method: null,
      source: null,
      rule: null,
      reason: '既定の運送会社が未設定です（配送設定）',
    };
  let method = defaults.method;
  if (order.cod && method && NO_COD_METHODS.has(method) && isLabelCarrier(defaults.carrier))
    method = CARRIER_METHODS[defaults.carrier][0]![0];
  return {
    carrier: defaults.carrier,
    method,
    source: 'default',
    rule: null,
    reason: `既定: ${carrierLabel(defaults.carrier, method)}${method !== defaults.method ? '（代引のため）' : ''}`,
  };
}

export interface RuleError {
  /** 'rules.2', 'defaults', … */
  at: string;
  message: string;
}

function checkChoice(at: string, carrier: unknown, method: unknown, errors: RuleError[]): void {
  if (!(CARRIERS as readonly unknown[]).includes(carrier)) {
    errors.push({ at, message: `運送会社「${String(carrier)}」はありません（${CARRIERS.join(', ')}）` });
    return;
  }
  if (method === null || method === undefined || method === '') {
    if (isLabelCarrier(carrier)) errors.push({ at, message: '配送方法を選んでください' });
    return;
  }
  if (!isLabelCarrier(carrier) || !CARRIER_METHODS[carrier].some(([m]) => m === method))
    errors.push({
      at,
      message: `${CARRIER_LABELS[carrier as Carrier]}に配送方法「${String(method)}」はありません${
        isLabelCarrier(carrier)
          ? `（${CARRIER_METHODS[carrier].map(([m, l]) => `${m}: ${l}`).join('、')}）`
          : ''
      }`,
    });
}

/** Checks a carrier and method as an operator gives them (the order's carrier, a default). */
export function checkCarrierChoice(carrier: unknown, method: unknown): string | null {
  const errors: RuleError[] = [];
  checkChoice('choice', carrier, method, errors);
  return errors[0]?.message ?? null;
}

/** Every problem with a store's rules and default, each naming the rule. */
export function checkRules(rules: readonly CarrierRule[], defaults: CarrierChoice | null): RuleError[] {
  const errors: RuleError[] = [];
  if (defaults) checkChoice('既定', defaults.carrier, defaults.method, errors);
  rules.forEach((r, i) => {
    const at = `ルール${i + 1}`;
    checkChoice(at, r.carrier, r.method, errors);
    if (!RULE_KINDS.includes(r.kind)) errors.push({ at, message: `条件の種類「${r.kind}」はありません` });
    if (r.kind === 'prefecture') {
      if (!r.values.length) errors.push({ at, message: '都道府県を選んでください' });
      for (const v of r.values)
        if (!isPrefecture(v))
          errors.push({ at, message: `「${v}」は都道府県名ではありません（例: 沖縄県）` });
    }
    if (r.kind === 'postal') {
      if (!r.values.length)
        errors.push({ at, message: '郵便番号の範囲を入れてください（例: 1000100-1002999）' });
      for (const v of r.values)
        if (!parsePostalValue(v))
          errors.push({
            at,
            message: `「${v}」は郵便番号の範囲ではありません（1000100-1002999 か、先頭の数字 907）`,
          });
    }
    if (r.kind === 'size' && (r.values.length !== 1 || !isSizeClass(r.values[0])))
      errors.push({ at, message: `サイズ区分を1つ選んでください（${SIZE_CLASSES.join(', ')}）` });
    if (r.kind === 'cod' && r.method && NO_COD_METHODS.has(r.method))
      errors.push({ at, message: `${methodLabel(r.carrier, r.method)}は代引にできません` });
  });
  return errors;
}

// Operation: a store's 配送設定 — the sender on its labels, the carriers' codes, the default carrier
// and the carrier rules, saved whole in one transaction after every check (domain/carrier-rules.ts).
// A refusal names each problem (the rule's number, the field).

import {
  type ShippingSettings,
  type ShippingSettingsInput,
  shippingSettingsOf,
  writeShippingSettings,
} from '../db/shipping-settings.js';
import { findStore } from '../db/stores.js';
import { checkRules } from '../domain/carrier-rules.js';
import { CODE_LABELS } from '../domain/labels/index.js';
import { YUPRI_CODE_KEYS } from '../domain/labels/japanpost-yupri.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export const SHIPPING_CODE_KEYS: readonly string[] = [...Object.keys(CODE_LABELS), ...YUPRI_CODE_KEYS];

function checkSender(s: ShippingSettingsInput['sender']): string[] {
  const errors: string[] = [];
  const postal = s.postalCode.normalize('NFKC').replace(/\D/g, '');
  if (s.postalCode.trim() && postal.length !== 7)
    errors.push('ご依頼主の郵便番号は7桁にしてください（例: 100-0001）');
  const phone = s.phone.normalize('NFKC').replace(/\D/g, '');
  if (s.phone.trim() && (phone.length < 10 || phone.length > 11))
    errors.push('ご依頼主の電話番号は10〜11桁にしてください（例: 03-1234-5678）');
  for (const [what, v, max] of [
    ['ご依頼主名', s.name, 60],
    ['ご依頼主住所', s.address1, 120],
    ['ご依頼主の建物名', s.address2, 60],
  ] as const)
    if (v.length > max) errors.push(`${what}は${max}文字以内にしてください`);
  return errors;
}

function checkCodes(codes: Record<string, string>): string[] {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(codes)) {
    if (!SHIPPING_CODE_KEYS.includes(k))
      errors.push(`コード「${k}」はありません（${SHIPPING_CODE_KEYS.join(', ')}）`);
    else if (v.length > 40 || /[\r\n,"]/.test(v))
      errors.push(`${CODE_LABELS[k] ?? k}: 40文字以内、改行・カンマ・引用符なしにしてください`);
  }
  if (codes.sagawaLayout && !['ehiden3', 'ehiden2'].includes(codes.sagawaLayout))
    errors.push('佐川 e飛伝の版は ehiden3 か ehiden2 にしてください');
  if (codes.sagawaCodPayment && !['1', '2', '5'].includes(codes.sagawaCodPayment))
    errors.push('佐川 代引の決済種別は 1・2・5 のどれかにしてください');
  return errors;
}

export async function saveShippingSettings(
  deps: UseCaseDeps,
  input: ShippingSettingsInput & { storeCode: string; actor: string },
): Promise<ShippingSettings> {
  const store = await findStore(deps.db, input.storeCode);
  if (!store) throw new RuleRefusal(`店舗「${input.storeCode}」はありません`, 'not_found');
  const trimmed: ShippingSettingsInput = {
    sender: {
      name: input.sender.name.trim(),
      postalCode: input.sender.postalCode.trim(),
      phone: input.sender.phone.trim(),
      address1: input.sender.address1.trim(),
      address2: input.sender.address2.trim(),
    },
    defaults: input.defaults,
    codMethods: input.codMethods?.map((m) => m.trim()).filter(Boolean) ?? null,
    codes: Object.fromEntries(
      Object.entries(input.codes)
        .map(([k, v]) => [k, v.trim()] as const)
        .filter(([, v]) => v !== ''),
    ),
    rules: input.rules.map((r, i) => ({
      ...r,
      position: i + 1,
      values: r.values.map((v) => v.trim()).filter(Boolean),
      note: r.note?.trim() || null,
    })),
  };
  if (trimmed.codMethods?.length === 0) trimmed.codMethods = null;
  const errors = [
    ...checkSender(trimmed.sender),
    ...checkCodes(trimmed.codes),
    ...checkRules(trimmed.rules, trimmed.defaults).map((e) => `${e.at}: ${e.message}`),
  ];
  if (errors.length)
    throw new RuleRefusal(`配送設定を保存できません: ${errors.join(' / ')}`, 'invalid_settings');
  await withTransaction(deps.db, (trx) => writeShippingSettings(trx, store.id, trimmed, input.actor));
  return (await shippingSettingsOf(deps.db, store.id))!;
}

// A store's 配送設定: the sender printed on labels, the carriers' customer codes, the default carrier
// and the carrier rules. Plain reads and writes; usecases/save-shipping-settings.ts checks and decides.
import type { CarrierChoice, CarrierRule } from '../domain/carrier-rules.js';
import type { Carrier } from '../domain/carriers.js';
import type { LabelSender } from '../domain/labels/common.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';

export interface SenderInput {
  name: string;
  postalCode: string;
  phone: string;
  address1: string;
  address2: string;
}

export interface ShippingSettings {
  storeId: number;
  storeCode: string;
  storeName: string;
  /** ご依頼主; null fields are not set yet (the store's name stands in for the name). */
  sender: SenderInput;
  defaults: CarrierChoice | null;
  /** Payment methods (as the cart names them) that are 代引; null = the usual words (代引, 代金引換, COD). */
  codMethods: string[] | null;
  codes: Record<string, string>;
  rules: CarrierRule[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface ShippingSettingsInput {
  sender: SenderInput;
  defaults: CarrierChoice | null;
  codMethods: string[] | null;
  codes: Record<string, string>;
  rules: CarrierRule[];
}

function stringCodes(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

/** Every store's settings by store id (stores without a row get empty ones). */
export async function readShippingSettings(
  db: Db,
  storeIds?: readonly number[],
): Promise<Map<number, ShippingSettings>> {
  let q = db
    .selectFrom('stores as s')
    .leftJoin('store_shipping as x', 'x.store_id', 's.id')
    .select([
      's.id',
      's.code',
      's.name',
      'x.sender_name',
      'x.sender_postal_code',
      'x.sender_phone',
      'x.sender_address1',
      'x.sender_address2',
      'x.default_carrier',
      'x.default_method',
      'x.cod_methods',
      'x.codes',
      'x.updated_at',
      'x.updated_by',
    ]);
  if (storeIds) q = q.where('s.id', 'in', storeIds.length ? [...storeIds] : [-1]);
  const stores = await q.orderBy('s.code').execute();
  let rq = db.selectFrom('carrier_rules').selectAll().orderBy('store_id').orderBy('position');
  if (storeIds) rq = rq.where('store_id', 'in', storeIds.length ? [...storeIds] : [-1]);
  const rules = await rq.execute();
  const out = new Map<number, ShippingSettings>();
  for (const s of stores)
    out.set(s.id, {
      storeId: s.id,
      storeCode: s.code,
      storeName: s.name,
      sender: {
        name: s.sender_name ?? '',
        postalCode: s.sender_postal_code ?? '',
        phone: s.sender_phone ?? '',
        address1: s.sender_address1 ?? '',
        address2: s.sender_address2 ?? '',
      },
      defaults: s.default_carrier
        ? { carrier: s.default_carrier as Carrier, method: s.default_method }
        : null,
      codMethods: s.cod_methods,
      codes: stringCodes(s.codes),
      rules: [],
      updatedAt: s.updated_at ? toJstIso(s.updated_at) : null,
      updatedBy: s.updated_by,
    });
  for (const r of rules)
    out.get(r.store_id)?.rules.push({
      position: r.position,
      kind: r.kind,
      values: r.values,
      carrier: r.carrier as Carrier,
      method: r.method,
      note: r.note,
    });
  return out;
}

export async function shippingSettingsOf(db: Db, storeId: number): Promise<ShippingSettings | null> {
  return (await readShippingSettings(db, [storeId])).get(storeId) ?? null;
}

/** The settings and their rules, replaced whole (the caller's transaction). */
export async function writeShippingSettings(
  trx: Db,
  storeId: number,
  s: ShippingSettingsInput,
  actor: string,
): Promise<void> {
  const row = {
    sender_name: s.sender.name || null,
    sender_postal_code: s.sender.postalCode || null,
    sender_phone: s.sender.phone || null,
    sender_address1: s.sender.address1 || null,
    sender_address2: s.sender.address2 || null,
    default_carrier: s.defaults?.carrier ?? null,
    default_method: s.defaults?.method ?? null,
    cod_methods: s.codMethods,
    codes: JSON.stringify(s.codes),
    updated_at: new Date(),
    updated_by: actor,
  };
  await trx
    .insertInto('store_shipping')
    .values({ store_id: storeId, ...row })
    .onConflict((oc) => oc.column('store_id').doUpdateSet(row))
    .execute();
  await trx.deleteFrom('carrier_rules').where('store_id', '=', storeId).execute();
  if (s.rules.length)
    await trx
      .insertInto('carrier_rules')
      .values(
        s.rules.map((r, i) => ({
          store_id: storeId,
          position: i + 1,
          kind: r.kind,
          values: r.values,
          carrier: r.carrier,
          method: r.method,
          note: r.note,
        })),
      )
      .execute();
}

/** The sender as labels print it: the store's name when no sender name is set. */
export function labelSender(s: ShippingSettings): LabelSender {
  return {
    name: s.sender.name || s.storeName,
    phone: s.sender.phone,
    postalCode: s.sender.postalCode,
    prefecture: null,
    address1: s.sender.address1,
    address2: s.sender.address2,
  };
}

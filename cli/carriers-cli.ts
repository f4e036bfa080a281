// 配送設定 from the command line: a store's sender, default carrier, rules and codes (each command
// reads the settings, changes one thing and saves them whole through the use case), an order's
// carrier and parcel count, and products' size classes.
import type { Command } from 'commander';
import type { Db } from '../db/db.js';
import { readShippingSettings, type ShippingSettings } from '../db/shipping-settings.js';
import { findStore } from '../db/stores.js';
import {
  type CarrierRule,
  carrierLabel,
  parseSizeClass,
  RULE_KINDS,
  type RuleKind,
  ruleCondition,
} from '../domain/carrier-rules.js';
import type { Carrier } from '../domain/carriers.js';
import { depsOf } from '../usecases/deps.js';
import { saveShippingSettings } from '../usecases/save-shipping-settings.js';
import { setOrderCarrier } from '../usecases/set-order-carrier.js';
import { setProductSize } from '../usecases/set-product-size.js';
import { cliActor, orderIdOf } from './orders-cli.js';
import { fail, out, refused, withDb } from './runtime.js';

async function settingsOf(db: Db, code: string): Promise<ShippingSettings> {
  const store = (await findStore(db, code)) ?? fail(`no store ${code}`);
  return (await readShippingSettings(db, [store.id])).get(store.id)!;
}

function print(s: ShippingSettings): void {
  out(`${s.storeCode}  ${s.storeName}`);
  const snd = s.sender;
  out(
    `  ご依頼主  ${snd.name || `(${s.storeName})`}  〒${snd.postalCode || '—'}  ${snd.address1 || '—'} ${snd.address2}  TEL ${snd.phone || '—'}`,
  );
  out(`  既定      ${s.defaults ? carrierLabel(s.defaults.carrier, s.defaults.method) : '未設定'}`);
  out(`  代引      ${s.codMethods?.join(', ') ?? '(代引・代金引換・COD を含む支払方法)'}`);
  for (const r of s.rules)
    out(`  ルール${r.position}  ${ruleCondition(r)} → ${carrierLabel(r.carrier, r.method)}`);
  for (const [k, v] of Object.entries(s.codes)) out(`  code ${k} = ${v}`);
}

async function change(db: Db, code: string, fn: (s: ShippingSettings) => void): Promise<void> {
  const s = await settingsOf(db, code);
  fn(s);
  print(
    await saveShippingSettings(depsOf(db), {
      storeCode: code,
      actor: cliActor(),
      sender: s.sender,
      defaults: s.defaults,
      codMethods: s.codMethods,
      codes: s.codes,
      rules: s.rules,
    }).catch(refused),
  );
}

export function registerCarrierCommands(program: Command): void {
  const carriers = program
    .command('carriers')
    .description("配送設定: sender, default carrier, carrier rules, codes; an order's carrier; size classes");

  carriers
    .command('show')
    .description("Print the stores' shipping settings")
    .option('--store <code>', 'only this store')
    .action(async (o: { store?: string }) =>
      withDb(async ({ db }) => {
        for (const s of (await readShippingSettings(db)).values())
          if (!o.store || s.storeCode === o.store) print(s);
      }),
    );

  carriers
    .command('sender')
    .description("Set the ご依頼主 printed on labels (empty name: the store's name)")
    .requiredOption('--store <code>', 'store')
    .option('--name <text>')
    .option('--postal <code>', '郵便番号, e.g. 100-0001')
    .option('--phone <no>')
    .option('--address1 <text>', '都道府県から番地まで')
    .option('--address2 <text>', '建物名')
    .action(
      async (o: {
        store: string;
        name?: string;
        postal?: string;
        phone?: string;
        address1?: string;
        address2?: string;
      }) =>
        withDb(async ({ db }) =>
          change(db, o.store, (s) => {
            s.sender = {
              name: o.name ?? s.sender.name,
              postalCode: o.postal ?? s.sender.postalCode,
              phone: o.phone ?? s.sender.phone,
              address1: o.address1 ?? s.sender.address1,
              address2: o.address2 ?? s.sender.address2,
            };
          }),
        ),
    );

  carriers
    .command('default')
    .description("Set the store's default carrier and method (--none to clear)")
    .requiredOption('--store <code>', 'store')
    .option('--carrier <name>', 'yamato | sagawa | japanpost | seino | fukuyama | nittsu | other')
    .option('--method <code>', 'takkyubin, compact, nekopos | hikyaku | yupack, yupacket')
    .option('--none', 'no default')
    .action(async (o: { store: string; carrier?: string; method?: string; none?: boolean }) =>
      withDb(async ({ db }) =>
        change(db, o.store, (s) => {
          if (!o.none && !o.carrier) fail('give --carrier (and --method), or --none');
          s.defaults = o.none ? null : { carrier: o.carrier as Carrier, method: o.method ?? null };
        }),
      ),
    );

  const rule = carriers.command('rule').description('Carrier rules: the first that matches an order wins');
  rule
    .command('add')
    .description('Add a rule (at the end, or at --at n)')
    .requiredOption('--store <code>', 'store')
    .requiredOption('--kind <kind>', RULE_KINDS.join(' | '))
    .option('--values <list>', 'prefecture: 沖縄県; postal: 1000100-1002999,907; size: 140 (the least)', '')
    .requiredOption('--carrier <name>', 'carrier')
    .option('--method <code>', 'method')
    .option('--note <text>', 'a name for it (離島)')
    .option('--at <n>', 'position (1 = first)')
    .action(
      async (o: {
        store: string;
        kind: string;
        values: string;
        carrier: string;
        method?: string;
        note?: string;
        at?: string;
      }) =>
        withDb(async ({ db }) =>
          change(db, o.store, (s) => {
            if (!(RULE_KINDS as readonly string[]).includes(o.kind))
              fail(`--kind must be one of ${RULE_KINDS.join(', ')}`);
            const r: CarrierRule = {
              position: 0,
              kind: o.kind as RuleKind,
              values: o.values.split(/[,、]/).filter(Boolean),
              carrier: o.carrier as Carrier,
              method: o.method ?? null,
              note: o.note ?? null,
            };
            const at = o.at ? Math.max(1, Math.min(Number(o.at), s.rules.length + 1)) : s.rules.length + 1;
            s.rules.splice(at - 1, 0, r);
          }),
        ),
    );
  rule
    .command('remove')
    .description('Remove rule n')
    .requiredOption('--store <code>', 'store')
    .requiredOption('--rule <n>', 'its number (carriers show)')
    .action(async (o: { store: string; rule: string }) =>
      withDb(async ({ db }) =>
        change(db, o.store, (s) => {
          const n = Number(o.rule);
          if (!Number.isInteger(n) || n < 1 || n > s.rules.length)
            fail(`no rule ${o.rule} (the store has ${s.rules.length})`);
          s.rules.splice(n - 1, 1);
        }),
      ),
    );

  carriers
    .command('code')
    .description(
      "Set one of the store's carrier codes (B2 請求先顧客コード, 佐川 お客様コード, ゆうプリR 送り状種別 …); empty value clears it",
    )
    .requiredOption('--store <code>', 'store')
    .requiredOption(
      '--key <key>',
      'e.g. yamatoBillingCustomerCode, sagawaCustomerCode, sagawaLayout, japanpostSlip.yupack, japanpostTime.am',
    )
    .option('--value <v>', 'value', '')
    .action(async (o: { store: string; key: string; value: string }) =>
      withDb(async ({ db }) =>
        change(db, o.store, (s) => {
          if (o.value) s.codes[o.key] = o.value;
          else delete s.codes[o.key];
        }),
      ),
    );

  carriers
    .command('set-order')
    .description(
      "An order's carrier (before the shipping instruction), or back to the rules; its parcel count (個口)",
    )
    .requiredOption('--order <ref>', '受注No or store:cartOrderNo')
    .option('--carrier <name>', 'carrier')
    .option('--method <code>', 'method')
    .option('--rules', "give it back to the store's rules")
    .option('--parcels <n>', '個口')
    .action(
      async (o: { order: string; carrier?: string; method?: string; rules?: boolean; parcels?: string }) =>
        withDb(async ({ db }) => {
          const id = await orderIdOf(db, o.order);
          const r = await setOrderCarrier(depsOf(db), {
            orderId: id,
            choice: o.rules
              ? null
              : o.carrier
                ? { carrier: o.carrier as Carrier, method: o.method ?? null }
                : undefined,
            parcels: o.parcels !== undefined ? Number(o.parcels) : undefined,
            actor: cliActor(),
          }).catch(refused);
          out(r.message);
        }),
    );

  carriers
    .command('size')
    .description("A product's size class (mail, 60 … 200; none clears), read by the size rules")
    .requiredOption('--product <code>', 'product code')
    .requiredOption('--size <class>', 'mail | 60 | 80 | 100 | 120 | 140 | 160 | 180 | 200 | none')
    .action(async (o: { product: string; size: string }) =>
      withDb(async ({ db }) => {
        const size =
          o.size === 'none'
            ? null
            : (parseSizeClass(o.size) ?? fail(`--size: "${o.size}" is not a size class`));
        await setProductSize(depsOf(db), { productCode: o.product, sizeClass: size }).catch(refused);
        out(`${o.product}: ${size ?? 'none'}`);
      }),
    );
}

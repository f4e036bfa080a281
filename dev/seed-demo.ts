// Demo data: a tea and kitchenware shop on every cart. Products (with 8% food), two warehouses with
// stock (some of it scarce, so 在庫なし shows), a store per cart pointed at its simulator (test stores,
// テスト店舗: only they may point at this machine), the store mapping that turns TSE-0013-9124 into
// 00000911245, and a user per role. The carts also sell NEW-2026-AKI, which the master lacks on
// purpose: its orders wait in マスタなし商品 until the newcomer adds it on 商品マスタ (README's tour).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { cartModule } from '../carts/registry.js';
import { CATALOG, DEMO_WAREHOUSES } from '../carts/sim/catalog.js';
import type { Db } from '../db/db.js';
import { upsertMapping } from '../db/products.js';
import { createUser, type Role } from '../db/users.js';
import { CARTS, type CartName } from '../domain/order.js';
import { DEMO_PASSWORDS } from '../domain/passwords.js';
import { saveStore } from '../usecases/save-store.js';

export const DEMO_STORES: ReadonlyArray<{ code: string; cart: CartName; name: string }> = [
  { code: 'rakuten-main', cart: 'rakuten', name: '楽天市場店' },
  { code: 'yahoo-main', cart: 'yahoo', name: 'Yahoo!ショッピング店' },
  { code: 'amazon-jp', cart: 'amazon', name: 'Amazon.co.jp' },
  { code: 'makeshop-main', cart: 'makeshop', name: '自社サイト（makeshop）' },
  { code: 'shopify-global', cart: 'shopify', name: 'Shopify 海外向け' },
  { code: 'csv-wholesale', cart: 'csv', name: '卸・電話注文（CSV）' },
];

export interface DemoUser {
  login: string;
  password: string;
  role: Role;
  displayName: string;
}

/** A user per role, with fixed passwords anyone can read here: demo only (refused in production). */
export const DEMO_USERS: readonly DemoUser[] = [
  { login: 'admin', password: DEMO_PASSWORDS.admin, role: 'admin', displayName: '管理者' },
  { login: 'operator', password: DEMO_PASSWORDS.operator, role: 'operator', displayName: '受注担当' },
  { login: 'viewer', password: DEMO_PASSWORDS.viewer, role: 'viewer', displayName: '閲覧のみ' },
];

/** The demo users with random passwords, for a demo on a NODE_ENV=production install. */
export function demoUsersWithRandomPasswords(): DemoUser[] {
  return DEMO_USERS.map((u) => ({ ...u, password: randomBytes(12).toString('base64url') }));
}

/** Stock per master product: plenty of most things, little of a few (so waiting orders appear). */
const SCARCE: Readonly<Record<string, [number, number]>> = {
  '00000911246': [3, 0], // 宇治抹茶: almost gone
  '00000940100': [1, 1], // 南部鉄器 急須
  '00000930011': [0, 2],
};

export interface SeedOptions {
  /** Base URL of each cart's simulator (or real API). */
  baseUrls: Partial<Record<CartName, string>>;
  /** Where the CSV store reads its order files. */
  csvInbox: string;
  key: Buffer;
  /** Import schedule of every demo store. */
  cron?: string;
  /** The users to create (default DEMO_USERS). */
  users?: readonly DemoUser[];
  /** NODE_ENV=production: fixed demo passwords are refused. */
  production?: boolean;
}

export async function seedDemo(db: Db, opts: SeedOptions): Promise<void> {
  for (const w of DEMO_WAREHOUSES)
    await db
      .insertInto('warehouses')
      .values(w)
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: w.name, priority: w.priority }))
      .execute();

  const master = new Map<string, (typeof CATALOG)[number]>();
  for (const p of CATALOG)
    if (p.inMaster && (!master.has(p.masterCode) || p.unitsPerCartUnit === 1)) master.set(p.masterCode, p);
  for (const p of master.values()) {
    await db
      .insertInto('products')
      .values({ code: p.masterCode, name: p.name, tax_rate: p.taxRate, needs_check: p.needsCheck })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({ name: p.name, tax_rate: p.taxRate, needs_check: p.needsCheck }),
      )
      .execute();
    const [tokyo, osaka] = SCARCE[p.masterCode] ?? [200, 100];
    for (const [warehouse, qty] of [
      ['tokyo', tokyo],
      ['osaka', osaka],
    ] as const) {
      await sql`INSERT INTO stock_levels (product_code, warehouse_code, on_hand) VALUES (${p.masterCode}, ${warehouse}, ${qty})
                ON CONFLICT DO NOTHING`.execute(db);
    }
  }

  for (const s of DEMO_STORES) {
    const mod = cartModule(s.cart);
    const { store } = await saveStore(
      { db, key: opts.key },
      {
        code: s.code,
        cart: s.cart,
        name: s.name,
        enabled: true,
        importCron: opts.cron ?? '* * * * *',
        baseUrl: opts.baseUrls[s.cart] ?? null,
        testStore: true,
        credentials: mod.demoCredentials as Record<string, unknown>,
        settings: {
          initialImportDays: 3,
          settleLagSeconds: 5,
          ...(s.cart === 'csv' ? { inboxDir: opts.csvInbox, preset: 'rakuten' } : {}),
        },
      },
    );
    // Carts that sell under their own codes: the mapping converts them (TSE-0013-9124 → 00000911245).
    for (const p of CATALOG.filter((c) => c.inMaster && (c.cartCode !== c.masterCode || c.cartOptionCode))) {
      await upsertMapping(db, {
        storeId: store.id,
        cartProductCode: p.cartCode,
        cartOptionCode: p.cartOptionCode,
        productCode: p.masterCode,
        unitsPerCartUnit: p.unitsPerCartUnit,
      });
    }
  }
  for (const u of opts.users ?? DEMO_USERS) await createUser(db, u, { production: opts.production });
}

export function demoCarts(): readonly CartName[] {
  return CARTS;
}

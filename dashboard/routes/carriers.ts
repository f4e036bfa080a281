// 配送設定: per store the sender on labels, the carriers' codes, the default carrier and the carrier
// rules (admins write: configuration, like the stores); an order's carrier, which rule chose it and
// its tracking numbers (operators change the carrier before the instruction, and the parcel count);
// products' size classes, which the size rules read.
import { sql } from 'kysely';
import { z } from 'zod';
import { parcelsOf } from '../../db/parcels.js';
import { ordersWithCarriers } from '../../db/shipping-orders.js';
import { readShippingSettings } from '../../db/shipping-settings.js';
import {
  CARRIER_METHODS,
  carrierLabel,
  LABEL_CARRIERS,
  RULE_KINDS,
  SIZE_CLASSES,
  SIZE_LABELS,
} from '../../domain/carrier-rules.js';
import { CARRIER_LABELS, CARRIERS } from '../../domain/carriers.js';
import { CODE_LABELS } from '../../domain/labels/index.js';
import { PREFECTURES } from '../../domain/prefectures.js';
import { SHIPPING_CODE_KEYS, saveShippingSettings } from '../../usecases/save-shipping-settings.js';
import { setOrderCarrier } from '../../usecases/set-order-carrier.js';
import { setProductSize } from '../../usecases/set-product-size.js';
import { actorOf } from '../auth.js';
import { idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

const text = (max: number) => z.string().max(max).default('');
const carrier = z.enum(CARRIERS);
const settingsSchema = z.object({
  sender: z.object({
    name: text(100),
    postalCode: text(20),
    phone: text(30),
    address1: text(200),
    address2: text(100),
  }),
  defaults: z.object({ carrier, method: z.string().max(40).nullable() }).nullable(),
  codMethods: z.array(z.string().max(100)).max(50).nullable().default(null),
  codes: z.record(z.string().max(60), z.string().max(100)).default({}),
  rules: z
    .array(
      z.object({
        kind: z.enum(RULE_KINDS as ['prefecture', 'postal', 'size', 'cod']),
        values: z.array(z.string().max(40)).max(100).default([]),
        carrier,
        method: z.string().max(40).nullable(),
        note: z.string().max(60).nullable().default(null),
      }),
    )
    .max(50),
});

export function registerCarrierRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/carrier-settings', 'viewer', async () => ({
    stores: [...(await readShippingSettings(db)).values()],
    carriers: CARRIERS.map((c) => ({
      code: c,
      label: CARRIER_LABELS[c],
      methods: (CARRIER_METHODS as Record<string, ReadonlyArray<readonly [string, string]>>)[c] ?? [],
      labels: (LABEL_CARRIERS as readonly string[]).includes(c),
    })),
    sizeClasses: SIZE_CLASSES.map((s) => ({ code: s, label: SIZE_LABELS[s] })),
    prefectures: PREFECTURES,
    codeKeys: SHIPPING_CODE_KEYS.map((k) => ({ key: k, label: CODE_LABELS[k] ?? k })),
  }));

  routes.add('put', '/api/carrier-settings/:code', 'admin', async (req, res) => {
    const b = parse(settingsSchema, req.body);
    const saved = await saveShippingSettings(ops, {
      storeCode: String(req.params.code),
      actor: actorOf(res),
      ...b,
      rules: b.rules.map((r, i) => ({ ...r, position: i + 1 })),
    });
    return { settings: saved };
  });

  routes.add('get', '/api/orders/:id/carrier', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const { orders, carriers } = await ordersWithCarriers(db, [id]);
    const o = orders[0];
    if (!o) throw notFound(`注文 ${id} はありません`);
    const c = carriers.get(id)!;
    return {
      carrier: c.carrier,
      method: c.method,
      label: c.carrier ? carrierLabel(c.carrier, c.method) : null,
      source: c.source,
      reason: c.reason,
      instructed: o.instructed,
      shipped: o.shipped,
      parcels: o.parcels,
      packages: o.packages.map((p) => p.packageNo),
      tracking: (await parcelsOf(db, [id])).get(id) ?? [],
    };
  });

  routes.add('post', '/api/orders/:id/carrier', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({
        choice: z
          .object({ carrier, method: z.string().max(40).nullable() })
          .nullable()
          .optional(),
        parcels: z.number().int().optional(),
      }),
      req.body,
    );
    return setOrderCarrier(ops, { orderId: id, choice: b.choice, parcels: b.parcels, actor: actorOf(res) });
  });

  routes.add('get', '/api/product-sizes', 'viewer', async (req) => {
    const { q } = queryOf(req);
    const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows = await db
      .selectFrom('products')
      .select(['code', 'name', 'size_class'])
      .where('active', '=', true)
      .$if(like !== null, (qb) => qb.where(sql<boolean>`(code ILIKE ${like} OR name ILIKE ${like})`))
      .orderBy('code')
      .limit(200)
      .execute();
    return { products: rows.map((r) => ({ code: r.code, name: r.name, sizeClass: r.size_class })) };
  });

  routes.add('put', '/api/product-sizes/:code', 'admin', async (req) => {
    const b = parse(z.object({ sizeClass: z.enum(SIZE_CLASSES).nullable() }), req.body);
    await setProductSize(ops, { productCode: String(req.params.code), sizeClass: b.sizeClass });
    return { ok: true };
  });
}

// Per-store settings (stores.settings). Every field has a default so a store created with `{}` works;
// cart-specific defaults (which cart statuses to import, which payment methods are prepaid) come
// from the cart module.
import { z } from 'zod';
import { REGISTRATION_NUMBER } from './invoice.js';

export const reservationTimings = ['import', 'fulfillment'] as const;

export const storeSettingsSchema = z.object({
  /** Cart statuses whose orders are imported; null = the cart's defaults. Cancels of imported orders always come through. */
  importStatuses: z.array(z.string()).nullable().default(null),
  /** Payment-method names (as the cart gives them) that mean "money first"; null = the cart's defaults. */
  prepaidMethods: z.array(z.string()).nullable().default(null),
  /** A requested delivery date this many days ahead (JST) or more holds the order (納期指定あり). */
  deliveryHoldDays: z.number().int().min(1).max(365).default(10),
  /** Reserve stock as soon as an order is imported, or only once it reaches fulfillment. */
  reservationTiming: z.enum(reservationTimings).default('import'),
  /** Each window starts this far before the cursor, to catch orders the cart indexed late. */
  syncOverlapMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10),
  /** Each window ends this far before now: carts take a moment to settle a new order. */
  settleLagSeconds: z.number().int().min(0).max(3600).default(120),
  /** With no cursor yet, the first import looks back this many days. */
  initialImportDays: z.number().int().min(0).max(730).default(3),
  /** A cancel before the shipping instruction completes by itself (else it waits for an operator). */
  autoCompleteCancel: z.boolean().default(true),
  /** Daily reconciliation (missed-order backstop), Asia/Tokyo. */
  reconcileCron: z.string().default('30 3 * * *'),
  /** Optional scheduled shipping instruction for this store's ready orders, Asia/Tokyo. */
  shippingInstructionCron: z.string().nullable().default(null),
  /** 適格請求書発行事業者登録番号 (T + 13 digits): printed on the 納品書, which then carries the invoice fields. */
  invoiceRegistrationNumber: z
    .string()
    .regex(REGISTRATION_NUMBER, { message: '登録番号は T に続く13桁の数字です（例: T1234567890123）' })
    .nullable()
    .default(null),
  /** 売上日: the day of 出荷完了 (default), or the order's date. */
  salesDateBasis: z
    .enum(['shipment', 'order'], { message: '売上日は shipment（出荷日）か order（受注日）です' })
    .default('shipment'),
});

export type StoreSettings = z.infer<typeof storeSettingsSchema>;

export function parseStoreSettings(raw: unknown): StoreSettings & Record<string, unknown> {
  const base = storeSettingsSchema.parse(raw ?? {});
  // Cart-specific keys (marketplace id, CSV column mapping…) pass through for the adapter.
  return { ...(typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}), ...base };
}

// The closed catalogue of queues and jobs: every job name maps to its payload type and its queue,
// and jobs/handlers.ts must handle every name (a missing handler fails the build). Payloads carry
// codes and ids only — never whole records, never credentials or customer data.
import type { ImportTrigger } from '../db/schema.js';

export const QUEUES = {
  import: {
    name: 'orders-import',
    displayName: '受注取込 (order import)',
    description:
      'Imports orders from each store on its schedule, re-imports single orders, reconciles yesterday.',
  },
  stock: {
    name: 'stock-allocation',
    displayName: '在庫引当 (stock allocation)',
    description:
      '取込・入荷・引当解除のあと、古い受注から順に在庫を引き当てます。Reserves stock, oldest order first.',
  },
  shipping: {
    name: 'shipping',
    displayName: '出荷 (shipping stages)',
    description:
      '定期の出荷指示と、お届け指定日による保留の解除。Scheduled shipping instructions and delivery-date holds.',
  },
  maintenance: {
    name: 'maintenance',
    displayName: '保守 (maintenance)',
    description:
      '店舗別商品マスタ追加後の再確認、取込エラーの再処理。Re-checks after a mapping is added; re-processes rejects.',
  },
} as const;

export type QueueKey = keyof typeof QUEUES;

export interface JobCatalogue {
  /** Import a store's changed orders: [cursor − overlap, now − settle lag]. */
  'import-store': {
    storeCode: string;
    trigger: Extract<ImportTrigger, 'schedule' | 'manual' | 'retry'>;
    slot?: string;
    requestedBy?: string;
  };
  /** Missed-order backstop: re-list a whole JST day (default yesterday) and import what is missing. */
  'reconcile-store': { storeCode: string; day?: string; slot?: string };
  /** Re-import one order by cart order number (also brings back a deleted one). */
  'reimport-order': { storeCode: string; cartOrderNo: string; requestedBy: string };
  /** Normalize a rejected record again (after a fix) and import it if it now reads. */
  'reprocess-reject': { rejectId: number; requestedBy: string };
  /** Reserve stock for waiting lines of these products (null: every product with a shortfall). */
  'allocate-stock': { productCodes: string[] | null; reason: string; slot?: string };
  /** Release delivery-date holds that came within the window; re-check waiting orders. */
  'refresh-delivery-holds': { slot?: string };
  /** Scheduled shipping instruction for one store's ready orders. */
  'shipping-instruction': { storeCode: string; slot?: string; requestedBy?: string };
  /** Fold the order-count deltas into the per-status counts (keeps the tab counts cheap to read). */
  'compact-status-counts': { slot?: string };
  /**
   * A store product mapping was added (or, with storeCode null, a product code to the master): re-check
   * the orders waiting on that cart code.
   */
  'recheck-mapping': { storeCode: string | null; cartProductCode: string; requestedBy: string };
  /** 在庫連携: push a store's changed free quantities (full: re-read the cart, repair drift, send all that differ). */
  'push-stock': { storeCode: string; full?: boolean; slot?: string };
  /** Deliver one cart action from the outbox (cart_actions); confirms go in batches per store. */
  'deliver-cart-action': { actionId: number };
  /** Re-enqueue cart actions whose job was lost (Redis restarted, a worker killed). */
  'sweep-cart-actions': { slot?: string };
}

export type JobName = keyof JobCatalogue;

export const JOB_QUEUE: Readonly<Record<JobName, QueueKey>> = {
  'import-store': 'import',
  'reconcile-store': 'import',
  'reimport-order': 'import',
  'reprocess-reject': 'maintenance',
  'allocate-stock': 'stock',
  'refresh-delivery-holds': 'shipping',
  'shipping-instruction': 'shipping',
  'recheck-mapping': 'maintenance',
  'compact-status-counts': 'maintenance',
  'push-stock': 'stock',
  'deliver-cart-action': 'shipping',
  'sweep-cart-actions': 'shipping',
};

/** BullMQ forbids ':' in custom ids; slots travel as epoch milliseconds. */
export function slotId(slot: Date | string): string {
  return String(new Date(slot).getTime());
}

export const jobIds = {
  /** One job per store per cron slot, whichever scheduler process fires it. */
  scheduledImport: (storeCode: string, slot: Date) => `import-${storeCode}-${slotId(slot)}`,
  /** At most one import waiting per store; a request while one runs becomes one follow-up. */
  importDedup: (storeCode: string) => `import-${storeCode}`,
  reconcile: (storeCode: string, slot: Date) => `reconcile-${storeCode}-${slotId(slot)}`,
  shippingInstruction: (storeCode: string, slot: Date) => `ship-${storeCode}-${slotId(slot)}`,
  sweep: (name: string, slot: Date) => `${name}-${slotId(slot)}`,
  stockPush: (storeCode: string, full: boolean, slot: Date) =>
    `stock-${full ? 'full' : 'push'}-${storeCode}-${slotId(slot)}`,
  /** One job per cart action and 再送 round (a human's resend makes a new job). */
  cartAction: (actionId: number, round: number) => `cart-action-${actionId}-r${round}`,
};

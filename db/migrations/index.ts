// Every migration, listed by hand: static imports work the same under tsx, vitest and the compiled
// build (a folder scan with dynamic import() does not). Names sort in the order they run.
import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-26T0000-initial-schema.js';
import * as loginFailures from './2026-12-02T1500-login-failures.js';
import * as storeTestFlag from './2026-12-02T1700-store-test-flag.js';
import * as productMaster from './2026-12-02T1900-product-master.js';
import * as setsWarehousesHolds from './2026-12-02T1910-sets-warehouses-holds.js';
import * as importProgress from './2026-12-03T0100-import-progress.js';
import * as inboxFilesUploads from './2026-12-03T0200-inbox-files-uploads.js';
import * as importRunSkipped from './2026-12-03T0400-import-run-skipped.js';
import * as shippingLabels from './2026-12-03T0800-shipping-labels.js';
import * as cartActions from './2026-12-03T1000-cart-actions.js';
import * as unconfirmedOrdersIndex from './2026-12-03T1100-unconfirmed-orders-index.js';
import * as stockPush from './2026-12-03T1300-stock-push.js';
import * as salesRecords from './2026-12-03T1400-sales-records.js';
import * as uploadKinds from './2026-12-05T0400-upload-kinds.js';
import * as cartActionResends from './2026-12-05T0500-cart-action-resends.js';
import * as cartActionAsyncRequest from './2026-12-05T0510-cart-action-async-request.js';
import * as cartApiHosts from './2026-12-06T0300-cart-api-hosts.js';
import * as trackingUploadsLedger from './2026-12-06T0400-tracking-uploads-ledger.js';

export const migrations: Record<string, Migration> = {
  '2026-11-26T0000-initial-schema': initialSchema,
  '2026-12-02T1500-login-failures': loginFailures,
  '2026-12-02T1700-store-test-flag': storeTestFlag,
  '2026-12-02T1900-product-master': productMaster,
  '2026-12-02T1910-sets-warehouses-holds': setsWarehousesHolds,
  '2026-12-03T0100-import-progress': importProgress,
  '2026-12-03T0200-inbox-files-uploads': inboxFilesUploads,
  '2026-12-03T0400-import-run-skipped': importRunSkipped,
  '2026-12-03T0800-shipping-labels': shippingLabels,
  '2026-12-03T1400-sales-records': salesRecords,
  '2026-12-03T1300-stock-push': stockPush,
  '2026-12-03T1000-cart-actions': cartActions,
  '2026-12-03T1100-unconfirmed-orders-index': unconfirmedOrdersIndex,
  '2026-12-05T0400-upload-kinds': uploadKinds,
  '2026-12-05T0500-cart-action-resends': cartActionResends,
  '2026-12-05T0510-cart-action-async-request': cartActionAsyncRequest,
  '2026-12-06T0300-cart-api-hosts': cartApiHosts,
  '2026-12-06T0400-tracking-uploads-ledger': trackingUploadsLedger,
};

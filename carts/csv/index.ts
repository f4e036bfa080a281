// The CSV cart: order exports dropped into a folder (see README.md for the layouts and settings).
import { z } from 'zod';
import { apiEndpoint, type CartModule } from '../contract.js';
import { ORDER_STATUSES as YAHOO_STATUSES } from '../yahoo/constants.js';
import { createCsvActions, csvShipmentSettingsSchema } from './actions.js';
import { type CsvCredentials, createCsvAdapter } from './client.js';
import { EC_CUBE_STATUSES, NO_STATUS, PREPAID_METHODS, RAKUTEN_STATUSES } from './codes.js';
import { normalizeCsv } from './normalize.js';
import { csvSettingsSchema, parseOrderFile } from './parse.js';

export {
  appendShipmentRows,
  CsvShipmentActions,
  createCsvActions,
  csvShipmentSettingsSchema,
  shipmentLayoutOf,
} from './actions.js';
export type { CsvCredentials } from './client.js';
export { CsvInboxAdapter, createCsvAdapter, FAILED_DIR, PROCESSED_DIR } from './client.js';
export { CsvFormatError } from './format-error.js';
export { CSV_FIELDS, CSV_PRESETS, type CsvField, type CsvLayout, type CsvPreset } from './layouts.js';
export { normalizeCsv } from './normalize.js';
export {
  type CsvOrderPayload,
  type CsvSettings,
  type CsvSettingsInput,
  csvSettingsSchema,
  type ParsedOrderFile,
  parseOrderFile,
} from './parse.js';

// Nothing to authenticate: a store may have no credentials stored at all.
const credentialsSchema: z.ZodType<CsvCredentials> = z
  .union([z.object({}), z.null(), z.undefined()])
  .transform(() => ({}) as CsvCredentials);

export const csvCart: CartModule<CsvCredentials> = {
  cart: 'csv',
  // No server and no credentials: the base URL, when given, is the inbox folder.
  apiHosts: [],
  endpoints: (baseUrl) => [
    { ...apiEndpoint(baseUrl, []), label: '受信フォルダー（ベース URL）', file: true },
  ],
  credentialsSchema,
  settingsSchemas: [csvSettingsSchema, csvShipmentSettingsSchema],
  demoCredentials: {},
  // There is no server: this is the default inbox folder when settings.inboxDir is not given.
  defaultBaseUrl: 'file:///var/lib/juchu/csv-inbox',
  cartStatuses: [
    ...RAKUTEN_STATUSES.map((s) => ({ code: s, label: `${s}（楽天）` })),
    ...EC_CUBE_STATUSES.map((s) => ({ code: s.name, label: `${s.name}（EC-CUBE）` })),
    ...YAHOO_STATUSES.map((s) => ({ code: s.code, label: `${s.code} ${s.label}（Yahoo!）` })),
    { code: NO_STATUS, label: 'ステータス列なし / no status column' },
  ],
  // Orders still to ship: not cancelled, not shipped (Rakuten 600/700 come after shipping), not an
  // EC-CUBE checkout that never completed (購入処理中, 決済処理中).
  defaultImportStatuses: [
    '注文確認待ち',
    '楽天処理中',
    '発送待ち',
    '変更確定待ち',
    '新規受付',
    '対応中',
    '入金済み',
    '1',
    '2',
    '3',
    NO_STATUS,
  ],
  defaultPrepaidMethods: PREPAID_METHODS,
  createAdapter: createCsvAdapter,
  // No API: shipments become rows of the cart's upload file in the store's outbox folder.
  createActions: createCsvActions,
  normalize: normalizeCsv,
  rawOrdersFromRecorded(body, extra) {
    // The contract gives no file name; messages say "file: 列がありません: …".
    return parseOrderFile(body, extra?.settings ?? {}, 'file').orders;
  },
};
export {
  renderShipmentFile,
  SHIPMENT_LAYOUT_LABELS,
  SHIPMENT_LAYOUTS,
  type ShipmentLayout,
  shipmentRows,
} from './shipment-export.js';

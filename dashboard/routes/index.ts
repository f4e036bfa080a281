// The JSON API, one file per resource. Each handler parses its input (zod), calls an operation or a
// read model, and answers with the view the screens read; refusals are thrown (http.ts maps them).
import type { RouteTable } from '../http.js';
import { registerCarrierRoutes } from './carriers.js';
import { registerCartActionRoutes } from './cart-actions.js';
import type { RouteDeps } from './deps.js';
import { registerDocumentRoutes } from './documents.js';
import { registerImportRoutes } from './imports.js';
import { registerLabelRoutes } from './labels.js';
import { registerMappingRoutes } from './mappings.js';
import { registerOrderRoutes } from './orders.js';
import { registerProductRoutes } from './products.js';
import { registerRejectRoutes } from './rejects.js';
import { registerReleaseRoutes } from './release.js';
import { registerSalesRoutes } from './sales.js';
import { registerSetRoutes } from './sets.js';
import { registerShippingRoutes } from './shipping.js';
import { registerStatusRoutes } from './statuses.js';
import { registerStockRoutes } from './stock.js';
import { registerStockPushRoutes } from './stock-push.js';
import { registerStoreRoutes } from './stores.js';
import { registerUploadRoutes } from './uploads.js';
import { registerUserRoutes } from './users.js';
import { registerWarehouseRoutes } from './warehouses.js';

export type { RouteDeps } from './deps.js';

export function registerApiRoutes(routes: RouteTable, deps: RouteDeps): void {
  registerOrderRoutes(routes, deps);
  registerCartActionRoutes(routes, deps);
  registerReleaseRoutes(routes, deps);
  registerStockRoutes(routes, deps);
  registerStockPushRoutes(routes, deps);
  registerWarehouseRoutes(routes, deps);
  registerShippingRoutes(routes, deps);
  registerStoreRoutes(routes, deps);
  registerImportRoutes(routes, deps);
  registerRejectRoutes(routes, deps);
  registerProductRoutes(routes, deps);
  registerMappingRoutes(routes, deps);
  registerStatusRoutes(routes, deps);
  registerUserRoutes(routes, deps);
  registerLabelRoutes(routes, deps);
  registerCarrierRoutes(routes, deps);
  registerSetRoutes(routes, deps);
  registerUploadRoutes(routes, deps);
  registerDocumentRoutes(routes, deps);
  registerSalesRoutes(routes, deps);
}

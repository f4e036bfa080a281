// 帳票: the picking list and the 納品書 of a shipping batch, and one order's 納品書, as PDF downloads
// (usecases/print-documents.ts; the same batch gives the same bytes). 納品書 carry customers' names
// and addresses: operators and admins only.

import type { Response } from 'express';
import {
  type PrintedDocument,
  printBatchDeliveryNotes,
  printDeliveryNote,
  printPickingList,
} from '../../usecases/print-documents.js';
import { idParam, parse, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

function sendPdf(res: Response, d: PrintedDocument): void {
  res
    .set('content-type', 'application/pdf')
    .set('content-disposition', `attachment; filename="${d.fileName}"`)
    .set('x-document-orders', String(d.orders))
    .set('x-document-skipped', encodeURIComponent(JSON.stringify(d.skipped)))
    .send(d.bytes);
}

export function registerDocumentRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/shipping/batches/:id/picking.pdf', 'operator', async (req, res) => {
    sendPdf(res, await printPickingList(ops, { batchId: parse(idParam, req.params.id) }));
  });

  routes.add('get', '/api/shipping/batches/:id/delivery-notes.pdf', 'operator', async (req, res) => {
    sendPdf(res, await printBatchDeliveryNotes(ops, { batchId: parse(idParam, req.params.id) }));
  });

  routes.add('get', '/api/orders/:id/delivery-note.pdf', 'operator', async (req, res) => {
    sendPdf(res, await printDeliveryNote(ops, { orderId: parse(idParam, req.params.id) }));
  });
}

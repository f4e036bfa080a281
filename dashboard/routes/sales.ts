// 売上: per store and day the totals of the sales records (sales, discounts, points, returns; per
// tax rate), the records of a period, the daily sales CSV for accounting (UTF-8 with BOM or
// Shift_JIS), an order's records with what is left to return, and 返品 (usecases/record-return.ts).
// Sales figures are for operators and admins.
import { z } from 'zod';
import { loadDocumentOrders } from '../../db/order-documents.js';
import { findOrderId } from '../../db/order-list.js';
import { listSalesRecords, orderSalesRecords } from '../../db/sales.js';
import { lineAmount, rateOf } from '../../domain/invoice.js';
import { returnedQuantities, SALES_KIND_LABELS } from '../../domain/sales.js';
import { jstDate } from '../../domain/time.js';
import { dailySalesOf, exportSales, salesFilter } from '../../usecases/export-sales.js';
import { recordReturn } from '../../usecases/record-return.js';
import { actorOf } from '../auth.js';
import { idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

const period = z.object({
  store: z.string().max(64).optional(),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  encoding: z.enum(['utf8', 'sjis'], { message: '文字コードは utf8 か sjis です' }).optional(),
});

/** The period asked for; by default this month (JST) up to today. */
function periodOf(q: Record<string, string>) {
  const p = parse(period, q);
  const today = jstDate(new Date());
  return {
    store: p.store || undefined,
    from: p.from || `${today.slice(0, 8)}01`,
    to: p.to || today,
    encoding: p.encoding ?? ('utf8' as const),
  };
}

export function registerSalesRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/sales/daily', 'operator', async (req) => {
    const p = periodOf(queryOf(req));
    const days = await dailySalesOf(ops, p);
    const sum = (k: keyof (typeof days)[number]) => days.reduce((s, d) => s + Number(d[k]), 0);
    return {
      period: { store: p.store ?? null, from: p.from, to: p.to },
      days,
      totals: {
        orders: sum('orders'),
        sale: sum('sale'),
        discount: sum('discount'),
        points: sum('points'),
        returns: sum('returns'),
        amount10: sum('amount10'),
        tax10: sum('tax10'),
        amount8: sum('amount8'),
        tax8: sum('tax8'),
        amount0: sum('amount0'),
        total: sum('total'),
      },
    };
  });

  routes.add('get', '/api/sales/records', 'operator', async (req) => {
    const p = periodOf(queryOf(req));
    const records = await listSalesRecords(db, await salesFilter(ops, p), 500);
    return { records: records.map((r) => ({ ...r, kindLabel: SALES_KIND_LABELS[r.kind] })) };
  });

  routes.add('get', '/api/sales/export', 'operator', async (req, res) => {
    const f = await exportSales(ops, periodOf(queryOf(req)));
    res
      .set('content-type', `text/csv; charset=${f.fileName.includes('-sjis') ? 'Shift_JIS' : 'UTF-8'}`)
      .set('content-disposition', `attachment; filename="${f.fileName}"`)
      .send(f.bytes);
  });

  // An order by 受注No: its lines with what is left to return, and its records.
  routes.add('get', '/api/sales/orders/:orderNo', 'operator', async (req) => {
    const no = parse(idParam, req.params.orderNo);
    const id = await findOrderId(db, { orderNo: no });
    const [o] = id ? await loadDocumentOrders(db, [id]) : [];
    if (!o) throw notFound(`受注No ${String(no).padStart(8, '0')} の注文はありません`);
    const records = await orderSalesRecords(db, o.id);
    const returned = returnedQuantities(records.filter((r) => r.kind === 'return'));
    return {
      order: { id: o.id, orderNo: o.orderNo, cartOrderNo: o.cartOrderNo, shippedOn: o.shippedOn },
      sold: records.some((r) => r.kind === 'sale'),
      lines: o.lines.map((l) => ({
        id: l.id,
        lineNo: l.lineNo,
        name: l.name,
        quantity: l.quantity,
        rate: rateOf(l.rate),
        amount: lineAmount(l),
        returnable: l.quantity - (returned.get(l.id) ?? 0),
      })),
      records: records.map((r) => ({ ...r, kindLabel: SALES_KIND_LABELS[r.kind] })),
    };
  });

  routes.add('post', '/api/sales/returns', 'operator', async (req, res) => {
    const b = parse(
      z.object({
        orderId: z.number().int().positive(),
        lines: z
          .array(
            z.object({ lineId: z.number().int().positive(), quantity: z.number().int().min(1).max(99999) }),
          )
          .min(1, { message: '返品する明細と数量を選んでください' })
          .max(500),
        reason: z.string().max(200).nullable().optional(),
      }),
      req.body,
    );
    return recordReturn(ops, { ...b, actor: actorOf(res) });
  });
}

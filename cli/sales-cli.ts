// 売上 from the command line: the per-store, per-day totals (or every record) of a period, the daily
// sales CSV for accounting (UTF-8 with BOM, or Shift_JIS), and 返品 of some lines of a shipped order.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadDocumentOrders } from '../db/order-documents.js';
import { listSalesRecords } from '../db/sales.js';
import { yen } from '../domain/invoice.js';
import { SALES_KIND_LABELS } from '../domain/sales.js';
import { jstDate } from '../domain/time.js';
import { depsOf } from '../usecases/deps.js';
import { dailySalesOf, exportSales, type SalesEncoding, salesFilter } from '../usecases/export-sales.js';
import { recordReturn } from '../usecases/record-return.js';
import { cliActor, orderIdOf } from './orders-cli.js';
import { fail, out, refused, withDb } from './runtime.js';

interface PeriodOpts {
  store?: string;
  from?: string;
  to?: string;
}

/** --from/--to, by default this month (JST) up to today. */
function periodOf(o: PeriodOpts) {
  const today = jstDate(new Date());
  return { store: o.store, from: o.from ?? `${today.slice(0, 8)}01`, to: o.to ?? today };
}

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').filter(Boolean)];

function withPeriod(c: Command): Command {
  return c
    .option('--store <code>', 'only this store')
    .option('--from <YYYY-MM-DD>', 'first day (default: the 1st of this month, JST)')
    .option('--to <YYYY-MM-DD>', 'last day (default: today, JST)');
}

export function registerSalesCommands(program: Command): void {
  const sales = program
    .command('sales')
    .description('売上: sales records per shipped order, discounts, points and returns; the daily CSV');

  withPeriod(sales.command('list'))
    .description(
      'Per store and day: sales, discounts, points, returns and per-rate totals (--records: each record)',
    )
    .option('--records', 'every record instead of the daily totals')
    .action(async (o: PeriodOpts & { records?: boolean }) =>
      withDb(async ({ db }) => {
        const ops = depsOf(db);
        const p = periodOf(o);
        if (o.records) {
          const rows = await listSalesRecords(db, await salesFilter(ops, p).catch(refused), 5000);
          for (const r of rows)
            out(
              `${r.salesDate}  ${r.storeCode}  ${r.orderNo}  ${SALES_KIND_LABELS[r.kind]}${r.kind === 'return' ? r.seq : ''}  10%: ${yen(r.amount10)} (税 ${yen(r.tax10)})  8%: ${yen(r.amount8)} (税 ${yen(r.tax8)})  計 ${yen(r.total)}${r.reason ? `  ${r.reason}` : ''}`,
            );
          out(`${rows.length} records`);
          return;
        }
        const days = await dailySalesOf(ops, p).catch(refused);
        for (const d of days)
          out(
            `${d.date}  ${d.storeCode}  ${d.orders}件  売上 ${yen(d.sale)}  値引 ${yen(d.discount)}  ポイント ${yen(d.points)}  返品 ${yen(d.returns)}  10%: ${yen(d.amount10)} (税 ${yen(d.tax10)})  8%: ${yen(d.amount8)} (税 ${yen(d.tax8)})  純売上 ${yen(d.total)}`,
          );
        out(`${days.length} days (${p.from} – ${p.to})`);
      }),
    );

  withPeriod(sales.command('export'))
    .description('Write the daily sales CSV (a header row, one row per store and day, per-rate columns)')
    .option('--encoding <enc>', 'utf8 (with BOM) | sjis', 'utf8')
    .option('--out <file>', 'where to write it (default: its own name in this folder; - for stdout)')
    .action(async (o: PeriodOpts & { encoding: string; out?: string }) =>
      withDb(async ({ db }) => {
        if (o.encoding !== 'utf8' && o.encoding !== 'sjis')
          fail(`--encoding must be utf8 or sjis (got "${o.encoding}")`);
        const f = await exportSales(depsOf(db), {
          ...periodOf(o),
          encoding: o.encoding as SalesEncoding,
        }).catch(refused);
        if (o.out === '-') process.stdout.write(f.bytes);
        else await writeFile(o.out ?? f.fileName, f.bytes);
        process.stderr.write(
          `${o.out && o.out !== '-' ? o.out : o.out === '-' ? 'stdout' : f.fileName}: ${f.days} rows\n`,
        );
      }),
    );

  sales
    .command('return')
    .description('Book a 返品 of some lines of a shipped order (a negative sales record, dated today)')
    .requiredOption('--order <ref>', '受注No or store:cartOrderNo')
    .option('--line <no:qty...>', 'line number and quantity returned, e.g. 1:2 (repeatable)', collect, [])
    .option('--reason <text>', 'why (shown on the 売上 screen)')
    .action(async (o: { order: string; line: string[]; reason?: string }) =>
      withDb(async ({ db }) => {
        if (!o.line.length) fail('give at least one --line <line number>:<quantity>');
        const orderId = await orderIdOf(db, o.order);
        const [order] = await loadDocumentOrders(db, [orderId]);
        const lines = order?.lines ?? [];
        const take = o.line.map((spec) => {
          const m = /^(\d+):(\d+)$/.exec(spec);
          if (!m) fail(`--line must be <line number>:<quantity> (got "${spec}")`);
          const line = lines.find((l) => l.lineNo === Number(m[1]));
          if (!line) fail(`order ${o.order} has no line ${m[1]}`);
          return { lineId: line.id, quantity: Number(m[2]) };
        });
        const r = await recordReturn(depsOf(db), {
          orderId,
          lines: take,
          reason: o.reason,
          actor: cliActor(),
        }).catch(refused);
        out(
          `返品${r.seq} of ${r.orderNo} on ${r.salesDate}: ${yen(r.record.total)} (10%: 税 ${yen(r.record.tax[10])}, 8%: 税 ${yen(r.record.tax[8])})`,
        );
      }),
    );
}

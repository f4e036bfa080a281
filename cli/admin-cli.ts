// Admin commands: stores, imports (now / one order / reconcile), failed jobs, mappings, users
// (statuses: statuses-cli.ts).

import { hostname } from 'node:os';
import { type Job, type Queue, QueueEvents } from 'bullmq';
import type { Command } from 'commander';
import { cartModule } from '../carts/registry.js';
import { listAddedApiHosts } from '../db/cart-api-hosts.js';
import { listImportRuns } from '../db/import-runs.js';
import { getStore, listStores } from '../db/stores.js';
import { cronInWords } from '../domain/cron-words.js';
import { credentialProblemInWords } from '../domain/import-skip.js';
import { CARTS } from '../domain/order.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { logger } from '../infra/logger.js';
import { createWorkerConnection } from '../infra/redis.js';
import { jobIds, QUEUES, type QueueKey } from '../jobs/catalogue.js';
import { applyMappingsCsv } from '../uploads/mappings-csv.js';
import { importOrderCsv } from '../uploads/order-file.js';
import { allowApiHost, disallowApiHost } from '../usecases/allow-api-host.js';
import { applyStores } from '../usecases/apply-stores.js';
import { saveMapping } from '../usecases/save-mapping.js';
import { setUser } from '../usecases/save-user.js';
import { cliActor } from './orders-cli.js';
import { fail, type Runtime, refused, withDb, withRuntime } from './runtime.js';
import { readStoresFile } from './stores-file.js';
import { uploadFromDisk } from './upload-file.js';

function ago(d: Date | null): string {
  if (!d) return '—';
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

/** Waits for a job to finish and prints its result (the import run's counts). */
async function waitFor(
  rt: Runtime,
  queue: QueueKey,
  jobId: string | undefined,
  timeoutMs = 10 * 60_000,
): Promise<void> {
  if (!jobId) fail('the job was not created');
  const connection = createWorkerConnection(rt.config, 'juchu-cli-wait');
  const events = new QueueEvents(QUEUES[queue].name, { connection, prefix: rt.config.QUEUE_PREFIX });
  try {
    await events.waitUntilReady();
    const q = rt.queues[queue];
    const job = await q.getJob(jobId);
    if (!job) fail(`job ${jobId} vanished`);
    process.stdout.write(`waiting for job ${jobId}…\n`);
    const result = await (job as Job).waitUntilFinished(events, timeoutMs);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    fail(`job ${jobId} failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await events.close();
    connection.disconnect();
  }
}

export function registerAdminCommands(program: Command): void {
  const stores = program.command('stores').description('Stores (EC店舗): apply from a file, list');
  stores
    .command('apply <file>')
    .description(
      'Create or update stores from a YAML/JSON file (credentials from named environment variables)',
    )
    .option(
      '--change-cart',
      'let an entry move an existing store to another cart (its credentials are dropped)',
    )
    .action(async (file: string, o: { changeCart?: boolean }) =>
      withDb(async ({ db, config }) => {
        const inputs = await readStoresFile(file).catch((e: Error) => fail(e.message));
        const deps = { db, key: config.JUCHU_SECRET_KEY };
        // The whole file or nothing: every entry is checked, then all are saved in one transaction.
        const results = await applyStores(
          deps,
          inputs.map((s) => ({ ...s, changeCart: o.changeCart === true })),
        ).catch((e: unknown) => (isRuleRefusal(e) ? fail(`${file}: ${e.message}`) : Promise.reject(e)));
        for (const r of results) {
          const saved = r.store;
          process.stdout.write(
            `✓ ${saved.code} (${saved.cart}) ${saved.enabled ? 'enabled' : 'disabled'}  cron "${saved.importCron}"${saved.testStore ? '  test store' : ''}${r.credentialsUpdated ? '  credentials updated' : ''}\n`,
          );
          if (r.cartChanged) process.stdout.write(`  ⚠ cart ${r.cartChanged.from} → ${r.cartChanged.to}\n`);
          if (r.credentialsDropped) process.stdout.write(`  ⚠ ${r.credentialsDropped}\n`);
        }
      }),
    );
  stores
    .command('allow-host <cart> <host>')
    .description(
      "Let a cart's stores send their credentials to one more API host (makeshop's next-generation endpoint from its e-mail)",
    )
    .requiredOption('--source <text>', 'where the host comes from (the e-mail and its date), kept beside it')
    .action(async (cart: string, host: string, o: { source: string }) =>
      withDb(async ({ db }) => {
        const r = await allowApiHost({ db }, { cart, host, source: o.source, actor: cliActor() }).catch(
          (e: unknown) => (isRuleRefusal(e) ? fail(e.message) : Promise.reject(e)),
        );
        process.stdout.write(
          r.alreadyPublished
            ? `${r.host} is already one of ${r.cart}'s published hosts: nothing added\n`
            : `✓ ${r.cart}: ${r.host} allowed (added hosts: ${r.added.join(', ')})\n`,
        );
      }),
    );
  stores
    .command('disallow-host <cart> <host>')
    .description('Take back a host added with allow-host (stores using it are refused at their next import)')
    .action(async (cart: string, host: string) =>
      withDb(async ({ db }) => {
        const r = await disallowApiHost({ db }, { cart, host }).catch((e: unknown) =>
          isRuleRefusal(e) ? fail(e.message) : Promise.reject(e),
        );
        if (!r.removed) fail(`${host} was not an added host of ${cart}`);
        process.stdout.write(`✓ ${cart}: ${host} no longer allowed\n`);
      }),
    );
  stores
    .command('hosts')
    .description("Where each cart's credentials may go: the published hosts and those added with allow-host")
    .action(async () =>
      withDb(async ({ db }) => {
        const added = await listAddedApiHosts(db);
        for (const cart of CARTS.filter((c) => c !== 'csv')) {
          process.stdout.write(`${cart.padEnd(9)} ${cartModule(cart).apiHosts.join(', ') || '—'}\n`);
          for (const a of added.filter((x) => x.cart === cart))
            process.stdout.write(
              `${''.padEnd(9)} + ${a.host}  (${a.source}; ${a.addedBy}, ${a.addedAt.toISOString().slice(0, 10)})\n`,
            );
        }
      }),
    );
  stores
    .command('list')
    .description('Stores with their schedule, last import and lag')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const all = await listStores(db);
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify(
              all.map(({ settings, ...s }) => ({ ...s, settings })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        for (const s of all) {
          const lag = s.importCursor ? `${Math.round((Date.now() - s.importCursor.getTime()) / 1000)}s` : '—';
          const words = cronInWords(s.importCron);
          const schedule = `cron "${s.importCron}"${words ? ` (${words})` : ''}`;
          // The cart's technical line beside the words, unless it is juchu's own Japanese already.
          const problem = credentialProblemInWords(s.credentialError);
          const credentials =
            s.credentialState !== 'needs_credentials'
              ? ''
              : `  ⚠ 要再登録: ${problem}${s.credentialError && s.credentialError !== problem ? ` [${s.credentialError}]` : ''}`;
          process.stdout.write(
            `${s.code.padEnd(16)} ${s.cart.padEnd(9)} ${s.enabled ? 'on ' : 'off'} ${schedule}  last import ${ago(s.lastImportAt)} (${s.lastImportOutcome ?? '—'})  lag ${lag}${s.testStore ? '  test store' : ''}${credentials}\n`,
          );
        }
      }),
    );

  program
    .command('import')
    .description("Import a store's changed orders now")
    .requiredOption('--store <code>', 'store code')
    .option('--wait', 'wait for the import and print its counts')
    .action(async (o: { store: string; wait?: boolean }) =>
      withRuntime(async (rt) => {
        await getStore(rt.db, o.store).catch((e: Error) => fail(e.message));
        const id = await rt.queues.add(
          'import-store',
          { storeCode: o.store, trigger: 'manual', requestedBy: cliActor() },
          { deduplication: { id: jobIds.importDedup(o.store), keepLastIfActive: true } },
        );
        process.stdout.write(`import of ${o.store} enqueued (job ${id})\n`);
        if (o.wait) await waitFor(rt, 'import', id);
      }),
    );

  program
    .command('import-file <file>')
    .description(
      "A CSV store's order file of any size, imported now as one upload (progress as it goes; the same " +
        'file again imports nothing); exits 1 when orders were refused (they wait in 取込エラー)',
    )
    .requiredOption('--store <code>', 'the CSV store')
    .action(async (file: string, o: { store: string }) =>
      withDb(async ({ db, config }) => {
        const store = await getStore(db, o.store).catch((e: Error) => fail(e.message));
        if (store.cart !== 'csv') fail(`${store.name} は CSV 店舗ではありません`);
        await uploadFromDisk(file, (src, onProgress) =>
          importOrderCsv(
            { db, config, now: () => new Date(), log: logger, processId: `cli-${hostname()}-${process.pid}` },
            store,
            src,
            cliActor(),
            { file: src.name, onProgress },
          ),
        );
      }),
    );

  program
    .command('reimport')
    .description('Re-import one order by cart order number (also brings back a deleted order)')
    .requiredOption('--store <code>', 'store code')
    .requiredOption('--order <cartOrderNo>', 'the cart order number (注文No)')
    .option('--no-wait', 'do not wait for the result')
    .action(async (o: { store: string; order: string; wait: boolean }) =>
      withRuntime(async (rt) => {
        await getStore(rt.db, o.store).catch((e: Error) => fail(e.message));
        const id = await rt.queues.add('reimport-order', {
          storeCode: o.store,
          cartOrderNo: o.order,
          requestedBy: cliActor(),
        });
        process.stdout.write(`re-import of ${o.store} ${o.order} enqueued (job ${id})\n`);
        if (o.wait) await waitFor(rt, 'import', id);
      }),
    );

  program
    .command('reconcile')
    .description('Missed-order backstop: re-list one JST day (default yesterday) and import what is missing')
    .requiredOption('--store <code>', 'store code')
    .option('--day <YYYY-MM-DD>', 'the day (JST)')
    .option('--no-wait', 'do not wait for the result')
    .action(async (o: { store: string; day?: string; wait: boolean }) =>
      withRuntime(async (rt) => {
        await getStore(rt.db, o.store).catch((e: Error) => fail(e.message));
        const id = await rt.queues.add('reconcile-store', { storeCode: o.store, day: o.day });
        process.stdout.write(
          `reconcile of ${o.store} (${o.day ?? 'yesterday, JST'}) enqueued (job ${id})${o.wait ? '' : '; not waiting (--no-wait)'}\n`,
        );
        if (o.wait) await waitFor(rt, 'import', id);
      }),
    );

  program
    .command('retry')
    .description('Retry failed jobs (all failed jobs of a queue, or one job)')
    .option('--queue <name>', `queue key: ${Object.keys(QUEUES).join(', ')}`, 'import')
    .option('--job <id>', 'one job id')
    .option('--list', 'only list the failed jobs')
    .action(async (o: { queue: string; job?: string; list?: boolean }) =>
      withRuntime(async (rt) => {
        if (!(o.queue in QUEUES)) fail(`unknown queue "${o.queue}" (${Object.keys(QUEUES).join(', ')})`);
        const q: Queue = rt.queues[o.queue as QueueKey];
        const failed = o.job
          ? [await q.getJob(o.job)].filter((j): j is Job => !!j)
          : await q.getFailed(0, 999);
        if (o.job && failed.length === 0) fail(`no job ${o.job} in ${QUEUES[o.queue as QueueKey].name}`);
        for (const j of failed) {
          process.stdout.write(
            `${j.id}  ${j.name}  ${JSON.stringify(j.data)}  attempts ${j.attemptsMade}  ${j.failedReason ?? ''}\n`,
          );
          if (o.list) continue;
          await j.retry('failed');
          process.stdout.write('  → retried\n');
        }
        if (!failed.length) process.stdout.write('no failed jobs\n');
      }),
    );

  const mappings = program.command('mappings').description('Store product mapping (EC店舗別商品マスタ)');
  mappings
    .command('add')
    .description('Map a cart product code (and option) to a product; orders waiting on it are re-checked')
    .requiredOption('--store <code>', 'store code')
    .requiredOption('--cart-code <code>', "the store's product code")
    .option('--option <code>', 'option / variant code (default: any)')
    .requiredOption('--product <code>', 'our product code')
    .option('--units <n>', 'units of the product per cart unit (sets)', '1')
    .action(async (o: { store: string; cartCode: string; option?: string; product: string; units: string }) =>
      withRuntime(async (rt) => {
        const units = Number(o.units);
        if (!/^\d+$/.test(o.units) || !Number.isSafeInteger(units) || units < 1)
          fail(`--units must be a whole number of 1 or more (got "${o.units}")`);
        const store = await getStore(rt.db, o.store).catch((e: Error) => fail(e.message));
        // The one operation every front end uses: the write, then the re-check of the orders
        // waiting in マスタなし商品 on this cart code (job recheck-mapping).
        const r = await saveMapping(rt, {
          storeCode: store.code,
          mapping: {
            storeId: store.id,
            cartProductCode: o.cartCode,
            cartOptionCode: o.option ?? null,
            productCode: o.product,
            unitsPerCartUnit: units,
          },
          actor: cliActor(),
        }).catch(refused);
        process.stdout.write(
          `✓ ${o.store} ${o.cartCode}${o.option ? ` (${o.option})` : ''} → ${o.product} ×${units}; ${r.jobId ? `re-check of the waiting orders enqueued (job ${r.jobId})` : 're-check of the waiting orders already queued'}\n`,
        );
      }),
    );

  mappings
    .command('upload <file>')
    .description(
      'Mappings from a CSV of any size (columns: 店舗コード, カート商品コード, オプション, 商品コード, 入数); ' +
        'the same file again changes nothing; exits 1 when rows were refused',
    )
    .action(async (file: string) =>
      withRuntime((rt) =>
        uploadFromDisk(file, (src, onProgress) =>
          applyMappingsCsv(rt, src, cliActor(), src.name, { onProgress }),
        ),
      ),
    );

  program
    .command('users')
    .description('Add or update a dashboard user (password from $JUCHU_NEW_PASSWORD)')
    .requiredOption('--login <login>', 'login name')
    .requiredOption('--role <role>', 'viewer, operator or admin')
    .option('--name <name>', 'display name')
    .action(async (o: { login: string; role: string; name?: string }) =>
      withDb(async ({ db, config }) => {
        const password = process.env.JUCHU_NEW_PASSWORD;
        if (!password) fail('set JUCHU_NEW_PASSWORD to the new password (kept out of shell history and ps)');
        if (!['viewer', 'operator', 'admin'].includes(o.role)) fail('role must be viewer, operator or admin');
        await setUser(
          { db },
          {
            login: o.login,
            displayName: o.name ?? o.login,
            role: o.role as never,
            password,
          },
          { production: config.NODE_ENV === 'production' },
        ).catch((e: Error) => fail(e.message));
        process.stdout.write(`✓ user ${o.login} (${o.role})\n`);
      }),
    );

  program
    .command('runs')
    .description('Recent import runs (取込履歴) with their counts, errors and notices (注記)')
    .option('--store <code>', 'only this store')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { store?: string; limit: string }) =>
      withDb(async ({ db }) => {
        const runs = await listImportRuns(db, { store: o.store, size: Number(o.limit) });
        for (const r of runs.items) {
          const c = r.counts;
          process.stdout.write(
            `#${r.id} ${r.store.padEnd(16)} ${r.trigger.padEnd(9)} ${r.outcome.padEnd(9)} fetched ${c.fetched} new ${c.new} updated ${c.updated} unchanged ${c.unchanged} rejected ${c.rejected} skipped ${c.skipped}${c.missingFound !== null ? ` missing ${c.missingFound}` : ''} ${r.durationMs ?? '—'}ms${r.error ? `  ${r.error}` : r.skipReason ? `  ${r.skipReason}` : ''}\n${r.notice ? `    注記: ${r.notice}\n` : ''}`,
          );
        }
      }),
    );
}

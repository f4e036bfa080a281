// 倉庫 commands: juchu warehouses list, and the writes — add, edit (name, priority), disable /
// enable, and which warehouses a store ships from — all through usecases/save-warehouse.ts.
import type { Command } from 'commander';
import { listWarehouses } from '../db/warehouses.js';
import { depsOf } from '../usecases/deps.js';
import {
  assignStoreWarehouses,
  createWarehouse,
  editWarehouse,
  setWarehouseEnabled,
} from '../usecases/save-warehouse.js';
import { fail, refused, out as say, withDb } from './runtime.js';

function integer(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) fail(`${name} must be a whole number, got "${v}"`);
  return n;
}

export function registerWarehouseCommands(program: Command): void {
  const warehouses = program.command('warehouses').description('Warehouses (倉庫)');
  warehouses
    .command('list')
    .description('Warehouses in the order stock is taken from them (priority)')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const all = await listWarehouses(db);
        if (o.json) {
          say(JSON.stringify(all, null, 2));
          return;
        }
        for (const w of all)
          say(
            `${w.code.padEnd(12)} priority ${String(w.priority).padStart(3)}  ${w.enabled ? 'enabled ' : 'disabled'}  ${w.name}`,
          );
        if (all.length === 0) say('no warehouses');
      }),
    );
  warehouses
    .command('add')
    .description('A new warehouse; stock is taken from the lowest priority number first')
    .requiredOption('--code <code>', 'warehouse code (letters, digits, - and _)')
    .requiredOption('--name <name>', 'name shown on the screens')
    .requiredOption('--priority <n>', 'priority (0–9999, lower first)')
    .option('--disabled', 'create it disabled (停止中)')
    .action(async (o: { code: string; name: string; priority: string; disabled?: boolean }) =>
      withDb(async ({ db }) => {
        const w = await createWarehouse(depsOf(db), {
          code: o.code,
          name: o.name,
          priority: integer('--priority', o.priority),
          enabled: !o.disabled,
        }).catch(refused);
        say(`✓ ${w.code} ${w.name}: priority ${w.priority}${w.enabled ? '' : ' (disabled)'}`);
      }),
    );
  warehouses
    .command('edit <code>')
    .description("Change a warehouse's name or priority")
    .option('--name <name>', 'new name')
    .option('--priority <n>', 'new priority (0–9999, lower first)')
    .action(async (code: string, o: { name?: string; priority?: string }) =>
      withDb(async ({ db }) => {
        if (o.name === undefined && o.priority === undefined) fail('give --name or --priority');
        const w = await editWarehouse(depsOf(db), {
          code,
          name: o.name,
          priority: o.priority === undefined ? undefined : integer('--priority', o.priority),
        }).catch(refused);
        say(`✓ ${w.code} ${w.name}: priority ${w.priority}`);
      }),
    );
  for (const [name, enabled, what] of [
    ['disable', false, 'Stop new reservations from a warehouse (what it holds stays held and ships)'],
    ['enable', true, 'Take reservations from a warehouse again; its free stock goes to waiting orders'],
  ] as const)
    warehouses
      .command(`${name} <code>`)
      .description(what)
      .action(async (code: string) =>
        withDb(async ({ db }) => {
          const r = await setWarehouseEnabled(depsOf(db), { code, enabled }).catch(refused);
          say(`✓ ${r.message}`);
        }),
      );
  warehouses
    .command('assign <store> [warehouses...]')
    .description('Which warehouses a store ships from (none given, or --all: every enabled warehouse)')
    .option('--all', 'ship from every enabled warehouse')
    .action(async (store: string, codes: string[], o: { all?: boolean }) =>
      withDb(async ({ db }) => {
        if (!o.all && codes.length === 0) fail('name the warehouses, or --all for every enabled warehouse');
        const r = await assignStoreWarehouses(depsOf(db), {
          storeCode: store,
          warehouses: o.all ? [] : codes,
        }).catch(refused);
        say(`✓ ${r.message}`);
      }),
    );
}

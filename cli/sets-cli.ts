// セット商品 commands: juchu sets list, show, define, clear — through usecases/save-product-set.ts,
// as the dashboard's セット商品 screen and the admin API (/api/sets) are. A set and its components
// are products of the master; the free sets are the minimum over the components of free ÷ quantity.
import type { Command } from 'commander';
import { listSets, type SetView } from '../db/product-sets.js';
import { depsOf } from '../usecases/deps.js';
import { clearProductSet, setProductComponents } from '../usecases/save-product-set.js';
import { fail, out, refused, withDb } from './runtime.js';

function setLine(s: SetView): string {
  const parts = s.components.map((c) => `${c.productCode}×${c.quantity} (free ${c.free})`).join(', ');
  return `${s.code.padEnd(16)} ${String(s.freeSets).padStart(5)} sets free  ${parts}  open lines ${s.openLines}${s.waitingSets ? `, ${s.waitingSets} sets waiting` : ''}${s.active ? '' : '  [inactive]'}  ${s.name}`;
}

/** `CUP:2`, `CUP=2`, `CUP*2` or `CUP` (one) → a component. */
export function componentOf(arg: string): { productCode: string; quantity: number } {
  const m = /^([^:=*×]+)(?:[:=*×](\d+))?$/.exec(arg.trim());
  if (!m) fail(`"${arg}" is not a component: write CODE:QUANTITY (e.g. CUP:2)`);
  const quantity = m[2] === undefined ? 1 : Number(m[2]);
  return { productCode: m[1]!.trim(), quantity };
}

export function registerSetCommands(program: Command): void {
  const sets = program
    .command('sets')
    .description('セット商品: products made of components × quantities (list, show, define, clear)');
  sets
    .command('list')
    .description('Every set with its components, their free stock and the sets it makes')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const all = await listSets(db);
        if (o.json) {
          out(JSON.stringify(all, null, 2));
          return;
        }
        for (const s of all) out(setLine(s));
        out(`${all.length} sets`);
      }),
    );
  sets
    .command('show <code>')
    .description('One set with its components (JSON)')
    .action(async (code: string) =>
      withDb(async ({ db }) => {
        const [s] = await listSets(db, { code });
        if (!s) fail(`${code} is not a set (juchu sets define ${code} CODE:QUANTITY …)`);
        out(JSON.stringify(s, null, 2));
      }),
    );
  sets
    .command('define <code> <components...>')
    .description(
      'Make a product of the master a set of these components (CODE:QUANTITY each, e.g. GIFT CUP:2 TEA:1); refused while unshipped orders use the set',
    )
    .action(async (code: string, components: string[]) =>
      withDb(async ({ db }) => {
        const r = await setProductComponents(depsOf(db), {
          setCode: code,
          components: components.map(componentOf),
        }).catch(refused);
        out(`✓ ${r.message}`);
        const [s] = await listSets(db, { code: r.setCode });
        if (s) out(`  ${setLine(s)}`);
      }),
    );
  sets
    .command('clear <code>')
    .description('Make a set a plain product again (refused while unshipped orders use it)')
    .action(async (code: string) =>
      withDb(async ({ db }) => {
        const r = await clearProductSet(depsOf(db), { setCode: code }).catch(refused);
        out(`✓ ${r.message}`);
      }),
    );
}

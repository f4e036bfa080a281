// Status commands: list the catalogue, rename a status, add a custom one (usecases/edit-statuses.ts).
import type { Command } from 'commander';
import { loadStatuses } from '../db/statuses.js';
import { addStatus, renameStatus } from '../usecases/edit-statuses.js';
import { fail, withDb } from './runtime.js';

export function registerStatusCommands(program: Command): void {
  const statuses = program.command('statuses').description('Statuses: list, rename, add');
  statuses
    .command('list')
    .description('Every status with its group and label')
    .action(async () =>
      withDb(async ({ db }) => {
        for (const s of (await loadStatuses(db)).all)
          process.stdout.write(
            `${s.group.padEnd(13)} ${s.code.padEnd(18)} ${s.label}${s.system ? '' : '  (custom)'}\n`,
          );
      }),
    );
  statuses
    .command('rename <code> <label>')
    .description('Rename a status (the rules stay with the code)')
    .action(async (code: string, label: string) =>
      withDb(async ({ db }) => {
        const s = await renameStatus({ db: db }, code, label).catch((e: Error) => fail(e.message));
        process.stdout.write(`✓ ${s.code} → ${s.label}\n`);
      }),
    );
  statuses
    .command('add <code> <group> <label>')
    .description('Add a custom status to a group (review, payment or fulfillment)')
    .action(async (code: string, group: string, label: string) =>
      withDb(async ({ db }) => {
        const s = await addStatus({ db: db }, { code, group: group as never, label }).catch((e: Error) =>
          fail(e.message),
        );
        process.stdout.write(`✓ ${s.group} ${s.code} ${s.label}\n`);
      }),
    );
}

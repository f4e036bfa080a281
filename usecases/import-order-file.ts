// Operation: an order file uploaded for a CSV store, imported like any import — under the store's
// import lease (so it never overlaps the store's scheduled import), with its own run row; the
// records that cannot be read come back with the result.
import type { CartAdapter, RawOrder } from '../carts/contract.js';
import { rejectsOfRun } from '../db/import-rejects.js';
import type { Store } from '../db/stores.js';
import { RuleRefusal } from '../domain/refusal.js';
import { type ImportDeps, runImport } from './run-import.js';

export async function importOrderFile(
  deps: ImportDeps,
  input: {
    store: Store;
    /** The file's orders in hand, or its pages read as a stream (a file of any size). */
    records?: readonly RawOrder[];
    pages?: AsyncIterable<readonly RawOrder[]>;
    normalizer: Pick<CartAdapter, 'normalize'>;
    actor: string;
  },
) {
  const r = await runImport(deps, {
    store: input.store,
    trigger: 'upload',
    source: input.pages
      ? { kind: 'pages', pages: input.pages, adapter: input.normalizer }
      : { kind: 'records', records: input.records ?? [], adapter: input.normalizer },
    actor: input.actor,
  });
  if (r.outcome === 'busy')
    throw new RuleRefusal(
      `${input.store.name} の取込が実行中です。終わってからもう一度アップロードしてください`,
      'import_running',
    );
  if (r.outcome !== 'succeeded') throw new Error(`upload import ended as ${r.outcome}`);
  return { runId: r.runId, counts: r.counts, rejects: await rejectsOfRun(deps.db, r.runId) };
}

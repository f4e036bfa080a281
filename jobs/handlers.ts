// Job name → processor. The mapped type makes a job without a handler a compile error.
import type { Job } from 'bullmq';
import { closeExpiredRuns } from '../db/import-runs.js';
import { compactStatusCounts } from '../db/status-counts.js';
import { processAllocateStock } from './allocate-stock.js';
import type { JobCatalogue, JobName } from './catalogue.js';
import { processDeliverCartAction } from './deliver-cart-action.js';
import type { JobDeps } from './deps.js';
import { processImportStore } from './import-store.js';
import { processPushStock } from './push-stock.js';
import { processRecheckMapping } from './recheck-mapping.js';
import { processReconcileStore } from './reconcile-store.js';
import { processRefreshDeliveryHolds } from './refresh-delivery-holds.js';
import { processReimportOrder } from './reimport-order.js';
import { processReprocessReject } from './reprocess-reject.js';
import { processShippingInstruction } from './shipping-instruction.js';
import { processSweepCartActions } from './sweep-cart-actions.js';

type Handler<N extends JobName> = (
  data: JobCatalogue[N],
  job: Job,
  token: string | undefined,
  deps: JobDeps,
) => Promise<unknown>;

export const HANDLERS: { [N in JobName]: Handler<N> } = {
  'import-store': (d, job, token, deps) => processImportStore(d, job, token, deps),
  'reconcile-store': (d, job, token, deps) => processReconcileStore(d, job, token, deps),
  'reimport-order': (d, job, token, deps) => processReimportOrder(d, job, token, deps),
  'reprocess-reject': (d, _j, _t, deps) => processReprocessReject(d, deps),
  'allocate-stock': (d, _j, _t, deps) => processAllocateStock(d, deps),
  'refresh-delivery-holds': (d, _j, _t, deps) => processRefreshDeliveryHolds(d, deps),
  'shipping-instruction': (d, _j, _t, deps) => processShippingInstruction(d, deps),
  'recheck-mapping': (d, _j, _t, deps) => processRecheckMapping(d, deps),
  'push-stock': (d, _j, _t, deps) => processPushStock(d, deps),
  // Idempotent: folding twice folds nothing the second time; a run closed once is not `running`
  // again. The minute's maintenance also closes runs whose worker died (their lease expired).
  'compact-status-counts': async (_d, _j, _t, deps) => ({
    folded: await compactStatusCounts(deps.db),
    abandonedRunsClosed: await closeExpiredRuns(deps.db),
  }),
  'deliver-cart-action': (d, job, token, deps) => processDeliverCartAction(d, job, deps, token),
  'sweep-cart-actions': (_d, _j, _t, deps) => processSweepCartActions(deps),
};

export function runJob(job: Job, token: string | undefined, deps: JobDeps): Promise<unknown> {
  const handler = HANDLERS[job.name as JobName] as Handler<JobName> | undefined;
  if (!handler) throw new Error(`no handler for job "${job.name}"`);
  return handler(job.data as JobCatalogue[JobName], job, token, deps);
}

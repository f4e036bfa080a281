// Job `reprocess-reject` (queue maintenance): a rejected record read again after a fix.
// Idempotency: a resolved reject is skipped; the import itself is idempotent.
// Enqueues next: nothing.
import { reprocessReject } from '../usecases/reprocess-reject.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export function processReprocessReject(data: JobCatalogue['reprocess-reject'], deps: JobDeps) {
  return reprocessReject(deps, data);
}

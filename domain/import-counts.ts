// What an import did, page by page and run by run.
export type PersistKind = 'new' | 'updated' | 'unchanged' | 'skipped' | 'flagged';

export interface PageCounts {
  fetched: number;
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  flagged: number;
}

export const zeroCounts = (): PageCounts => ({
  fetched: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  skipped: 0,
  flagged: 0,
});

export function addCounts(a: PageCounts, b: PageCounts): PageCounts {
  return {
    fetched: a.fetched + b.fetched,
    new: a.new + b.new,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    rejected: a.rejected + b.rejected,
    skipped: a.skipped + b.skipped,
    flagged: a.flagged + b.flagged,
  };
}

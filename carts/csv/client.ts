// The CSV "cart": no HTTP, a folder. Order exports (downloaded from RMS, EC-CUBE, a mall, or written by
// a scheduled export) are dropped into the store's inbox; each import reads every file in it, oldest
// first, one page per file, and after the import job saved its cursor the files move to processed/.
import type { Dirent } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterOptions, CartAdapter, ListWindow, OrderPage, RawOrder } from '../contract.js';
import { CartRequestError, CartUnavailableError } from '../errors.js';
import { CsvFormatError } from './format-error.js';
import { normalizeCsv } from './normalize.js';
import { type CsvSettings, parseCsvSettings, parseOrderFile } from './parse.js';

export const PROCESSED_DIR = 'processed';

/** CSV stores have nothing to authenticate; the schema accepts an empty object. */
export type CsvCredentials = Record<string, never>;

interface InboxFile {
  name: string;
  path: string;
  mtimeMs: number;
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The inbox: `settings.inboxDir`, else a `file://` base URL (what csvSimulator reports as its url). */
export function inboxDirOf(baseUrl: string, settings: CsvSettings): string {
  if (settings.inboxDir) return settings.inboxDir;
  if (baseUrl.startsWith('file:')) return fileURLToPath(baseUrl);
  throw new CartRequestError(
    `a CSV store needs settings.inboxDir or a file:// base URL, not ${JSON.stringify(baseUrl)}`,
    'csv',
  );
}

export class CsvInboxAdapter implements CartAdapter {
  readonly cart = 'csv' as const;
  readonly inboxDir: string;
  private readonly settings: CsvSettings;
  private readonly pattern: RegExp;
  private readonly now: () => Date;
  /** Inbox files yielded since the last afterWindow: the ones to move to processed/. */
  private readonly read = new Set<string>();

  constructor(opts: AdapterOptions<CsvCredentials>) {
    this.settings = parseCsvSettings(opts.settings);
    this.inboxDir = inboxDirOf(opts.baseUrl, this.settings);
    this.pattern = new RegExp(this.settings.filePattern, 'i');
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * One page per file, oldest file first, so a later export of the same order comes later and wins
   * upstream. The window does not filter: an export holds what the shop chose to export (often orders
   * changed after an earlier export), its times are order times rather than change times, and the
   * file's presence in the inbox is what says "not yet imported". An order seen twice (a re-export, or
   * a re-read after a crash before afterWindow) is harmless: orders are unique per store upstream.
   * Files that are not order files are refused with one CsvFormatError after the good ones are read.
   */
  async *listOrders(_window: ListWindow, opts?: { signal?: AbortSignal }): AsyncGenerator<OrderPage> {
    const refused: CsvFormatError[] = [];
    const now = this.now().getTime();
    for (const f of await this.files(this.inboxDir, true)) {
      opts?.signal?.throwIfAborted();
      if (now - f.mtimeMs < this.settings.minFileAgeMs) continue;
      const buffer = await this.readFile(f);
      if (!buffer) continue;
      let orders: RawOrder[];
      try {
        ({ orders } = parseOrderFile(buffer, this.settings, f.name));
      } catch (e) {
        if (!(e instanceof CsvFormatError)) throw e;
        refused.push(e);
        continue;
      }
      this.read.add(f.name);
      yield { orders };
    }
    if (refused.length === 1) throw refused[0]!;
    if (refused.length > 1)
      throw new CsvFormatError(
        `${refused.length} files refused: ${refused.map((e) => e.message).join('; ')}`,
        this.inboxDir,
        refused.flatMap((e) => e.missingColumns),
      );
  }

  /** Re-import: the newest file (inbox or processed/) holding the order. */
  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    const files = [
      ...(await this.files(this.inboxDir, true)),
      ...(await this.files(join(this.inboxDir, PROCESSED_DIR), false)),
    ].sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const f of files) {
      const buffer = await this.readFile(f);
      if (!buffer) continue;
      try {
        const found = parseOrderFile(buffer, this.settings, f.name).orders.find(
          (o) => o.cartOrderNo === cartOrderNo,
        );
        if (found) return found;
      } catch (e) {
        if (!(e instanceof CsvFormatError)) throw e;
      }
    }
    return null;
  }

  normalize(raw: RawOrder, store: string) {
    return normalizeCsv(raw, store);
  }

  /** Moves the files read to processed/ (a name already there gets `.2`, `.3` …). */
  async afterWindow(): Promise<void> {
    if (this.read.size === 0) return;
    const dest = join(this.inboxDir, PROCESSED_DIR);
    await mkdir(dest, { recursive: true });
    for (const name of [...this.read]) {
      try {
        await rename(join(this.inboxDir, name), await freePath(dest, name));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.read.delete(name);
    }
  }

  private async files(dir: string, required: boolean): Promise<InboxFile[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (!required && isNotFound(e)) return [];
      // A missing or unreadable inbox is usually an unmounted share: worth retrying later.
      throw new CartUnavailableError(
        `cannot read the CSV inbox ${dir}: ${(e as Error).message}`,
        'csv',
        null,
        {
          cause: e,
        },
      );
    }
    const out: InboxFile[] = [];
    for (const d of entries) {
      // Dot-files are partial uploads (the simulator writes `.name.tmp` and renames).
      if (!d.isFile() || d.name.startsWith('.') || !this.pattern.test(d.name)) continue;
      const path = join(dir, d.name);
      try {
        out.push({ name: d.name, path, mtimeMs: (await stat(path)).mtimeMs });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  }

  private async readFile(f: InboxFile): Promise<Buffer | null> {
    try {
      return await readFile(f.path);
    } catch (e) {
      if (isNotFound(e)) return null; // moved away by someone else meanwhile
      throw new CartUnavailableError(`cannot read ${f.path}: ${(e as Error).message}`, 'csv', null, {
        cause: e,
      });
    }
  }
}

async function freePath(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? name : `${base}.${n}${ext}`);
    try {
      await access(path);
    } catch {
      return path;
    }
  }
}

export function createCsvAdapter(opts: AdapterOptions<CsvCredentials>): CsvInboxAdapter {
  return new CsvInboxAdapter(opts);
}

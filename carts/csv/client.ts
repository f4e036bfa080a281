// The CSV "cart": no HTTP, a folder. Order exports (downloaded from RMS, EC-CUBE, a mall, or written by
// a scheduled export) are dropped into the store's inbox. Files are read as streams (any size, in
// constant memory), a page of orders at a time. The import (usecases/import-inbox-files.ts) takes
// them one by one through `inbox`: each file moves to processed/ once its orders are stored, and a
// file that cannot be processed moves to failed/ with its reason. `listOrders` reads the same files
// without moving any (a reconciliation), and `afterWindow` moves what it read.
import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  AdapterOptions,
  CartAdapter,
  FileInbox,
  InboxFile,
  ListWindow,
  OrderPage,
  RawOrder,
} from '../contract.js';
import { CartRequestError, CartUnavailableError } from '../errors.js';
import { CsvFormatError } from './format-error.js';
import { normalizeCsv } from './normalize.js';
import { type CsvSettings, findOrderInFile, parseCsvSettings, streamOrderFile } from './parse.js';
import type { ByteSource } from './table-stream.js';

export const PROCESSED_DIR = 'processed';
/** Files that could not be processed, each with `<name>.reason.txt` beside it. */
export const FAILED_DIR = 'failed';

/** CSV stores have nothing to authenticate; the schema accepts an empty object. */
export type CsvCredentials = Record<string, never>;

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The file went away while being read (moved by someone else): nothing to read. */
class FileGone extends Error {}

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
  readonly inbox: FileInbox;
  private readonly settings: CsvSettings;
  private readonly pattern: RegExp;
  private readonly now: () => Date;
  /** Inbox files listOrders read since the last afterWindow: the ones to move to processed/. */
  private readonly read = new Map<string, InboxFile>();

  constructor(opts: AdapterOptions<CsvCredentials>) {
    this.settings = parseCsvSettings(opts.settings);
    this.inboxDir = inboxDirOf(opts.baseUrl, this.settings);
    this.pattern = new RegExp(this.settings.filePattern, 'i');
    this.now = opts.now ?? (() => new Date());
    this.inbox = {
      dir: this.inboxDir,
      files: () => this.readyFiles(),
      pages: (f) => this.pages(f),
      done: async (f) => {
        await this.moveTo(f, PROCESSED_DIR);
      },
      setAside: async (f, reason) => {
        const dest = await this.moveTo(f, FAILED_DIR);
        if (dest) await writeFile(`${dest}.reason.txt`, `${reason}\n`);
      },
    };
  }

  /**
   * One page per `pageSize` orders, oldest file first, so a later export of the same order comes
   * later and wins upstream. The window does not filter: an export holds what the shop chose to
   * export (often orders changed after an earlier export), its times are order times rather than
   * change times, and the file's presence in the inbox is what says "not yet imported". An order
   * seen twice (a re-export, or a re-read after a crash before afterWindow) is harmless: orders are
   * unique per store upstream. Files that are not order files are refused with one CsvFormatError
   * after the good ones are read.
   */
  async *listOrders(_window: ListWindow, opts?: { signal?: AbortSignal }): AsyncGenerator<OrderPage> {
    const refused: CsvFormatError[] = [];
    for (const f of await this.readyFiles()) {
      opts?.signal?.throwIfAborted();
      try {
        for await (const page of this.pages(f)) yield page;
      } catch (e) {
        if (!(e instanceof CsvFormatError)) throw e;
        refused.push(e);
        continue;
      }
      this.read.set(f.name, f);
    }
    if (refused.length === 1) throw refused[0]!;
    if (refused.length > 1)
      throw new CsvFormatError(
        `${refused.length} 件のファイルを取り込めません: ${refused.map((e) => e.message).join('; ')}`,
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
      try {
        const found = await findOrderInFile(this.source(f.path, f.name), this.settings, cartOrderNo);
        if (found) return found;
      } catch (e) {
        if (!(e instanceof CsvFormatError) && !(e instanceof FileGone)) throw e;
      }
    }
    return null;
  }

  normalize(raw: RawOrder, store: string) {
    return normalizeCsv(raw, store);
  }

  /** Moves the files listOrders read to processed/ (a name already there gets `.2`, `.3` …). */
  async afterWindow(): Promise<void> {
    for (const [name, f] of [...this.read]) {
      await this.moveTo(f, PROCESSED_DIR);
      this.read.delete(name);
    }
  }

  private async *pages(f: InboxFile): AsyncGenerator<OrderPage> {
    try {
      const file = await streamOrderFile(this.source(join(this.inboxDir, f.name), f.name), this.settings);
      for await (const orders of file.pages) yield { orders };
    } catch (e) {
      if (e instanceof FileGone) return; // moved away by someone else meanwhile
      throw e;
    }
  }

  /** The file as a stream; a vanished file is FileGone, another read error a retryable one. */
  private source(path: string, name: string): ByteSource {
    return {
      name,
      async *open() {
        try {
          for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }))
            yield chunk as Buffer;
        } catch (e) {
          if (isNotFound(e)) throw new FileGone(path);
          throw new CartUnavailableError(`cannot read ${path}: ${(e as Error).message}`, 'csv', null, {
            cause: e,
          });
        }
      },
    };
  }

  /** Moves an inbox file into a sub-folder under a free name; null when it is gone already. */
  private async moveTo(f: InboxFile, folder: string): Promise<string | null> {
    const dest = join(this.inboxDir, folder);
    await mkdir(dest, { recursive: true });
    const path = await freePath(dest, f.name);
    try {
      await rename(join(this.inboxDir, f.name), path);
      return path;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Inbox files old enough to be complete (a younger one may still be uploading), oldest first. */
  private async readyFiles(): Promise<InboxFile[]> {
    const now = this.now().getTime();
    return (await this.files(this.inboxDir, true))
      .filter((f) => now - f.mtimeMs >= this.settings.minFileAgeMs)
      .map(({ name, size, mtimeMs }) => ({ name, size, mtimeMs }));
  }

  private async files(dir: string, required: boolean): Promise<Array<InboxFile & { path: string }>> {
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
    const out: Array<InboxFile & { path: string }> = [];
    for (const d of entries) {
      // Dot-files are partial uploads (the simulator writes `.name.tmp` and renames).
      if (!d.isFile() || d.name.startsWith('.') || !this.pattern.test(d.name)) continue;
      const path = join(dir, d.name);
      try {
        const st = await stat(path);
        out.push({ name: d.name, path, size: st.size, mtimeMs: st.mtimeMs });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
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

/**
 * A bounded on-disk cache of review-page thumbnails: one JPEG per key in `dir`, at most
 * `maxBytes` in all. When a new file pushes the total over, the least recently used files
 * are deleted first (a hit counts as a use). Files found in `dir` at start are adopted,
 * oldest first. Concurrent asks for one key share one render.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface ThumbCacheOptions {
  dir: string;
  /** Total size cap in bytes (default 64 MiB). */
  maxBytes?: number;
}

/** Writes the thumbnail for a key into `file` (a temporary name the cache then renames). */
export type ThumbRender = (file: string) => Promise<void>;

const KEY = /^[a-z0-9][a-z0-9._-]{0,150}$/;

export class ThumbCache {
  readonly dir: string;
  readonly maxBytes: number;
  /** key -> size; Map order is least recently used first. */
  private readonly entries = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private total = 0;
  private tmpSeq = 0;

  private loaded = false;

  /** Touches no disk until first used (a server whose data dir is read-only still starts). */
  constructor(options: ThumbCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Bytes held now. */
  get size(): number {
    this.load();
    return this.total;
  }

  has(key: string): boolean {
    this.load();
    return this.entries.has(key);
  }

  /** Adopts the files already in `dir`, oldest first (none when it does not exist yet). */
  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const found = names
      .filter((name) => name.endsWith('.jpg') && KEY.test(name.slice(0, -4)))
      .map((name) => ({ name, st: statSync(path.join(this.dir, name)) }))
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { name, st } of found) this.remember(name.slice(0, -4), st.size);
  }

  /** The cached JPEG for `key`, rendered with `render` on a miss. */
  async get(key: string, render: ThumbRender): Promise<Buffer> {
    if (!KEY.test(key)) throw new Error(`bad thumbnail cache key ${JSON.stringify(key)}`);
    this.load();
    const cached = await this.read(key);
    if (cached) return cached;
    let job = this.pending.get(key);
    if (!job) {
      job = this.fill(key, render).finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return job;
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.jpg`);
  }

  private async read(key: string): Promise<Buffer | undefined> {
    if (!this.entries.has(key)) return undefined;
    try {
      const data = await readFile(this.file(key));
      this.touch(key);
      return data;
    } catch {
      this.forget(key); // deleted behind our back
      return undefined;
    }
  }

  private async fill(key: string, render: ThumbRender): Promise<Buffer> {
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${++this.tmpSeq}.jpg`);
    try {
      await render(tmp);
      const { size } = await stat(tmp);
      await rename(tmp, this.file(key));
      this.forget(key);
      this.remember(key, size);
      const data = await readFile(this.file(key));
      await this.evict(key);
      return data;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private remember(key: string, size: number): void {
    this.entries.set(key, size);
    this.total += size;
  }

  private forget(key: string): void {
    const size = this.entries.get(key);
    if (size === undefined) return;
    this.entries.delete(key);
    this.total -= size;
  }

  private touch(key: string): void {
    const size = this.entries.get(key);
    if (size === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, size);
  }

  /** Deletes least recently used files until the total fits (never `keep`, just written). */
  private async evict(keep: string): Promise<void> {
    for (const key of [...this.entries.keys()]) {
      if (this.total <= this.maxBytes) break;
      if (key === keep) continue;
      this.forget(key);
      await rm(this.file(key), { force: true });
    }
  }
}

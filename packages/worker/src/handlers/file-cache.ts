// The static file handler's file cache, as in IIS: files up to FileCacheMaxFileSize (IIS' default,
// 256 KB) are kept in memory and answered from there, so a hot small file costs no open, read and close.
// Those go through libuv's thread pool, and on this machine each hand-off to it costs more than the
// copy: a 50 KB file took ≈300 µs of the worker's CPU through `send` (docs/performance.md). An entry is
// used only while the file's inode, size and modification time are those it was read with; the
// handler has the file's stats before it looks (handler mapping stats the file anyway). Filled in the
// background by the first request, which is served from disk; least recently used entries go first.
import { readFile as readFileCallback, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { createFileCacheCounters, type FileCacheCounters } from '@poolhost/protocol';

// node:fs's callbacks, promisified: node:fs/promises (with readline) is not loaded by a worker's start (≈1.4 ms; docs/performance.md, "Demand start without a spare").
const readFile = promisify(readFileCallback);

/** IIS' FileCacheMaxFileSize default. */
export const FILE_CACHE_MAX_FILE_SIZE = 256 * 1024;
/** What one worker keeps at most. */
export const FILE_CACHE_MAX_BYTES = 64 * 1024 * 1024;

export interface CachedFile {
  readonly body: Buffer;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export class FileCache {
  private readonly files = new Map<string, CachedFile>();
  private readonly filling = new Set<string>();
  /** W3SVC_W3WP's file cache counters, counted in place (the worker hands this object to was as it is). */
  readonly counters: FileCacheCounters = createFileCacheCounters();

  constructor(private readonly maxBytes = FILE_CACHE_MAX_BYTES) {}

  /** The cached content of `path` when `stats` (taken now) show the same file, else undefined. */
  lookup(path: string, stats: Stats): CachedFile | undefined {
    const cached = this.files.get(path);
    if (cached === undefined) {
      this.counters.misses++;
      return undefined;
    }
    if (cached.ino !== stats.ino || cached.size !== stats.size || cached.mtimeMs !== stats.mtimeMs) {
      this.counters.misses++;
      this.counters.flushes++;
      this.evict(path, cached);
      return undefined;
    }
    this.counters.hits++;
    // Most recently used last: Map keeps insertion order, so eviction takes the first.
    this.files.delete(path);
    this.files.set(path, cached);
    return cached;
  }

  /** Reads `path` in the background and keeps it if it is still the file `stats` describe. */
  fill(path: string, stats: Stats): Promise<void> {
    if (stats.size > FILE_CACHE_MAX_FILE_SIZE || stats.size > this.maxBytes || this.filling.has(path)) return Promise.resolve();
    this.filling.add(path);
    return readFile(path).then(
      (body) => {
        this.filling.delete(path);
        // Written while it was read: the next request, which sees a new size or time, fills it again.
        if (body.length !== stats.size) return;
        const { counters } = this;
        const flushedBefore = counters.flushedFiles;
        const previous = this.files.get(path);
        if (previous) this.evict(path, previous);
        this.files.set(path, { body, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs });
        counters.currentFiles++;
        counters.totalFiles++;
        counters.currentBytes += body.length;
        for (const [oldest, entry] of this.files) {
          if (counters.currentBytes <= this.maxBytes) break;
          this.evict(oldest, entry);
        }
        // One flush however many entries made room (IIS counts flushes and flushed files apart).
        if (counters.flushedFiles !== flushedBefore) counters.flushes++;
        if (counters.currentBytes > counters.maximumBytes) counters.maximumBytes = counters.currentBytes;
      },
      () => {
        this.filling.delete(path);
      },
    );
  }

  get size(): number {
    return this.counters.currentBytes;
  }

  private evict(path: string, entry: CachedFile): void {
    this.files.delete(path);
    this.counters.currentFiles--;
    this.counters.flushedFiles++;
    this.counters.currentBytes -= entry.body.length;
  }
}

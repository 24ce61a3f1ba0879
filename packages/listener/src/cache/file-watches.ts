// CacheUntilChange (HttpCachePolicyUserInvalidates with a file): each cached file is watched with
// inotify (fs.watch) while an entry uses it; any event — the file written, renamed, deleted, its
// attributes changed — flushes the file's entries and ends the watch (the next request goes to a
// worker, which reads the file as it is now and may offer it again). A file that cannot be watched
// (gone already, no permission, an inotify limit) is not cached: NO_CACHE_INVALIDATOR, with acquire()'s reason.
import { watch, type FSWatcher } from 'node:fs';

export class FileWatches {
  private readonly watches = new Map<string, { watcher: FSWatcher; users: number }>();

  constructor(private readonly changed: (file: string) => void) {}

  /**
   * Starts (or shares) the watch of `file`: null, or why it cannot be watched — a file gone meanwhile, no
   * permission, or one of the host's limits (`limit`): EMFILE is inotify's instance limit
   * (fs.inotify.max_user_instances, per user: every process of the user that watches anything holds one;
   * httpsys takes its own with its first watch) or the open-file limit, ENOSPC its watch limit.
   */
  acquire(file: string): { reason: string; limit: boolean } | null {
    const existing = this.watches.get(file);
    if (existing) {
      existing.users++;
      return null;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(file, { persistent: false }, () => this.fire(file));
    } catch (error) {
      switch ((error as NodeJS.ErrnoException).code) {
        case 'EMFILE':
          return { reason: 'EMFILE: the inotify instance limit (fs.inotify.max_user_instances) or the open-file limit is reached', limit: true };
        case 'ENOSPC':
          return { reason: 'ENOSPC: the inotify watch limit (fs.inotify.max_user_watches) is reached', limit: true };
        default:
          return { reason: (error as Error).message, limit: false };
      }
    }
    watcher.on('error', () => this.fire(file));
    this.watches.set(file, { watcher, users: 1 });
    return null;
  }

  /** An entry using `file` left the cache. */
  release(file: string): void {
    const watch = this.watches.get(file);
    if (!watch || --watch.users > 0) return;
    this.watches.delete(file);
    watch.watcher.close();
  }

  get count(): number {
    return this.watches.size;
  }

  closeAll(): void {
    for (const { watcher } of this.watches.values()) watcher.close();
    this.watches.clear();
  }

  private fire(file: string): void {
    const watch = this.watches.get(file);
    if (!watch) return;
    this.watches.delete(file);
    watch.watcher.close();
    this.changed(file);
  }
}

// CacheUntilChange (HttpCachePolicyUserInvalidates with a file): each cached file is watched with
// inotify (fs.watch) while an entry uses it; any event — the file written, renamed, deleted, its
// attributes changed — flushes the file's entries and ends the watch (the next request goes to a
// worker, which reads the file as it is now and may offer it again). A file that cannot be watched
// (gone already, no permission) is not cached.
import { watch, type FSWatcher } from 'node:fs';

export class FileWatches {
  private readonly watches = new Map<string, { watcher: FSWatcher; users: number }>();

  constructor(private readonly changed: (file: string) => void) {}

  /** Starts (or shares) the watch of `file`; false when it cannot be watched. */
  acquire(file: string): boolean {
    const existing = this.watches.get(file);
    if (existing) {
      existing.users++;
      return true;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(file, { persistent: false }, () => this.fire(file));
    } catch {
      return false;
    }
    watcher.on('error', () => this.fire(file));
    this.watches.set(file, { watcher, users: 1 });
    return true;
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

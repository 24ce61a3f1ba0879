// Watches applicationHost.config and every web.config in or below a virtual directory's folder (each
// URL level has one, reference §5). Folders are watched, not files, so editors that save by writing a
// temp file and renaming it over the original (and appcmd, which does exactly that) are seen; every
// sub-folder of a virtual directory's folder is watched too (found by an asynchronous walk, and as
// folders appear; node_modules and hidden folders skipped), so a web.config created, changed or deleted
// in any sub-folder counts; a watcher that fails is re-armed. Bursts of events are debounced; then
// the contents are compared with what was last seen, so only real changes count.
// A shared applicationHost.config (redirection.config) is also polled every pollingPeriod: network
// filesystems give no notifications for other hosts' writes, and a watch on a folder that was renamed
// away follows the old folder. A read that fails is reported once (`applicationHostUnreadable`); the
// file coming back counts as a change, and its folder is watched afresh.
import { watch, type Dirent, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Logger } from '@poolhost/common';

export interface ConfigWatcherOptions {
  /** applicationHost.config (absolute). */
  file: string;
  /** The folders whose web.config matters now (the virtual directories' physical paths). */
  webConfigFolders(): string[];
  /** The applicationHost.config text differs from the last one seen. */
  applicationHostChanged(text: string): Promise<void>;
  /** These web.config files were created, changed or deleted. */
  webConfigsChanged(files: string[]): Promise<void>;
  /** applicationHost.config could not be read (it was readable before); absent: ignored until it returns. */
  applicationHostUnreadable?(error: NodeJS.ErrnoException): Promise<void>;
  /** Also read applicationHost.config every this many milliseconds (shared configuration). */
  pollIntervalMs?: number;
  /**
   * The applicationHost.config text already in force (read by the caller), as the watcher reads it (UTF-8):
   * compared with what the watcher reads from then on, so a change made between the caller's read and
   * start() is not missed.
   */
  initialText?: string;
  /** Poll applicationHost.config without watching its folder (enableUncPolling="true"). */
  pollOnly?: boolean;
  logger: Logger;
  debounceMs?: number;
  /** How long to wait before re-arming a watcher that failed (its folder was removed, …). */
  rearmMs?: number;
}

const webConfigName = 'web.config';
/** Package and hidden folders hold no configuration of the site (and thousands of folders). */
const SKIPPED_FOLDER = (name: string): boolean => name === 'node_modules' || name.startsWith('.');
const MAX_SUBFOLDERS = 2000;

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly seen = new Map<string, string | null>();
  /** web.config files below a virtual directory's root that events named since the last check. */
  private readonly touched = new Set<string>();
  /** Folders below a virtual directory's folder, each watched on its own. */
  private readonly subfolders = new Set<string>();
  /** Virtual directory folders whose sub-folders have been walked. */
  private readonly walked = new Set<string>();
  private debounce: NodeJS.Timeout | null = null;
  private rearm: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ConfigWatcherOptions) {}

  /** Whether a folder below a virtual directory's root is watched (its asynchronous walk reached it). */
  watchesSubfolder(folder: string): boolean {
    return this.subfolders.has(folder);
  }

  /** Records the current contents (the configuration already in force) and starts watching. */
  async start(): Promise<void> {
    await this.snapshot();
    this.arm();
    // The file may have changed since the caller read it: one comparison now.
    if (this.options.initialText !== undefined) this.scheduleCheck(0);
    if (this.options.pollIntervalMs !== undefined) {
      this.poll = setInterval(() => this.scheduleCheck(0), this.options.pollIntervalMs);
      this.poll.unref();
    }
  }

  close(): void {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.rearm) clearTimeout(this.rearm);
    if (this.poll) clearInterval(this.poll);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  /** Waits for the changes noticed so far to be handled (tests, shutdown). */
  async settled(): Promise<void> {
    await this.checking;
  }

  private files(): string[] {
    return [this.options.file, ...this.options.webConfigFolders().map((folder) => join(folder, webConfigName))];
  }

  private async snapshot(): Promise<void> {
    if (this.options.initialText !== undefined && !this.seen.has(this.options.file)) this.seen.set(this.options.file, this.options.initialText);
    for (const file of this.files()) if (!this.seen.has(file)) this.seen.set(file, await readText(file));
  }

  /** The virtual directories' folders (without a trailing slash). */
  private contentRoots(): string[] {
    return [...new Set(this.options.webConfigFolders().map((folder) => folder.replace(/\/+$/, '') || '/'))];
  }

  private isUnderRoot(folder: string, roots: string[]): boolean {
    return roots.some((root) => folder === root || folder.startsWith(root.endsWith(sep) ? root : root + sep));
  }

  // One watcher per folder (non-recursive: Node's recursive watch on Linux stats every file of the tree
  // synchronously); folders no longer needed are released, new ones watched, new roots walked.
  private arm(): void {
    if (this.closed) return;
    const roots = this.contentRoots();
    for (const folder of this.subfolders) if (!this.isUnderRoot(folder, roots)) this.subfolders.delete(folder);
    const wanted = new Set([...(this.options.pollOnly ? [] : [dirname(this.options.file)]), ...roots, ...this.subfolders]);
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    for (const folder of wanted) this.watchFolder(folder);
    for (const root of roots) {
      if (this.walked.has(root)) continue;
      this.walked.add(root);
      void this.walk(root, false);
    }
  }

  /** A folder that came back (renamed into place again) is a new inode: the old watch follows the old one. */
  private rewatch(folder: string): void {
    this.watchers.get(folder)?.close();
    this.watchers.delete(folder);
    this.arm();
  }

  private watchFolder(folder: string): void {
    if (this.watchers.has(folder) || this.closed) return;
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => this.onEvent(folder, name));
      watcher.on('error', (error) => this.onWatcherFailed(folder, error));
      this.watchers.set(folder, watcher);
    } catch (error) {
      this.onWatcherFailed(folder, error);
    }
  }

  /**
   * Watches the sub-folders of `folder`, depth first, skipping package and hidden folders
   * (node_modules, .git) and stopping at MAX_SUBFOLDERS. `appeared`: the folder came after start, so a
   * web.config already in it (a folder moved into place) is a change.
   */
  private async walk(folder: string, appeared: boolean): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (this.closed) return;
      if (entry.isFile() && entry.name === webConfigName && appeared) this.onEvent(folder, webConfigName);
      if (!entry.isDirectory() || SKIPPED_FOLDER(entry.name)) continue;
      const sub = join(folder, entry.name);
      if (this.subfolders.has(sub)) continue;
      if (this.subfolders.size >= MAX_SUBFOLDERS) {
        this.options.logger.warn({ folder: sub }, `more than ${MAX_SUBFOLDERS} content folders: web.config files below ${sub} are not watched`);
        return;
      }
      this.subfolders.add(sub);
      this.watchFolder(sub);
      await this.walk(sub, appeared);
    }
  }

  private onEvent(folder: string, name: string | Buffer | null): void {
    const file = name === null ? null : String(name);
    if (this.closed) return;
    if (file !== null && file !== webConfigName && !SKIPPED_FOLDER(file) && this.isContent(folder)) {
      // A folder created (or moved) inside the content: watch it and what it holds.
      const sub = join(folder, file);
      if (!this.subfolders.has(sub)) {
        void stat(sub).then(
          (stats) => {
            if (!stats.isDirectory() || this.subfolders.has(sub) || this.subfolders.size >= MAX_SUBFOLDERS) return;
            this.subfolders.add(sub);
            this.watchFolder(sub);
            return this.walk(sub, true);
          },
          () => undefined,
        );
      }
    }
    const relevant = file === null || file === webConfigName || join(folder, file) === this.options.file;
    if (!relevant) return;
    if (file === webConfigName && this.subfolders.has(folder)) this.touched.add(join(folder, file));
    this.scheduleCheck(this.options.debounceMs ?? 200);
  }

  private scheduleCheck(delayMs: number): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.checking = this.checking.then(() => this.check()).catch((error: unknown) => {
        this.options.logger.error({ err: error }, `configuration change could not be handled: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, delayMs);
  }

  private isContent(folder: string): boolean {
    return this.subfolders.has(folder) || this.contentRoots().includes(folder);
  }

  private onWatcherFailed(folder: string, error: unknown): void {
    this.watchers.get(folder)?.close();
    this.watchers.delete(folder);
    // A sub-folder that went away is forgotten (its parent's watcher sees it if it comes back).
    if (this.subfolders.delete(folder)) return;
    this.options.logger.debug({ err: error, folder }, `watching ${folder} failed; trying again`);
    if (this.closed || this.rearm) return;
    this.rearm = setTimeout(() => {
      this.rearm = null;
      this.arm();
    }, this.options.rearmMs ?? 1_000);
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    const file = this.options.file;
    const read = await readApplicationHost(file);
    if ('error' in read) {
      if (this.seen.get(file) !== null) {
        this.seen.set(file, null);
        await this.options.applicationHostUnreadable?.(read.error);
      }
    } else if (read.text !== this.seen.get(file)) {
      if (this.seen.get(file) === null) this.rewatch(dirname(file));
      this.seen.set(file, read.text);
      await this.options.applicationHostChanged(read.text);
    }
    const changed: string[] = [];
    const roots = this.files().slice(1);
    const below = [...this.touched].filter((candidate) => !roots.includes(candidate));
    this.touched.clear();
    for (const candidate of below) {
      // Below a virtual directory's root nothing was read at start: the first event for a file counts.
      const current = await readText(candidate);
      if (this.seen.has(candidate) && current === this.seen.get(candidate)) continue;
      this.seen.set(candidate, current);
      changed.push(candidate);
    }
    for (const candidate of roots) {
      const current = await readText(candidate);
      if (!this.seen.has(candidate)) {
        // A folder that just came into the configuration: its web.config is part of that change.
        this.seen.set(candidate, current);
        continue;
      }
      if (current === this.seen.get(candidate)) continue;
      this.seen.set(candidate, current);
      changed.push(candidate);
    }
    if (changed.length > 0) await this.options.webConfigsChanged(changed);
    this.arm();
  }
}

async function readApplicationHost(file: string): Promise<{ text: string } | { error: NodeJS.ErrnoException }> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

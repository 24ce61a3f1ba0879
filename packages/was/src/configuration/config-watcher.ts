// Watches applicationHost.config and every web.config in or below a virtual directory's folder (each
// URL level has one, reference §5). Folders are watched, not files, so editors that save by writing a
// temp file and renaming it over the original (and appcmd, which does exactly that) are seen; virtual
// directory folders are watched with their sub-folders, so a web.config created, changed or deleted
// in any sub-folder counts; a watcher that fails is re-armed. Bursts of events are debounced; then
// the contents are compared with what was last seen, so only real changes count.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
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
  logger: Logger;
  debounceMs?: number;
  /** How long to wait before re-arming a watcher that failed (its folder was removed, …). */
  rearmMs?: number;
}

const webConfigName = 'web.config';

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly seen = new Map<string, string | null>();
  /** web.config files below a virtual directory's root that events named since the last check. */
  private readonly touched = new Set<string>();
  private debounce: NodeJS.Timeout | null = null;
  private rearm: NodeJS.Timeout | null = null;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ConfigWatcherOptions) {}

  /** Records the current contents (the configuration already in force) and starts watching. */
  async start(): Promise<void> {
    await this.snapshot();
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.rearm) clearTimeout(this.rearm);
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
    for (const file of this.files()) if (!this.seen.has(file)) this.seen.set(file, await readText(file));
  }

  /**
   * Folder → watched with its sub-folders. Virtual directory folders are (a folder inside another one is
   * covered by it); the folder of applicationHost.config alone is not, unless it is also content.
   */
  private wanted(): Map<string, boolean> {
    const contents = [...new Set(this.options.webConfigFolders().map((folder) => folder.replace(/\/+$/, '') || '/'))].sort((a, b) => a.length - b.length);
    const wanted = new Map<string, boolean>();
    for (const folder of contents) {
      const covered = [...wanted.keys()].some((outer) => folder === outer || folder.startsWith(outer.endsWith(sep) ? outer : outer + sep));
      if (!covered) wanted.set(folder, true);
    }
    const configFolder = dirname(this.options.file);
    if (!wanted.has(configFolder)) wanted.set(configFolder, false);
    return wanted;
  }

  // One watcher per folder; folders no longer needed are released, new ones watched.
  private arm(): void {
    if (this.closed) return;
    const wanted = this.wanted();
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    for (const [folder, recursive] of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false, recursive }, (_event, name) => this.onEvent(folder, name));
        watcher.on('error', (error) => this.onWatcherFailed(folder, error));
        this.watchers.set(folder, watcher);
      } catch (error) {
        this.onWatcherFailed(folder, error);
      }
    }
  }

  private onEvent(folder: string, name: string | Buffer | null): void {
    const file = name === null ? null : String(name);
    const relevant = file === null || basename(file) === webConfigName || join(folder, file) === this.options.file;
    if (!relevant || this.closed) return;
    if (file !== null && file !== webConfigName && basename(file) === webConfigName) this.touched.add(join(folder, file));
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.checking = this.checking.then(() => this.check()).catch((error: unknown) => {
        this.options.logger.error({ err: error }, `configuration change could not be handled: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, this.options.debounceMs ?? 200);
  }

  private onWatcherFailed(folder: string, error: unknown): void {
    this.watchers.get(folder)?.close();
    this.watchers.delete(folder);
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
    const text = await readText(file);
    if (text !== null && text !== this.seen.get(file)) {
      this.seen.set(file, text);
      await this.options.applicationHostChanged(text);
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

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

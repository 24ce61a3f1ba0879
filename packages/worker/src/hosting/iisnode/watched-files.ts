// watchedFiles: `;`-separated entries, each an optional directory plus a file name relative to the
// entry script's folder, wildcards (`*`, `?`) in the file name only — iisnode's rule, so `*.js` is the
// folder's own scripts, not node_modules'. A folder that does not exist is skipped (iisnode starts the
// application anyway). Changes are collected until the folder is quiet for QUIET_MS, so a deployment
// that copies many files (or one file in several writes) makes one recycle, after the copy.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export const QUIET_MS = 300;

export interface WatchedFilesHandle {
  close(): void;
}

function wildcard(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}

export function watchFiles(folder: string, watchedFiles: string, changed: (files: string[]) => void): WatchedFilesHandle {
  const byDirectory = new Map<string, RegExp[]>();
  for (const entry of watchedFiles.split(';').map((text) => text.trim().replace(/\\/g, '/')).filter(Boolean)) {
    const slash = entry.lastIndexOf('/');
    const directory = slash === -1 ? '' : entry.slice(0, slash).replace(/^\/+/, '');
    const file = entry.slice(slash + 1);
    if (!file) continue;
    const patterns = byDirectory.get(directory) ?? [];
    patterns.push(wildcard(file));
    byDirectory.set(directory, patterns);
  }
  const watchers: FSWatcher[] = [];
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  const settle = (): void => {
    timer = null;
    const files = pending;
    pending = [];
    changed(files);
  };
  for (const [directory, patterns] of byDirectory) {
    try {
      const watcher = watch(join(folder, directory), { persistent: false }, (_event, name) => {
        if (name === null || !patterns.some((pattern) => pattern.test(String(name)))) return;
        pending.push(directory ? `${directory}/${String(name)}` : String(name));
        if (timer) clearTimeout(timer);
        timer = setTimeout(settle, QUIET_MS);
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // The folder does not exist: nothing there to watch.
    }
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

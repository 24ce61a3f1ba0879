// iisnode's logging (loggingEnabled, logDirectory, maxLogFileSizeInKB, maxTotalLogFileSizeInKB,
// maxLogFiles): the stdout and stderr of each Node process go to files named
// `<computer>-<pid>-<stdout|stderr>-<ms since epoch>.txt` in the application's log directory, created
// when the process first writes; a file over maxLogFileSizeInKB is closed and the next write starts a
// new one; when a new file starts, the oldest files (by modification time) are deleted until the
// directory is within maxTotalLogFileSizeInKB and maxLogFiles. index.html lists the files, as
// iisnode's does, so the logs can be read over HTTP at `<app>/iisnode/` (StaticFile serves them).
// Writes are synchronous and small (what an app prints), as iisnode's interceptor writes them.
import { appendFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createDirectoryTree } from '@poolhost/common';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LogQuotas {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

const LOG_FILE = /^(.+)-(\d+)-(stderr|stdout)-(\d+)\.txt$/;

export class LogDirectory {
  private readonly computerName = process.env.COMPUTERNAME ?? hostname();
  private lastStamp = 0;

  constructor(readonly folder: string, private readonly quotas: LogQuotas) {}

  writer(pid: number, type: 'stdout' | 'stderr'): LogFileWriter {
    return new LogFileWriter(this, pid, type);
  }

  /** A file name no other writer of this worker has used (two rollovers in one millisecond get the next one). */
  newFileName(pid: number, type: string): string {
    const stamp = Math.max(Date.now(), this.lastStamp + 1);
    this.lastStamp = stamp;
    return join(this.folder, `${this.computerName}-${pid}-${type}-${stamp}.txt`);
  }

  get maxFileBytes(): number {
    return this.quotas.maxFileBytes;
  }

  /** Called before a new log file is created. */
  purge(): void {
    let files: Array<{ path: string; size: number; mtime: number }> = [];
    try {
      files = readdirSync(this.folder)
        .filter((name) => name !== 'index.html')
        .flatMap((name) => {
          try {
            const stat = statSync(join(this.folder, name));
            return stat.isFile() ? [{ path: join(this.folder, name), size: stat.size, mtime: stat.mtimeMs }] : [];
          } catch {
            return [];
          }
        });
    } catch {
      return;
    }
    let total = files.reduce((sum, file) => sum + file.size, 0);
    let count = files.length;
    // The file about to be created counts towards maxLogFiles.
    if (total <= this.quotas.maxTotalBytes && count < this.quotas.maxFiles) return;
    files.sort((a, b) => a.mtime - b.mtime);
    for (const file of files) {
      if (total <= this.quotas.maxTotalBytes && count < this.quotas.maxFiles) break;
      try {
        unlinkSync(file.path);
        total -= file.size;
        count--;
      } catch {
        // Gone already, or not ours to delete.
      }
    }
  }

  ensureFolder(): void {
    createDirectoryTree(this.folder);
  }

  /** index.html: the log files of the directory, newest first, linked. */
  updateIndex(): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.folder);
    } catch {
      return;
    }
    const rows = names
      .map((name) => ({ name, match: LOG_FILE.exec(name) }))
      .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
      .map(({ name, match }) => ({ name, computer: match[1]!, pid: match[2]!, type: match[3]!, created: Number(match[4]) }))
      .sort((a, b) => b.created - a.created)
      .map((file) => `<tr><td>${escapeHtml(file.computer)}</td><td>${file.pid}</td><td>${file.type}</td><td>${new Date(file.created).toISOString()}</td><td><a href="${encodeURIComponent(file.name)}">${escapeHtml(file.name)}</a></td></tr>`);
    const html =
      '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>iisnode logs</title></head><body>\n' +
      '<h1>iisnode logs</h1>\n<table>\n<tr><th>computer</th><th>pid</th><th>stream</th><th>created</th><th>file</th></tr>\n' +
      rows.join('\n') +
      `\n</table>\n<p>Last updated ${new Date().toISOString()}</p>\n</body></html>\n`;
    try {
      writeFileSync(join(this.folder, 'index.html'), html);
    } catch {
      // Best effort, as iisnode's.
    }
  }
}

export class LogFileWriter {
  private file: string | null = null;
  private size = 0;

  constructor(private readonly directory: LogDirectory, private readonly pid: number, private readonly type: 'stdout' | 'stderr') {}

  write(chunk: Buffer): void {
    try {
      if (this.file === null || this.size > this.directory.maxFileBytes) this.startFile();
      appendFileSync(this.file!, chunk);
      this.size += chunk.length;
    } catch {
      // A log that cannot be written never takes the application down (iisnode: best effort).
      this.file = null;
    }
  }

  private startFile(): void {
    this.directory.ensureFolder();
    this.directory.purge();
    this.file = this.directory.newFileName(this.pid, this.type);
    this.size = 0;
    writeFileSync(this.file, '');
    this.directory.updateIndex();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

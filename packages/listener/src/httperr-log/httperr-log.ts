// The HTTPERR log: `<errorLoggingDir>/httperr<N>.log`, rolled to N+1 at errorLogFileTruncateSize.
// Lines are buffered and appended about once a second; a failing destination is reported once and
// never takes httpsys down.
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { createDirectoryTreeAsync } from '@poolhost/common';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatHttpErrLine, httpErrFileHeader, type HttpErrRecord } from './httperr-line.js';
import { HttpErrCounters } from '../counters/listener-counters.js';

export interface HttpErrLogSettings {
  enabled: boolean;
  directory: string;
  truncateSize: number;
}

const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_BYTES = 64 * 1024;
/** HTTP.SYS' floor for ErrorLogFileTruncateSize. */
const MINIMUM_TRUNCATE_SIZE = 1024 * 1024;

export class HttpErrLog {
  private settings: HttpErrLogSettings = { enabled: false, directory: '', truncateSize: MINIMUM_TRUNCATE_SIZE };
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private file: FileHandle | null = null;
  private fileDirectory = '';
  private fileSize = 0;
  private sequence = 0;
  private writing: Promise<void> = Promise.resolve();
  private failureReported = false;
  /** Records accepted since start (tests and counters). */
  records = 0;
  /** Lines by reason, counted whether or not the log is enabled. */
  readonly reasons = new HttpErrCounters();

  constructor(private readonly logger: Logger) {}

  configure(settings: HttpErrLogSettings): void {
    const directoryChanged = settings.directory !== this.settings.directory;
    this.settings = { ...settings, truncateSize: Math.max(settings.truncateSize, MINIMUM_TRUNCATE_SIZE) };
    if (directoryChanged) this.writing = this.writing.then(() => this.closeFile());
  }

  write(record: HttpErrRecord): void {
    this.records++;
    this.reasons.count(record.reason);
    if (!this.settings.enabled || !this.settings.directory) return;
    const line = formatHttpErrLine(record, new Date());
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Appends everything buffered; resolves when it is on disk (or has failed and been reported). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return this.writing;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.writing = this.writing.then(() => this.append(lines));
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writing;
    await this.closeFile();
  }

  private async append(lines: string[]): Promise<void> {
    try {
      for (const line of lines) {
        if (!this.file || this.fileDirectory !== this.settings.directory) await this.openFile(false);
        else if (this.fileSize + line.length > this.settings.truncateSize) await this.openFile(true);
        // A single-threaded writer: each line is appended in order.
        await this.file!.write(line);
        this.fileSize += line.length;
      }
      if (this.failureReported) {
        this.failureReported = false;
        this.logger.info({ directory: this.settings.directory }, 'HTTPERR log is writable again');
      }
    } catch (error) {
      await this.closeFile();
      if (!this.failureReported) {
        this.failureReported = true;
        this.logger.error({ err: error, directory: this.settings.directory }, 'cannot write the HTTPERR log; records are dropped until it works again');
      }
    }
  }

  /** Opens the current file (continuing the newest one of an earlier session while it has room), or the next one. */
  private async openFile(roll: boolean): Promise<void> {
    await this.closeFile();
    const directory = this.settings.directory;
    await createDirectoryTreeAsync(directory);
    if (this.sequence === 0 || this.fileDirectory !== directory) this.sequence = await lastSequence(directory);
    let sequence = Math.max(this.sequence + (roll ? 1 : 0), 1);
    let handle = await open(join(directory, `httperr${sequence}.log`), 'a');
    let size = (await handle.stat()).size;
    if (size >= this.settings.truncateSize - 1024) {
      await handle.close();
      sequence++;
      handle = await open(join(directory, `httperr${sequence}.log`), 'a');
      size = (await handle.stat()).size;
    }
    const header = httpErrFileHeader(new Date());
    await handle.write(header);
    this.file = handle;
    this.fileDirectory = directory;
    this.fileSize = size + header.length;
    this.sequence = sequence;
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (file) await file.close().catch(() => undefined);
  }
}

async function lastSequence(directory: string): Promise<number> {
  let highest = 0;
  for (const name of await readdir(directory)) {
    const match = /^httperr(\d+)\.log$/i.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

// One site's W3C extended log (reference §4.5, §12): `<logFile.directory>/W3SVC<siteId>/u_exYYMMDD.log`
// (hourly u_exYYMMDDHH, weekly u_exYYMMWW, monthly u_exYYMM, MaxSize u_extend1), rolled over on UTC,
// records in UTC, IIS's fixed field order for the site's logExtFileFlags. Lines are buffered and
// appended when 256 KiB are waiting or a second after the first of them (IIS flushes about once a minute;
// sooner here so a tail -f shows something). A worker writes the `#Software … #Fields` header block the
// first time it writes to a file, as IIS does whenever logging restarts. A destination that cannot be
// written is reported once a minute and its lines dropped; logging never fails a request.
// Used by the worker's logging module and by httpsys for the requests its response cache answers.
import { appendFile as appendFileCallback, appendFileSync } from 'node:fs';
import { createDirectoryTree, createDirectoryTreeAsync } from '../file-system/directory-tree.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

// Node's untyped UTF-8 fast path (`buffer-methods.ts` of @poolhost/protocol types the others).
declare global {
  interface Buffer {
    utf8Write(text: string, offset?: number, length?: number): number;
  }
}

/** What the writer reads of a site (`Site` of @poolhost/config has these fields). */
export interface W3cLogSite {
  id: number;
  name: string;
  logFile: {
    enabled: boolean;
    logFormat: string;
    directory: string;
    period: string;
    logExtFileFlags: string[];
    logSiteId: boolean;
  };
}

export interface LogRecord {
  method: string;
  uriStem: string;
  uriQuery: string;
  serverIp: string;
  serverPort: number;
  userName: string;
  clientIp: string;
  protocolVersion: string;
  userAgent: string | undefined;
  cookie: string | undefined;
  referer: string | undefined;
  host: string | undefined;
  status: number;
  subStatus: number;
  win32Status: number;
  bytesSent: number;
  bytesReceived: number;
  timeTaken: number;
}

/** Flag → field name, in IIS's fixed order; a field's number is its index here (see `log`). */
const FIELDS: Array<[flag: string, field: string]> = [
  ['Date', 'date'],
  ['Time', 'time'],
  ['SiteName', 's-sitename'],
  ['ComputerName', 's-computername'],
  ['ServerIP', 's-ip'],
  ['Method', 'cs-method'],
  ['UriStem', 'cs-uri-stem'],
  ['UriQuery', 'cs-uri-query'],
  ['ServerPort', 's-port'],
  ['UserName', 'cs-username'],
  ['ClientIP', 'c-ip'],
  ['ProtocolVersion', 'cs-version'],
  ['UserAgent', 'cs(User-Agent)'],
  ['Cookie', 'cs(Cookie)'],
  ['Referer', 'cs(Referer)'],
  ['Host', 'cs-host'],
  ['HttpStatus', 'sc-status'],
  ['HttpSubStatus', 'sc-substatus'],
  ['Win32Status', 'sc-win32-status'],
  ['BytesSent', 'sc-bytes'],
  ['BytesRecv', 'cs-bytes'],
  ['TimeTaken', 'time-taken'],
];

/** `-` for empty; spaces become `+` (reference §12). */
function encode(value: string | undefined): string {
  if (!value) return '-';
  return value.includes(' ') ? value.replaceAll(' ', '+') : value;
}

// node:fs's callbacks, promisified: node:fs/promises (with readline) is not loaded by a worker's start (≈1.4 ms; docs/performance.md, "Demand start without a spare").
const appendFile = promisify(appendFileCallback);

const pad = (value: number): string => (value < 10 ? `0${value}` : String(value));
// Each append opens and closes the file (≈100 µs of CPU): under load, fewer and larger appends.
const FLUSH_BYTES = 256 * 1024;
const FLUSH_DELAY_MS = 1_000;
const SPACE = 32;
const PLUS = 43;

export class W3cLogWriter {
  readonly enabled: boolean;
  readonly directory: string;
  readonly siteLogName: string;
  readonly computerName = encode(hostname());
  /** The site's fields, as indexes into FIELDS. */
  private readonly fields: Uint8Array;
  private readonly fieldsDirective: string;
  currentDate = '';
  currentTime = '';
  private currentSecond = -1;
  private currentFile = '';
  /**
   * Lines waiting to be appended, UTF-8 encoded as they are logged: building each line as a string and
   * joining them cost more than the writing (a line is a chain of concatenations V8 must flatten).
   */
  private pending: Buffer | null = null;
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Files this process has written its header block to. */
  private readonly started = new Set<string>();
  private lastFailureReport = 0;

  constructor(
    private readonly site: W3cLogSite,
    private readonly logger: Logger,
  ) {
    const logFile = site.logFile;
    this.enabled = logFile.enabled && logFile.logFormat === 'W3C';
    this.directory = join(logFile.directory, `W3SVC${site.id}`);
    this.siteLogName = logFile.logSiteId ? `W3SVC${site.id}` : encode(site.name);
    const flags = new Set(logFile.logExtFileFlags.map((flag) => flag.toLowerCase()));
    const selected = FIELDS.map((_, index) => index).filter((index) => flags.has(FIELDS[index]![0].toLowerCase()));
    this.fields = Uint8Array.from(selected);
    this.fieldsDirective = selected.map((index) => FIELDS[index]![1]).join(' ');
  }

  log(record: LogRecord, now = Date.now()): void {
    if (!this.enabled) return;
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.tick(now, second);
    const fields = this.fields;
    for (let index = 0; index < fields.length; index++) {
      if (index !== 0) this.writeByte(SPACE);
      // One switch, not a function per field: a call site that reaches 22 different functions is megamorphic.
      switch (fields[index]) {
        case 0: this.writeEncoded(this.currentDate); break;
        case 1: this.writeEncoded(this.currentTime); break;
        case 2: this.writeEncoded(this.siteLogName); break;
        case 3: this.writeEncoded(this.computerName); break;
        case 4: this.writeEncoded(record.serverIp); break;
        case 5: this.writeEncoded(record.method); break;
        case 6: this.writeEncoded(record.uriStem); break;
        case 7: this.writeEncoded(record.uriQuery); break;
        case 8: this.writeNumber(record.serverPort); break;
        case 9: this.writeEncoded(record.userName); break;
        case 10: this.writeEncoded(record.clientIp); break;
        case 11: this.writeEncoded(record.protocolVersion); break;
        case 12: this.writeEncoded(record.userAgent); break;
        case 13: this.writeEncoded(record.cookie); break;
        case 14: this.writeEncoded(record.referer); break;
        case 15: this.writeEncoded(record.host); break;
        case 16: this.writeNumber(record.status); break;
        case 17: this.writeNumber(record.subStatus); break;
        case 18: this.writeNumber(record.win32Status); break;
        case 19: this.writeNumber(record.bytesSent); break;
        case 20: this.writeNumber(record.bytesReceived); break;
        case 21: this.writeNumber(record.timeTaken); break;
      }
    }
    this.reserve(2);
    this.pending![this.pendingBytes++] = 13;
    this.pending![this.pendingBytes++] = 10;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Room for `bytes` more; a line longer than what is left moves the pending lines to a larger buffer. */
  private reserve(bytes: number): void {
    const pending = this.pending;
    if (pending !== null && this.pendingBytes + bytes <= pending.length) return;
    const grown = Buffer.allocUnsafe(Math.max(FLUSH_BYTES + 4096, 2 * this.pendingBytes + bytes));
    if (pending !== null) pending.copy(grown, 0, 0, this.pendingBytes);
    this.pending = grown;
  }

  private writeByte(byte: number): void {
    this.reserve(1);
    this.pending![this.pendingBytes++] = byte;
  }

  /** `encode(value)` as UTF-8, without building the encoded string: most values are short and ASCII. */
  private writeEncoded(value: string | undefined): void {
    if (!value) return this.writeByte(45 /* - */);
    const length = value.length;
    this.reserve(3 * length);
    const pending = this.pending!;
    let at = this.pendingBytes;
    for (let index = 0; index < length; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) {
        at += pending.utf8Write(value.slice(index).replaceAll(' ', '+'), at);
        break;
      }
      pending[at++] = code === SPACE ? PLUS : code;
    }
    this.pendingBytes = at;
  }

  private writeNumber(value: number): void {
    if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) return this.writeEncoded(String(value));
    this.reserve(10);
    const pending = this.pending!;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.pendingBytes + digits;
    this.pendingBytes = at;
    let rest = value;
    do {
      pending[--at] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  private tick(now: number, second: number): void {
    this.currentSecond = second;
    const date = new Date(now);
    this.currentDate = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    this.currentTime = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
    const file = join(this.directory, this.fileName(date));
    if (file !== this.currentFile) {
      // Lines buffered for the previous period belong to the previous file.
      if (this.pendingBytes > 0) this.flush();
      this.currentFile = file;
    }
  }

  fileName(date: Date): string {
    const yy = pad(date.getUTCFullYear() % 100);
    const mm = pad(date.getUTCMonth() + 1);
    switch (this.site.logFile.period) {
      case 'Hourly':
        return `u_ex${yy}${mm}${pad(date.getUTCDate())}${pad(date.getUTCHours())}.log`;
      case 'Weekly':
        return `u_ex${yy}${mm}${pad(Math.floor((date.getUTCDate() - 1) / 7) + 1)}.log`;
      case 'Monthly':
        return `u_ex${yy}${mm}.log`;
      case 'MaxSize':
        return 'u_extend1.log';
      default:
        return `u_ex${yy}${mm}${pad(date.getUTCDate())}.log`;
    }
  }

  private takeBuffer(): { file: string; data: Buffer } | null {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pendingBytes === 0) return null;
    const file = this.currentFile;
    // The buffer now belongs to the append; the next line starts a new one.
    let data = this.pending!.subarray(0, this.pendingBytes);
    this.pending = null;
    this.pendingBytes = 0;
    if (!this.started.has(file)) {
      this.started.add(file);
      const header = `#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: ${this.currentDate} ${this.currentTime}\r\n#Fields: ${this.fieldsDirective}\r\n`;
      data = Buffer.concat([Buffer.from(header), data]);
    }
    return { file, data };
  }

  flush(): void {
    const chunk = this.takeBuffer();
    if (!chunk) return;
    this.writing = this.writing.then(async () => {
      try {
        await appendFile(chunk.file, chunk.data);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return this.reportFailure(error);
        // The folder is made when the first lines arrive (and again if someone removed it), not before every append.
        try {
          await createDirectoryTreeAsync(this.directory);
          await appendFile(chunk.file, chunk.data);
        } catch (retryError) {
          this.reportFailure(retryError);
        }
      }
    });
  }

  flushSync(): void {
    const chunk = this.takeBuffer();
    if (!chunk) return;
    try {
      createDirectoryTree(this.directory);
      appendFileSync(chunk.file, chunk.data);
    } catch (error) {
      this.reportFailure(error);
    }
  }

  /** Resolves when every line handed over so far is written (tests, shutdown). */
  async drained(): Promise<void> {
    this.flush();
    await this.writing;
  }

  private reportFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureReport < 60_000) return;
    this.lastFailureReport = now;
    this.logger.warn({ err: error, directory: this.directory }, `cannot write the W3C log of site ${this.site.name} to ${this.directory}; its lines are dropped`);
  }
}

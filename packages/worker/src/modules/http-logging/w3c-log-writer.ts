// One site's W3C extended log (reference §4.5, §12): `<logFile.directory>/W3SVC<siteId>/u_exYYMMDD.log`
// (hourly u_exYYMMDDHH, weekly u_exYYMMWW, monthly u_exYYMM, MaxSize u_extend1), rolled over on UTC,
// records in UTC, IIS's fixed field order for the site's logExtFileFlags. Lines are buffered and
// appended when 64 KiB are waiting or a second after the first of them (IIS flushes about once a minute;
// sooner here so a tail -f shows something). A worker writes the `#Software … #Fields` header block the
// first time it writes to a file, as IIS does whenever logging restarts. A destination that cannot be
// written is reported once a minute and its lines dropped; logging never fails a request.
import { appendFileSync, mkdirSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Site } from '@poolhost/config';

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

type FieldWriter = (record: LogRecord, writer: W3cLogWriter) => string;

/** Flag → field name and value, in IIS's fixed order. */
const FIELDS: Array<[flag: string, field: string, value: FieldWriter]> = [
  ['Date', 'date', (_r, w) => w.currentDate],
  ['Time', 'time', (_r, w) => w.currentTime],
  ['SiteName', 's-sitename', (_r, w) => w.siteLogName],
  ['ComputerName', 's-computername', () => encode(hostname())],
  ['ServerIP', 's-ip', (r) => encode(r.serverIp)],
  ['Method', 'cs-method', (r) => encode(r.method)],
  ['UriStem', 'cs-uri-stem', (r) => encode(r.uriStem)],
  ['UriQuery', 'cs-uri-query', (r) => encode(r.uriQuery)],
  ['ServerPort', 's-port', (r) => String(r.serverPort)],
  ['UserName', 'cs-username', (r) => encode(r.userName)],
  ['ClientIP', 'c-ip', (r) => encode(r.clientIp)],
  ['ProtocolVersion', 'cs-version', (r) => encode(r.protocolVersion)],
  ['UserAgent', 'cs(User-Agent)', (r) => encode(r.userAgent)],
  ['Cookie', 'cs(Cookie)', (r) => encode(r.cookie)],
  ['Referer', 'cs(Referer)', (r) => encode(r.referer)],
  ['Host', 'cs-host', (r) => encode(r.host)],
  ['HttpStatus', 'sc-status', (r) => String(r.status)],
  ['HttpSubStatus', 'sc-substatus', (r) => String(r.subStatus)],
  ['Win32Status', 'sc-win32-status', (r) => String(r.win32Status)],
  ['BytesSent', 'sc-bytes', (r) => String(r.bytesSent)],
  ['BytesRecv', 'cs-bytes', (r) => String(r.bytesReceived)],
  ['TimeTaken', 'time-taken', (r) => String(r.timeTaken)],
];

/** `-` for empty; spaces become `+` (reference §12). */
function encode(value: string | undefined): string {
  if (!value) return '-';
  return value.includes(' ') ? value.replaceAll(' ', '+') : value;
}

const pad = (value: number): string => (value < 10 ? `0${value}` : String(value));
const FLUSH_BYTES = 64 * 1024;
const FLUSH_DELAY_MS = 1_000;

export class W3cLogWriter {
  readonly enabled: boolean;
  readonly directory: string;
  readonly siteLogName: string;
  private readonly fields: FieldWriter[];
  private readonly fieldsDirective: string;
  currentDate = '';
  currentTime = '';
  private currentSecond = -1;
  private currentFile = '';
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Files this process has written its header block to. */
  private readonly started = new Set<string>();
  private lastFailureReport = 0;

  constructor(
    private readonly site: Site,
    private readonly logger: Logger,
  ) {
    const logFile = site.logFile;
    this.enabled = logFile.enabled && logFile.logFormat === 'W3C';
    this.directory = join(logFile.directory, `W3SVC${site.id}`);
    this.siteLogName = logFile.logSiteId ? `W3SVC${site.id}` : encode(site.name);
    const flags = new Set(logFile.logExtFileFlags.map((flag) => flag.toLowerCase()));
    const selected = FIELDS.filter(([flag]) => flags.has(flag.toLowerCase()));
    this.fields = selected.map(([, , value]) => value);
    this.fieldsDirective = selected.map(([, field]) => field).join(' ');
  }

  log(record: LogRecord, now = Date.now()): void {
    if (!this.enabled) return;
    const second = Math.floor(now / 1000);
    if (second !== this.currentSecond) this.tick(now, second);
    let line = '';
    for (let index = 0; index < this.fields.length; index++) line += (index === 0 ? '' : ' ') + this.fields[index]!(record, this);
    line += '\r\n';
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  private tick(now: number, second: number): void {
    this.currentSecond = second;
    const date = new Date(now);
    this.currentDate = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    this.currentTime = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
    const file = join(this.directory, this.fileName(date));
    if (file !== this.currentFile) {
      // Lines buffered for the previous period belong to the previous file.
      if (this.buffer.length) this.flush();
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

  private takeBuffer(): { file: string; text: string } | null {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return null;
    const file = this.currentFile;
    let text = this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    if (!this.started.has(file)) {
      this.started.add(file);
      text = `#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: ${this.currentDate} ${this.currentTime}\r\n#Fields: ${this.fieldsDirective}\r\n${text}`;
    }
    return { file, text };
  }

  flush(): void {
    const chunk = this.takeBuffer();
    if (!chunk) return;
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(this.directory, { recursive: true });
        await appendFile(chunk.file, chunk.text);
      } catch (error) {
        this.reportFailure(error);
      }
    });
  }

  flushSync(): void {
    const chunk = this.takeBuffer();
    if (!chunk) return;
    try {
      mkdirSync(this.directory, { recursive: true });
      appendFileSync(chunk.file, chunk.text);
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

// The W3C line of a cache hit. HTTP.SYS writes it on behalf of the site (the worker never sees the
// request), in the site's log file beside the worker's lines, with the fields the worker would have
// written — except what the cache cannot know: time-taken is 0 (httpsys does not time a request from
// its first byte; a hit takes well under a millisecond), cs-bytes is the request head as parsed
// (request line and headers re-counted, not the bytes on the wire), sc-win32-status is 0 (the line is
// written when the response is handed to the socket, before the client has it). cs-username is '-': only
// anonymous responses are cached.
import type { Logger } from 'pino';
import { W3cLogWriter, type LogRecord } from '@poolhost/common';
import type { UrlGroup } from '@poolhost/protocol';
import type { RequestHead } from '../connections/client-connection.js';

/** What a hit's line takes of the connection (an HTTP/1.1 connection or an HTTP/2 session). */
export interface HitAddresses {
  readonly clientIp: string;
  readonly localIp: string;
  readonly localPort: number;
}

/** cs-version: the common ones without building the string. */
function protocolVersion(major: number, minor: number): string {
  if (major === 1) return minor === 1 ? 'HTTP/1.1' : minor === 0 ? 'HTTP/1.0' : `HTTP/1.${minor}`;
  return major === 2 && minor === 0 ? 'HTTP/2.0' : `HTTP/${major}.${minor}`;
}

export class HitLog {
  /** The record every hit's line is encoded from (the writer copies it into its buffer at once). */
  private readonly record: LogRecord = {
    method: '',
    uriStem: '',
    uriQuery: '',
    serverIp: '',
    serverPort: 0,
    userName: '',
    clientIp: '',
    protocolVersion: '',
    userAgent: undefined,
    cookie: undefined,
    referer: undefined,
    host: undefined,
    status: 0,
    subStatus: 0,
    win32Status: 0,
    bytesSent: 0,
    bytesReceived: 0,
    timeTaken: 0,
  };

  /** siteId -> the site's writer and the settings it was made with (JSON of logFile and name). */
  private writers = new Map<number, { settings: string; writer: W3cLogWriter }>();

  constructor(private readonly logger: Logger) {}

  /** The sites' log settings from a new routing table (config changes are rare: JSON compare); changed ones start over. */
  apply(urlGroups: readonly UrlGroup[]): void {
    const next = new Map<number, { settings: string; writer: W3cLogWriter }>();
    for (const group of urlGroups) {
      if (!group.logFile) continue;
      const settings = JSON.stringify([group.siteName, group.logFile]);
      const existing = this.writers.get(group.siteId);
      if (existing && existing.settings === settings) next.set(group.siteId, existing);
      else next.set(group.siteId, { settings, writer: new W3cLogWriter({ id: group.siteId, name: group.siteName, logFile: group.logFile }, this.logger) });
    }
    for (const [siteId, old] of this.writers) if (next.get(siteId) !== old) old.writer.flush();
    this.writers = next;
  }

  /**
   * One hit's line. The record is this log's own, filled in and encoded into the writer's buffer at once
   * (no object per hit); `now` is the hit's clock reading.
   */
  log(siteId: number, head: RequestHead, connection: HitAddresses, status: number, bytesSent: number, now: number): void {
    const writer = this.writers.get(siteId)?.writer;
    if (writer === undefined || !writer.enabled) return;
    const raw = head.rawHeaders;
    let userAgent: string | undefined;
    let cookie: string | undefined;
    let referer: string | undefined;
    let host: string | undefined;
    let headBytes = head.method.length + head.url.length + 13; // `GET /x HTTP/1.1\r\n`
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      headBytes += name.length + value.length + 4;
      // Only names of the four lengths wanted are compared (lower-casing a name is a new string).
      switch (name.length) {
        case 4:
          if (name === 'Host' || name.toLowerCase() === 'host') host = value;
          break;
        case 6:
          if (name === 'Cookie' || name.toLowerCase() === 'cookie') cookie = value;
          break;
        case 7:
          if (name === 'Referer' || name.toLowerCase() === 'referer') referer = value;
          break;
        case 10:
          if (name === 'User-Agent' || name.toLowerCase() === 'user-agent') userAgent = value;
          break;
      }
    }
    const record = this.record;
    record.method = head.method;
    record.uriStem = head.url;
    record.serverIp = connection.localIp;
    record.serverPort = connection.localPort;
    record.clientIp = connection.clientIp;
    record.protocolVersion = protocolVersion(head.httpVersionMajor, head.httpVersionMinor);
    record.userAgent = userAgent;
    record.cookie = cookie;
    record.referer = referer;
    record.host = host;
    record.status = status;
    record.bytesSent = bytesSent;
    record.bytesReceived = headBytes + 2;
    writer.log(record, now);
  }

  /** Writes buffered lines (tests, shutdown). */
  async drained(): Promise<void> {
    await Promise.all([...this.writers.values()].map(({ writer }) => writer.drained()));
  }
}

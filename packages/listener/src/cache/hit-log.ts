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

export class HitLog {
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

  log(siteId: number, head: RequestHead, connection: HitAddresses, status: number, bytesSent: number): void {
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
      switch (name.toLowerCase()) {
        case 'user-agent':
          userAgent = value;
          break;
        case 'cookie':
          cookie = value;
          break;
        case 'referer':
          referer = value;
          break;
        case 'host':
          host = value;
          break;
      }
    }
    const record: LogRecord = {
      method: head.method,
      uriStem: head.url,
      uriQuery: '',
      serverIp: connection.localIp,
      serverPort: connection.localPort,
      userName: '',
      clientIp: connection.clientIp,
      protocolVersion: `HTTP/${head.httpVersionMajor}.${head.httpVersionMinor}`,
      userAgent,
      cookie,
      referer,
      host,
      status,
      subStatus: 0,
      win32Status: 0,
      bytesSent,
      bytesReceived: headBytes + 2,
      timeTaken: 0,
    };
    writer.log(record);
  }

  /** Writes buffered lines (tests, shutdown). */
  async drained(): Promise<void> {
    await Promise.all([...this.writers.values()].map(({ writer }) => writer.drained()));
  }
}

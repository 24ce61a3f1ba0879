// HttpLoggingModule, LogRequest: one W3C record per request into the site's log writer, unless
// `httpLogging@dontLog` or `selectiveLogging` (LogSuccessful: status < 400, LogError: ≥ 400) says no.
import type { HttpLoggingSection } from '@poolhost/config';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { HttpModule } from '../../pipeline/http-module.js';
import type { W3cLogWriter } from '@poolhost/common';

const PROTOCOL_VERSIONS: Readonly<Record<string, string>> = { '1.1': 'HTTP/1.1', '1.0': 'HTTP/1.0' };

export function httpLoggingModule(section: HttpLoggingSection, writer: W3cLogWriter): HttpModule | null {
  if (section.dontLog || !writer.enabled) return null;
  const selective = section.selectiveLogging;
  const logRequest = (context: HttpContext): void => {
    const { req, res } = context;
    const status = res.statusCode;
    if (selective === 'LogSuccessful' ? status >= 400 : selective === 'LogError' ? status < 400 : false) return;
    const headers = req.headers;
    const socket = req.socket;
    const now = Date.now();
    writer.log({
      method: req.method ?? '',
      uriStem: context.rawPath,
      uriQuery: queryOf(req.url ?? ""),
      serverIp: socket.localAddress ?? '',
      serverPort: socket.localPort ?? 0,
      userName: context.user ?? '',
      clientIp: socket.remoteAddress ?? '',
      protocolVersion: PROTOCOL_VERSIONS[req.httpVersion] ?? `HTTP/${req.httpVersion}`,
      userAgent: headers['user-agent'],
      cookie: headers.cookie,
      referer: headers.referer,
      host: headers.host,
      status,
      subStatus: context.subStatus,
      win32Status: context.win32Status !== 0 ? context.win32Status : res.writableEnded ? 0 : 64,
      bytesSent: socket.bytesWritten ?? 0,
      bytesReceived: socket.bytesRead ?? 0,
      timeTaken: now - context.startedAt,
    }, now);
  };
  return { name: 'HttpLoggingModule', stages: { LogRequest: logRequest } };
}

/** The query as the client sent it (cs-uri-query is never the rewritten one). */
function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

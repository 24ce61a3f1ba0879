import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { W3cLogSite as Site } from '../../src/w3c-log/w3c-log-writer.js';
import { W3cLogWriter, type LogRecord } from '../../src/w3c-log/w3c-log-writer.js';

const record: LogRecord = {
  method: 'GET',
  uriStem: '/a b/ü€😀',
  uriQuery: '',
  serverIp: '::1',
  serverPort: 80,
  userName: '',
  clientIp: '10.0.0.1',
  protocolVersion: 'HTTP/1.1',
  userAgent: 'Test Agent/1.0',
  cookie: undefined,
  referer: undefined,
  host: 'www.contoso.com',
  status: 404,
  subStatus: 8,
  win32Status: 64,
  bytesSent: 4294967295,
  bytesReceived: 0,
  timeTaken: 1234567,
};

test('records are encoded as IIS does (- for empty, + for spaces, UTF-8), one CRLF line each, after the header block', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'w3c-log-'));
  const flags = ['Date', 'Time', 'SiteName', 'Method', 'UriStem', 'UriQuery', 'ServerPort', 'UserName', 'UserAgent', 'Cookie', 'Host', 'HttpStatus', 'HttpSubStatus', 'Win32Status', 'BytesSent', 'BytesRecv', 'TimeTaken'];
  const site = { id: 7, name: 'My Site', logFile: { enabled: true, logFormat: 'W3C', directory, logSiteId: false, logExtFileFlags: flags, period: 'Daily' } } as unknown as Site;
  const writer = new W3cLogWriter(site, pino({ level: 'silent' }));
  const now = Date.UTC(2026, 10, 21, 9, 5, 3);
  writer.log(record, now);
  writer.log({ ...record, uriStem: '/', userAgent: 'x'.repeat(70_000), timeTaken: -2 }, now);
  await writer.drained();
  const lines = readFileSync(join(directory, 'W3SVC7', 'u_ex261121.log'), 'utf8').split('\r\n');
  rmSync(directory, { recursive: true, force: true });
  assert.equal(lines[2], '#Date: 2026-11-21 09:05:03');
  assert.equal(lines[3], `#Fields: date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username cs(User-Agent) cs(Cookie) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken`);
  assert.equal(lines[4], '2026-11-21 09:05:03 My+Site GET /a+b/ü€😀 - 80 - Test+Agent/1.0 - www.contoso.com 404 8 64 4294967295 0 1234567');
  assert.equal(lines[5], `2026-11-21 09:05:03 My+Site GET / - 80 - ${'x'.repeat(70_000)} - www.contoso.com 404 8 64 4294967295 0 -2`);
  assert.equal(lines[6], '');
  assert.equal(lines.length, 7);
});

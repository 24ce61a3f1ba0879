import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { HttpErrLog } from '../../src/httperr-log/httperr-log.js';
import { formatHttpErrLine } from '../../src/httperr-log/httperr-line.js';

test('a record: UTC date and time, spaces as +, missing fields as -', () => {
  const line = formatHttpErrLine(
    { clientIp: '::1', clientPort: 5000, serverIp: '::1', serverPort: 80, protocolVersion: 'HTTP/1.1', method: 'GET', uri: '/a b\tc', statusCode: 503, siteId: 1, reason: 'QueueFull', queueName: 'Default App Pool' },
    new Date(Date.UTC(2002, 6, 5, 18, 45, 9)),
  );
  assert.equal(line, '2002-07-05 18:45:09 ::1 5000 ::1 80 HTTP/1.1 GET /a+b+c - 503 1 QueueFull Default+App+Pool\r\n');
  const timer = formatHttpErrLine({ clientIp: '172.31.77.6', clientPort: 64388, serverIp: '127.0.0.1', serverPort: 80, reason: 'Timer_MinBytesPerSecond' }, new Date(Date.UTC(2002, 6, 5, 20, 6, 1)));
  assert.equal(timer, '2002-07-05 20:06:01 172.31.77.6 64388 127.0.0.1 80 - - - - - - Timer_MinBytesPerSecond -\r\n');
});

test('files roll at errorLogFileTruncateSize, each with its W3C header', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'httperr-'));
  try {
    const log = new HttpErrLog(pino({ level: 'silent' }));
    log.configure({ enabled: true, directory, truncateSize: 1024 * 1024 });
    const uri = `/${'x'.repeat(3000)}`;
    for (let i = 0; i < 400; i++) log.write({ clientIp: '127.0.0.1', clientPort: i, method: 'GET', uri, statusCode: 400, reason: 'BadRequest' });
    await log.close();
    const files = readdirSync(directory).sort();
    assert.deepEqual(files, ['httperr1.log', 'httperr2.log']);
    for (const file of files) {
      const text = readFileSync(join(directory, file), 'latin1');
      assert.ok(text.startsWith('#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: '));
      assert.ok(text.length <= 1024 * 1024);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a failing destination is reported once and never throws', async () => {
  const root = mkdtempSync(join(tmpdir(), 'httperr-'));
  try {
    const blocker = join(root, 'not-a-directory');
    writeFileSync(blocker, '');
    const errors: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
    const log = new HttpErrLog(logger);
    log.configure({ enabled: true, directory: join(blocker, 'httperr'), truncateSize: 1024 * 1024 });
    for (let round = 0; round < 3; round++) {
      log.write({ reason: 'BadRequest' });
      await log.flush();
    }
    await log.close();
    assert.equal(errors.length, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { forwardWorkerOutput } from '../../src/worker-process/worker-output.js';
import { settle } from '@poolhost/common/testing';

test('worker JSON lines pass through with pool, pid and workerId; other lines are wrapped and prefixed', async () => {
  const written: string[] = [];
  const logged: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    service: 'was',
    destination: new Writable({
      write(chunk, _encoding, done) {
        logged.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const context = { applicationPool: 'AppA', pid: 77, workerId: '3', logger, write: (line: string) => written.push(line) };
  forwardWorkerOutput(stdout, 'stdout', context);
  forwardWorkerOutput(stderr, 'stderr', context);
  stdout.write('{"level":30,"service":"w3wp","pid":77,"msg":"ready"}\nplain text\n');
  stderr.write('TypeError: boom\n');
  await settle();
  assert.deepEqual(written.map((line) => JSON.parse(line)), [{ level: 30, service: 'w3wp', pid: 77, msg: 'ready', pool: 'AppA', workerId: '3' }]);
  assert.deepEqual(logged.map((line) => [line.level, line.msg, line.pool, line.workerPid]), [
    [30, '[AppA 77] plain text', 'AppA', 77],
    [40, '[AppA 77] TypeError: boom', 'AppA', 77],
  ]);
});

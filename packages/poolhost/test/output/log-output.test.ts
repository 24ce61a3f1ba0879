import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogOutput } from '../../src/output/log-output.js';
import { settle } from '@poolhost/common/testing';

test('raw output passes JSON lines through and wraps anything else with the service name', async () => {
  const destination = new PassThrough();
  const chunks: string[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
  const output = createLogOutput(destination, false);
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  output.forward(stdout, 'was', 'stdout');
  output.forward(stderr, 'httpsys', 'stderr');
  stdout.write('{"level":30,"service":"was","msg":"hello"}\n');
  stderr.write('Error: Cannot find module\n');
  await settle();
  const lines = chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines[0], { level: 30, service: 'was', msg: 'hello' });
  assert.equal(lines[1]!.service, 'httpsys');
  assert.equal(lines[1]!.level, 50);
  assert.equal(lines[1]!.msg, 'Error: Cannot find module');
});

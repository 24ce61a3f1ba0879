import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/logging-service.ts', import.meta.url));

interface Run {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<{ msg: string; level: number; reason?: string; err?: { message: string } }>;
}

/** Starts the fixture, sends `signal` once it has logged `signalAfter`, collects its output. */
async function run(behaviour: string, signal?: NodeJS.Signals, signalAfter = 'started'): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, behaviour], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  let signalled = false;
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (signal && !signalled && output.includes(`"msg":"${signalAfter}"`)) {
      signalled = true;
      child.kill(signal);
    }
  });
  const [exitCode, exitSignal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (!child.stdout.readableEnded) await once(child.stdout, 'end');
  const lines = output.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Run['lines'][number]);
  return { exitCode, signal: exitSignal, lines };
}

test('SIGTERM stops the service gracefully; its last line is written before the process exits, exit code 0', async () => {
  const { exitCode, signal, lines } = await run('stop-ok', 'SIGTERM');
  assert.equal(signal, null);
  assert.equal(exitCode, 0);
  assert.deepEqual(lines.map((line) => line.msg), ['building', 'started', 'SIGTERM: shutting down', 'draining', 'last line before exit']);
  assert.equal(lines.at(-1)?.reason, 'SIGTERM');
});

test('SIGINT stops it the same way', async () => {
  const { exitCode, lines } = await run('stop-ok', 'SIGINT');
  assert.equal(exitCode, 0);
  assert.equal(lines.at(-1)?.msg, 'last line before exit');
});

test('a stop that fails is logged and ends with exit code 1', async () => {
  const { exitCode, lines } = await run('stop-fails', 'SIGTERM');
  assert.equal(exitCode, 1);
  assert.equal(lines.at(-1)?.msg, 'logging-service failed to stop: could not close the listener');
  assert.equal(lines.at(-1)?.level, 50);
});

test('a start that fails is logged as fatal and ends with exit code 1', async () => {
  const { exitCode, lines } = await run('start-fails');
  assert.equal(exitCode, 1);
  assert.equal(lines.at(-1)?.msg, 'logging-service could not start: port 80 is taken');
  assert.equal(lines.at(-1)?.level, 60);
});

test('a signal while the service is still starting ends the process at once with exit code 0', async () => {
  const { exitCode, signal, lines } = await run('slow-start', 'SIGTERM', 'building');
  assert.equal(signal, null, 'the signal is handled from the first moment, not by its default action');
  assert.equal(exitCode, 0);
  assert.deepEqual(lines.map((line) => line.msg), ['building', 'SIGTERM: shutting down']);
});

test('a service that ends itself exits with the code it chose', async () => {
  const { exitCode, lines } = await run('ends-itself');
  assert.equal(exitCode, 75);
  assert.deepEqual(lines.map((line) => line.msg), ['building', 'started']);
});

test('a parent that went away while the service was still loading ends it before it starts, exit code 0', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, 'loads-slowly'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (output += chunk));
  child.disconnect(); // what poolhost's death does to the channel
  const [exitCode] = (await once(child, 'exit')) as [number | null];
  assert.equal(exitCode, 0);
  assert.doesNotMatch(output, /"msg":"building"/, 'nothing was built');
  assert.match(output, /poolhost went away: shutting down/);
});

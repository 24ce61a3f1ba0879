// w3wp's process contract: StopWorker drains and exits 0; an application's throw answers 500 and exits
// 1; process.exit(3) in the application is the worker's exit code; losing httpsys exits 75.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Harness, request, until } from './harness.js';

const harness = new Harness([
  {
    name: 'LifecyclePool',
    files: {
      'server.js': `
module.exports = (req, res) => {
  if (req.url === '/throw') throw new Error('application bug');
  if (req.url === '/exit3') process.exit(3);
  if (req.url === '/slow') return setTimeout(() => res.end('slow done'), 3000);
  res.end('ok ' + process.pid);
};
`,
    },
  },
]);

before(() => harness.start());
after(() => harness.stop());

/**
 * A worker of the pool for one test. Each test stops its own worker even when it fails: the next test's
 * requests must reach the next worker, not one left running (that hung this file until its timeout).
 */
async function workerFor(t: TestContext): Promise<ChildProcess> {
  const worker = await harness.startWorker('LifecyclePool');
  t.after(() => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    return exitOf(worker).then(() => undefined);
  });
  return worker;
}

/** A failed assertion ends the test; a worker that never answers or exits does too, within this. */
const timeout = 30_000;

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

test('PingWorker, ListWorkerRequests, then StopWorker: acknowledged, in-flight request finishes, exit 0', { timeout }, async (t) => {
  const worker = await workerFor(t);
  assert.equal((await request(harness.port, '/')).status, 200);
  const health = await harness.controlOf(worker).request({ type: 'PingWorker' });
  const { eventLoopDelayP99Ms, eventLoopDelayMaxMs, heapUsedBytes, ...requestCounters } = health.counters;
  assert.deepEqual({ ...health, counters: requestCounters }, {
    type: 'WorkerHealth',
    requestsServed: 1,
    requestsInFlight: 0,
    counters: {
      errors401: 0,
      errors403: 0,
      errors404: 0,
      errors500: 0,
      websocketActiveRequests: 0,
      websocketConnectionAttempts: 0,
      websocketConnectionsAccepted: 0,
      websocketConnectionsRejected: 0,
      // An application's answer never touches the static file handler's cache.
      fileCache: { hits: 0, misses: 0, flushes: 0, flushedFiles: 0, currentFiles: 0, currentBytes: 0, maximumBytes: 0, totalFiles: 0 },
    },
  });
  // Sampled from a second after the worker is ready: unknown (both null) until then, never a made-up 0.
  if (eventLoopDelayP99Ms === null || eventLoopDelayMaxMs === null) assert.deepEqual([eventLoopDelayP99Ms, eventLoopDelayMaxMs], [null, null]);
  else assert.ok(eventLoopDelayMaxMs >= eventLoopDelayP99Ms && eventLoopDelayP99Ms >= 0);
  assert.ok(heapUsedBytes !== null && heapUsedBytes > 1_000_000, `${heapUsedBytes} bytes of heap`);
  // /slow runs 3 s: listed once it has reached the worker (waited for, not a guessed 100 ms), while it runs.
  const slow = request(harness.port, '/slow');
  let list = { requests: [] } as { requests: Array<{ url: string; verb: string; stage: string }> };
  await until('the slow request to be listed', async () => {
    list = await harness.controlOf(worker).request({ type: 'ListWorkerRequests' });
    return list.requests.length > 0;
  });
  assert.equal(list.requests.length, 1);
  assert.equal(list.requests[0]!.url, '/slow');
  assert.equal(list.requests[0]!.stage, 'ExecuteRequestHandler');
  assert.deepEqual(await harness.controlOf(worker).request({ type: 'StopWorker', reason: 'test', shutdownTimeLimit: 10_000 }), { type: 'Acknowledged' });
  const response = await slow;
  assert.equal(response.body.toString(), 'slow done');
  assert.equal(await exitOf(worker), 0);
});

test('an uncaught exception in the application answers 500 and exits 1', { timeout }, async (t) => {
  const worker = await workerFor(t);
  const response = await request(harness.port, '/throw');
  assert.equal(response.status, 500);
  assert.equal(await exitOf(worker), 1);
});

test('process.exit(3) in the application ends the worker with 3', { timeout }, async (t) => {
  const worker = await workerFor(t);
  const exited = exitOf(worker);
  // A POST is not retried on the next worker: the client gets 502.
  const response = await request(harness.port, '/exit3', { method: 'POST', body: 'x' });
  assert.equal(response.status, 502);
  assert.equal(await exited, 3);
});

test('losing the data connection to httpsys exits 75', { timeout }, async (t) => {
  const worker = await workerFor(t);
  const exited = exitOf(worker);
  // What httpsys dying looks like to the worker: its data connection closes.
  for (const connection of (harness.httpSys as unknown as { workers: Set<{ socket: { destroy(): void } }> }).workers) connection.socket.destroy();
  assert.equal(await exited, 75);
});

// A worker SIGKILLed with requests dispatched and queued: the queued one is kept for the next worker,
// the idempotent in-flight one is retried there once, a POST that streamed its body fails with 502.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, request, until } from './harness.js';

const harness = new Harness([
  {
    name: 'LossPool',
    files: {
      'server.js': `
const http = require('http');
const first = process.env.POOLHOST_WORKER_ID.endsWith('-1');
http.createServer((req, res) => {
  if (first && req.url.startsWith('/hang')) { req.resume(); return; } // the first worker never answers these
  req.resume();
  req.on('end', () => res.end(JSON.stringify({ pid: process.pid, url: req.url })));
}).listen(process.env.PORT);
`,
    },
  },
]);

before(() => harness.start());
after(() => harness.stop());

test('queued and idempotent in-flight requests survive a SIGKILLed worker; a POST gets 502', async () => {
  // Capacity 2: /hang-get and /hang-post occupy the first worker; /queued waits in the queue.
  const first = await harness.startWorker('LossPool', { POOLHOST_WORKER_CAPACITY: '2' });
  const hangingGet = request(harness.port, '/hang-get');
  const hangingPost = request(harness.port, '/hang-post', { method: 'POST', body: 'x'.repeat(1000) });
  const lossPool = () => harness.httpSys.counters().requestQueues.find((queue) => queue.applicationPool === 'LossPool')!;
  // Waited for, not slept on: on a loaded machine 200 ms may not see both dispatched (then /queued could take a place).
  await until('both hanging requests in flight', () => lossPool().requestsInFlight === 2);
  const queued = request(harness.port, '/queued');
  await until('/queued to wait in the queue', () => lossPool().currentQueueSize === 1);
  const counters = lossPool();
  assert.equal(counters.requestsInFlight, 2);
  assert.equal(counters.currentQueueSize, 1);

  const exited = new Promise((resolve) => first.once('exit', resolve));
  first.kill('SIGKILL');
  await exited;
  const post = await hangingPost;
  assert.equal(post.status, 502);
  await until('httpsys to ask for a replacement while requests wait', () => harness.events.some((event) => event.type === 'WorkerDemanded' && event.reason === 'NoWorker'));

  const second = await harness.startWorker('LossPool');
  const [get, waiting] = await Promise.all([hangingGet, queued]);
  assert.equal(get.status, 200);
  assert.equal(JSON.parse(get.body.toString()).pid, second.pid, 'the GET was retried on the new worker');
  assert.equal(waiting.status, 200);
  assert.equal(JSON.parse(waiting.body.toString()).pid, second.pid, 'the queued request went to the new worker');
  const after = harness.httpSys.counters().requestQueues.find((queue) => queue.applicationPool === 'LossPool')!;
  assert.equal(after.retried, 1);
});

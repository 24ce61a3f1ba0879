// A standby worker (ATTACH with the standby flag) gets no request until a worker of its pool crashes;
// then it takes the queue at once, including the crashed worker's retried request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, request } from './harness.js';

const harness = new Harness([
  {
    name: 'StandbyPool',
    files: {
      'server.js': `
require('http').createServer((req, res) => {
  if (req.url.startsWith('/hang') && !process.env.POOLHOST_STANDBY) return; // the first worker never answers these
  res.end(String(process.pid));
}).listen(process.env.PORT);
`,
    },
  },
  { name: 'LateStandbyPool', path: '/late', files: { 'server.js': `require('http').createServer((req, res) => res.end(String(process.pid))).listen(process.env.PORT);` } },
]);

before(() => harness.start());
after(() => harness.stop());

test('the standby serves nothing while the worker lives, and takes over the moment it crashes', async () => {
  const active = await harness.startWorker('StandbyPool');
  const standby = await harness.startWorker('StandbyPool', { POOLHOST_STANDBY: '1' });
  for (let i = 0; i < 5; i++) assert.equal((await request(harness.port, '/')).body.toString(), String(active.pid));
  const counters = () => harness.httpSys.counters().requestQueues.find((queue) => queue.applicationPool === 'StandbyPool')!;
  assert.equal(counters().attachedWorkers, 1, 'the standby is not counted as a dispatching worker');

  const hanging = request(harness.port, '/hang');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const exited = new Promise((resolve) => active.once('exit', resolve));
  active.kill('SIGKILL');
  await exited;
  const retried = await hanging;
  assert.equal(retried.status, 200);
  assert.equal(retried.body.toString(), String(standby.pid), 'the in-flight GET was retried on the standby');
  assert.equal((await request(harness.port, '/')).body.toString(), String(standby.pid));
  assert.equal(counters().attachedWorkers, 1);
  assert.ok(!harness.events.some((event) => event.type === 'WorkerDemanded' && event.reason === 'NoWorker'), 'no demand start was needed');
  const promoted = harness.events.filter((event) => event.type === 'StandbyPromoted');
  assert.deepEqual(promoted, [
    { type: 'StandbyPromoted', applicationPool: 'StandbyPool', pid: standby.pid, workerId: promoted[0]?.workerId, crashedPid: active.pid, crashedWorkerId: promoted[0]?.crashedWorkerId },
  ], 'was is told which standby took over from which worker');
  assert.notEqual(promoted[0]!.workerId, promoted[0]!.crashedWorkerId);
});

test('a standby that attaches after the worker it stood by for was lost serves at once (was has already promoted it)', async () => {
  const active = await harness.startWorker('LateStandbyPool');
  const exited = new Promise((resolve) => active.once('exit', resolve));
  active.kill('SIGKILL');
  await exited;
  const waiting = request(harness.port, '/late/');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const standby = await harness.startWorker('LateStandbyPool', { POOLHOST_STANDBY: '1' });
  const answer = await waiting;
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), String(standby.pid), 'the queued request went to the late standby');
  assert.equal((await request(harness.port, '/late/')).body.toString(), String(standby.pid));
});

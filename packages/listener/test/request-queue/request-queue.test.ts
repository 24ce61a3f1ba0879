import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestQueue, type DemandReason, type QueueableRequest, type QueueWorker } from '../../src/request-queue/request-queue.js';

/** A request as the queue sees it. */
class FakeRequest implements QueueableRequest {
  cancelled = false;
  constructor(
    readonly name: string,
    readonly queueTimeout = 120_000,
  ) {}
}

/** A worker that takes what it is offered up to its capacity, or refuses everything once closed. */
class FakeWorker implements QueueWorker<FakeRequest> {
  inFlight = 0;
  detached = false;
  refusing = false;
  readonly dispatched: string[] = [];
  constructor(readonly capacity: number) {}

  offer(request: FakeRequest): boolean {
    if (this.refusing) return false;
    this.inFlight++;
    this.dispatched.push(request.name);
    return true;
  }
}

function queueWithEvents(): { queue: RequestQueue<FakeRequest>; demands: DemandReason[]; expired: string[]; activity: number[] } {
  const demands: DemandReason[] = [];
  const expired: string[] = [];
  const activity: number[] = [];
  const queue = new RequestQueue<FakeRequest>('Pool', {
    workerDemanded: (_queue, reason) => demands.push(reason),
    requestExpired: (request) => expired.push(request.name),
    queueActive: () => activity.push(Date.now()),
  });
  queue.declared = true;
  return { queue, demands, expired, activity };
}

test('an accepted request announces queue activity at most once a second; a refused one does not', () => {
  const { queue, activity } = queueWithEvents();
  queue.setEnabled(false, 'AppOffline');
  assert.equal(queue.submit(new FakeRequest('refused')), 'AppOffline');
  assert.equal(activity.length, 0);
  queue.setEnabled(true, undefined);
  queue.submit(new FakeRequest('a'));
  queue.submit(new FakeRequest('b'));
  queue.submit(new FakeRequest('c'));
  assert.equal(activity.length, 1, 'three requests within a second announce the queue once');
});

test('a request that waits for a worker asks for one before the queue announces activity; a QueueFull refusal still announces it', () => {
  const heard: string[] = [];
  const queue = new RequestQueue<FakeRequest>('Pool', {
    workerDemanded: (_queue, reason) => heard.push(`demand ${reason}`),
    requestExpired: () => undefined,
    queueActive: () => heard.push('active'),
  });
  queue.declared = true;
  assert.equal(queue.submit(new FakeRequest('a')), null);
  assert.deepEqual(heard, ['demand NoWorker', 'active'], 'WorkerDemanded first: w3svc and was handle the demand start before the activity');
  const full = new RequestQueue<FakeRequest>('Full', { workerDemanded: () => undefined, requestExpired: () => undefined, queueActive: () => heard.push('full active') });
  full.declared = true;
  full.settings.queueLength = 0;
  assert.equal(full.submit(new FakeRequest('b')), 'QueueFull');
  assert.deepEqual(heard.slice(2), ['full active']);
});

test('requests wait while no worker is attached, demand one once, and go to the first worker that attaches', () => {
  const { queue, demands } = queueWithEvents();
  queue.settings.queueLength = 2;
  assert.equal(queue.submit(new FakeRequest('a')), null);
  assert.equal(queue.submit(new FakeRequest('b')), null);
  assert.equal(queue.submit(new FakeRequest('c')), 'QueueFull');
  assert.deepEqual(demands, ['NoWorker'], 'rate-limited to one demand per interval');
  const worker = new FakeWorker(10);
  queue.attach(worker, false);
  assert.deepEqual(worker.dispatched, ['a', 'b']);
  assert.equal(queue.queuedRequests, 0);
  const counters = queue.snapshot(Date.now());
  assert.equal(counters.rejectedRequests, 1);
  assert.deepEqual(counters.rejectedByReason, { QueueFull: 1 });
});

test('disabling the queue returns its waiting requests, counted as rejected with the reason', () => {
  const { queue } = queueWithEvents();
  queue.submit(new FakeRequest('a'));
  queue.submit(new FakeRequest('b'));
  const refused = queue.setEnabled(false, 'AppOffline');
  assert.deepEqual(
    refused.map((request) => request.name),
    ['a', 'b'],
  );
  assert.equal(queue.queuedRequests, 0);
  assert.equal(queue.submit(new FakeRequest('c')), 'AppOffline');
  assert.deepEqual(queue.snapshot(Date.now()).rejectedByReason, { AppOffline: 3 });
});

test('dispatch goes to the worker with the fewest requests in flight, within capacity', () => {
  const { queue, demands } = queueWithEvents();
  queue.settings.maxProcesses = 3;
  const one = new FakeWorker(2);
  const two = new FakeWorker(2);
  queue.attach(one, false);
  queue.attach(two, false);
  for (const name of ['a', 'b', 'c', 'd', 'e']) queue.submit(new FakeRequest(name));
  assert.deepEqual(one.dispatched, ['a', 'c']);
  assert.deepEqual(two.dispatched, ['b', 'd']);
  assert.equal(queue.queuedRequests, 1, 'e waits: both workers are at capacity');
  assert.ok(demands.includes('AllWorkersBusy'), 'a web garden below maxProcesses asks for another worker');
  one.inFlight--;
  queue.dispatchWaiting();
  assert.deepEqual(one.dispatched, ['a', 'c', 'e']);
});

test('a request a worker refuses stays first in line and goes to the next worker', () => {
  const { queue } = queueWithEvents();
  const closing = new FakeWorker(10);
  closing.refusing = true;
  queue.attach(closing, false);
  queue.submit(new FakeRequest('a'));
  queue.submit(new FakeRequest('b'));
  assert.equal(queue.queuedRequests, 2, 'nothing lost to the refusing worker');
  const open = new FakeWorker(10);
  queue.attach(open, false);
  assert.deepEqual(open.dispatched, ['a', 'b']);
  assert.equal(queue.queuedRequests, 0);
});

test('a retried request goes back to the front; cancelled ones are skipped', () => {
  const { queue } = queueWithEvents();
  const b = new FakeRequest('b');
  queue.submit(new FakeRequest('a'));
  queue.submit(b);
  queue.submit(new FakeRequest('c'));
  b.cancelled = true;
  queue.withdraw();
  queue.requeueFront(new FakeRequest('retry'));
  const worker = new FakeWorker(10);
  queue.attach(worker, false);
  assert.deepEqual(worker.dispatched, ['retry', 'a', 'c']);
  assert.equal(queue.snapshot(Date.now()).retried, 1);
});

test('requests that waited longer than connectionTimeout expire (Timer_AppPool)', () => {
  const { queue, expired } = queueWithEvents();
  queue.submit(new FakeRequest('short', 1_000));
  queue.submit(new FakeRequest('long', 60_000));
  queue.sweep(Date.now() + 2_000);
  assert.deepEqual(expired, ['short']);
  assert.equal(queue.queuedRequests, 1);
  assert.equal(queue.snapshot(Date.now()).expired, 1);
});

test('a detached worker gets nothing new', () => {
  const { queue } = queueWithEvents();
  const worker = new FakeWorker(10);
  queue.attach(worker, false);
  worker.detached = true;
  queue.submit(new FakeRequest('a'));
  assert.deepEqual(worker.dispatched, []);
  assert.equal(queue.queuedRequests, 1);
});

test('a standby takes no request until a worker of the pool is lost without DETACH; then it takes the waiting ones', () => {
  const { queue } = queueWithEvents();
  const active = new FakeWorker(1);
  const standby = new FakeWorker(10);
  queue.attach(active, false);
  queue.attach(standby, true);
  queue.submit(new FakeRequest('a'));
  queue.submit(new FakeRequest('b'));
  assert.deepEqual(active.dispatched, ['a']);
  assert.deepEqual(standby.dispatched, [], 'the standby is out of dispatch');
  assert.equal(queue.workerGone(active, true), standby, 'a crash promotes the standby');
  assert.deepEqual(standby.dispatched, ['b']);
  assert.equal(queue.workerGone(standby, false), null, 'a planned stop promotes nothing');
  assert.equal(queue.attachedWorkers, 0);
});

test('a standby that attaches when its queue has no worker (the one it stood by for is gone) serves at once', () => {
  const { queue } = queueWithEvents();
  queue.submit(new FakeRequest('waiting'));
  const late = new FakeWorker(10);
  assert.equal(queue.attach(late, true), false, 'not kept as a standby');
  assert.deepEqual(late.dispatched, ['waiting']);
});

test('ArrivalRate counts each request once: taken, queued, or turned away (QueueFull, disabled, or while waiting)', () => {
  const { queue } = queueWithEvents();
  queue.settings.queueLength = 2;
  const worker = new FakeWorker(1);
  queue.attach(worker, false);
  queue.submit(new FakeRequest('dispatched'));
  queue.submit(new FakeRequest('waiting-1'));
  queue.submit(new FakeRequest('waiting-2'));
  assert.equal(queue.submit(new FakeRequest('full')), 'QueueFull');
  let counters = queue.snapshot(Date.now());
  assert.equal(counters.arrivals, 4, 'one dispatched, two waiting, one turned away with QueueFull');
  assert.equal(counters.rejectedRequests, 1);

  // The two waiting requests are rejected when the pool stops: they arrived once, already counted.
  assert.equal(queue.setEnabled(false, 'AppOffline').length, 2);
  assert.equal(queue.submit(new FakeRequest('offline')), 'AppOffline');
  counters = queue.snapshot(Date.now());
  assert.equal(counters.arrivals, 5);
  assert.equal(counters.rejectedRequests, 4);
  assert.deepEqual(counters.rejectedByReason, { QueueFull: 1, AppOffline: 3 });
});

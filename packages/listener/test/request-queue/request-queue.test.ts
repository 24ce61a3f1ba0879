import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestQueue, type DemandReason } from '../../src/request-queue/request-queue.js';
import type { ListenerRequest } from '../../src/requests/listener-request.js';
import type { WorkerConnection } from '../../src/data-plane/worker-connection.js';

interface FakeRequest {
  name: string;
  cancelled: boolean;
  enqueuedAt: number;
  site: { connectionTimeout: number };
}

function fakeRequest(name: string, connectionTimeout = 120_000): ListenerRequest {
  return { name, cancelled: false, enqueuedAt: 0, site: { connectionTimeout } } as FakeRequest as unknown as ListenerRequest;
}

function fakeWorker(capacity: number): WorkerConnection & { dispatched: string[] } {
  const worker = {
    capacity,
    inFlight: 0,
    detached: false,
    dispatched: [] as string[],
    dispatch(request: ListenerRequest) {
      worker.inFlight++;
      worker.dispatched.push((request as unknown as FakeRequest).name);
    },
  };
  return worker as unknown as WorkerConnection & { dispatched: string[] };
}

function queueWithEvents(): { queue: RequestQueue; demands: DemandReason[]; expired: string[]; activity: number[] } {
  const demands: DemandReason[] = [];
  const expired: string[] = [];
  const activity: number[] = [];
  const queue = new RequestQueue('Pool', {
    workerDemanded: (_queue, reason) => demands.push(reason),
    requestExpired: (request) => expired.push((request as unknown as FakeRequest).name),
    queueActive: () => activity.push(Date.now()),
  });
  queue.declared = true;
  return { queue, demands, expired, activity };
}

test('an accepted request announces queue activity at most once a second; a refused one does not', () => {
  const { queue, activity } = queueWithEvents();
  queue.enabled = false;
  assert.equal(queue.submit(fakeRequest('refused')), 'AppOffline');
  assert.equal(activity.length, 0);
  queue.enabled = true;
  queue.submit(fakeRequest('a'));
  queue.submit(fakeRequest('b'));
  queue.submit(fakeRequest('c'));
  assert.equal(activity.length, 1, 'three requests within a second announce the queue once');
});

test('requests wait while no worker is attached, demand one once, and go to the first worker that attaches', () => {
  const { queue, demands } = queueWithEvents();
  queue.settings.queueLength = 2;
  assert.equal(queue.submit(fakeRequest('a')), null);
  assert.equal(queue.submit(fakeRequest('b')), null);
  assert.equal(queue.submit(fakeRequest('c')), 'QueueFull');
  assert.deepEqual(demands, ['NoWorker'], 'rate-limited to one demand per interval');
  const worker = fakeWorker(10);
  queue.addWorker(worker);
  assert.deepEqual(worker.dispatched, ['a', 'b']);
  assert.equal(queue.queued, 0);
});

test('a disabled queue answers with its reason', () => {
  const { queue } = queueWithEvents();
  queue.enabled = false;
  queue.disabledReason = 'AppOffline';
  assert.equal(queue.submit(fakeRequest('a')), 'AppOffline');
});

test('dispatch goes to the worker with the fewest requests in flight, within capacity', () => {
  const { queue, demands } = queueWithEvents();
  queue.settings.maxProcesses = 3;
  const one = fakeWorker(2);
  const two = fakeWorker(2);
  queue.addWorker(one);
  queue.addWorker(two);
  for (const name of ['a', 'b', 'c', 'd', 'e']) queue.submit(fakeRequest(name));
  assert.deepEqual(one.dispatched, ['a', 'c']);
  assert.deepEqual(two.dispatched, ['b', 'd']);
  assert.equal(queue.queued, 1, 'e waits: both workers are at capacity');
  assert.ok(demands.includes('AllWorkersBusy'), 'a web garden below maxProcesses asks for another worker');
  one.inFlight--;
  queue.dispatchWaiting();
  assert.deepEqual(one.dispatched, ['a', 'c', 'e']);
});

test('a retried request goes back to the front; cancelled ones are skipped', () => {
  const { queue } = queueWithEvents();
  const b = fakeRequest('b');
  queue.submit(fakeRequest('a'));
  queue.submit(b);
  queue.submit(fakeRequest('c'));
  (b as unknown as FakeRequest).cancelled = true;
  queue.cancel();
  queue.requeueFront(fakeRequest('retry'));
  const worker = fakeWorker(10);
  queue.addWorker(worker);
  assert.deepEqual(worker.dispatched, ['retry', 'a', 'c']);
  assert.equal(queue.retried, 1);
});

test('requests that waited longer than connectionTimeout expire (Timer_AppPool)', () => {
  const { queue, expired } = queueWithEvents();
  queue.submit(fakeRequest('short', 1_000));
  queue.submit(fakeRequest('long', 60_000));
  queue.sweep(Date.now() + 2_000);
  assert.deepEqual(expired, ['short']);
  assert.equal(queue.queued, 1);
});

test('a detached worker gets nothing new', () => {
  const { queue } = queueWithEvents();
  const worker = fakeWorker(10);
  queue.addWorker(worker);
  worker.detached = true;
  queue.submit(fakeRequest('a'));
  assert.deepEqual(worker.dispatched, []);
  assert.equal(queue.queued, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { WorkerDemanded } from '@poolhost/protocol';
import { ConnectionQueue, type PendingConnection } from '../../src/connection-queue/connection-queue.js';
import type { AttachedWorker } from '../../src/data-plane/attached-worker.js';

/** A socket that records how it was closed. */
function fakeSocket(): Socket & { closedWith: 'reset' | 'close' | null } {
  const socket = {
    closedWith: null as 'reset' | 'close' | null,
    destroyed: false,
    on: () => socket,
    resetAndDestroy() {
      socket.closedWith = 'reset';
      socket.destroyed = true;
    },
    destroy() {
      socket.closedWith = 'close';
      socket.destroyed = true;
    },
  };
  return socket as unknown as Socket & { closedWith: 'reset' | 'close' | null };
}

function fakeWorker(pid: number): AttachedWorker {
  return { pid, openConnections: 0, detached: false } as AttachedWorker;
}

function harness(queueLength = 2, maxProcesses = 1) {
  const demands: WorkerDemanded[] = [];
  const relayed: Array<{ pid: number; connection: PendingConnection }> = [];
  let reachable = true;
  const queue = new ConnectionQueue(
    { applicationPool: 'Tcp', queueLength, maxProcesses, loadBalancerCapabilities: 'HttpLevel' },
    {
      demand: (message) => void demands.push(message),
      relay: async (worker, connection) => {
        if (!reachable) return false;
        worker.openConnections++;
        relayed.push({ pid: worker.pid, connection });
        return true;
      },
    },
  );
  const connect = () => {
    const connection = { socket: fakeSocket(), siteId: 1, acceptedAt: 0 };
    queue.enqueue(connection);
    return connection;
  };
  return { queue, demands, relayed, connect, unreachable: () => (reachable = false) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the first connection asks for a worker once; queued connections go to it when it attaches', async () => {
  const { queue, demands, relayed, connect } = harness();
  connect();
  connect();
  assert.deepEqual(demands.map((demand) => [demand.reason, demand.queuedRequests]), [['NoWorker', 1]], 'asked once, not once per connection');
  queue.attach(fakeWorker(10));
  await settle();
  assert.deepEqual(relayed.map((entry) => entry.pid), [10, 10]);
  assert.equal(queue.queued, 0);
});

test('over queueLength a connection is closed at once and counted; a disabled queue resets what it holds and what comes', () => {
  const { queue, connect } = harness(1);
  const kept = connect();
  const over = connect();
  assert.equal(over.socket.closedWith, 'close');
  assert.equal(queue.counters.queueFull, 1);
  queue.setState(false, 'AppOffline');
  assert.equal((kept.socket as ReturnType<typeof fakeSocket>).closedWith, 'reset');
  const refused = connect();
  assert.equal((refused.socket as ReturnType<typeof fakeSocket>).closedWith, 'reset');
  assert.equal(queue.counters.appOffline, 2);
});

test('a web garden gets connections least-connections first, and grows while every worker holds some', async () => {
  const { queue, demands, relayed, connect } = harness(10, 2);
  queue.attach(fakeWorker(1));
  connect();
  await settle();
  assert.deepEqual(demands.map((demand) => demand.reason), ['AllWorkersBusy']);
  queue.attach(fakeWorker(2));
  connect();
  connect();
  await settle();
  assert.deepEqual(relayed.map((entry) => entry.pid), [1, 2, 1]);
});

test('a connection a dead worker could not take goes back to the queue and waits for the next worker', async () => {
  const { queue, demands, relayed, connect, unreachable } = harness();
  queue.attach(fakeWorker(1));
  unreachable();
  connect();
  await settle();
  assert.equal(queue.queued, 1, 'nothing is lost');
  assert.equal(queue.attachedWorkers.length, 0);
  queue.listenerChannelAvailable();
  assert.equal(demands.at(-1)?.reason, 'NoWorker');
  assert.equal(relayed.length, 0);
});

test('refusals are counted by reason: QueueFull, AppOffline (pool stopped), RapidFailProtection, AppShutdown (pool removed)', () => {
  const { queue, connect } = harness(1);
  connect();
  connect();
  assert.deepEqual(queue.counters.refusedByReason, { QueueFull: 1 });
  queue.setState(false, 'AppOffline');
  connect();
  assert.deepEqual(queue.counters.refusedByReason, { QueueFull: 1, AppOffline: 2 }, 'the queued one and the new one');
  queue.setState(true);
  queue.setState(false, 'AppOffline', true);
  connect();
  assert.deepEqual(queue.counters.refusedByReason, { QueueFull: 1, AppOffline: 2, RapidFailProtection: 1 });
  queue.setState(true);
  connect();
  queue.close();
  connect();
  assert.deepEqual(queue.counters.refusedByReason, { QueueFull: 1, AppOffline: 2, RapidFailProtection: 1, AppShutdown: 2 });
  assert.equal(queue.counters.accepted, 6);
  assert.equal(queue.queuedFor(1), 0);
});

// What a balancer is told about a site, from counter snapshots shaped as the services send them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicationPoolCounterSet, RequestQueueCounterSet, SiteStatus } from '@poolhost/protocol';
import type { CounterSnapshot } from '../../src/counters/counter-snapshot.js';
import { assessHost, assessSite, freeCapacityPercent } from '../../src/farm-health/site-health.js';
import { agentLine } from '../../src/farm-health/agent-check.js';
import { requestQueueCounters } from './request-queue-counters.js';

const queue = requestQueueCounters;

function pool(name: string, state: ApplicationPoolCounterSet['state'] = 'Running'): ApplicationPoolCounterSet {
  return {
    applicationPool: name,
    state,
    startedAt: null,
    currentWorkerProcesses: 1,
    maximumWorkerProcesses: 1,
    recentWorkerProcessFailures: 0,
    lastWorkerProcessFailureAt: null,
    totalApplicationPoolRecycles: 0,
    totalWorkerProcessesCreated: 1,
    totalWorkerProcessFailures: 0,
    totalWorkerProcessPingFailures: 0,
    totalWorkerProcessShutdownFailures: 0,
    totalWorkerProcessStartupFailures: 0,
    recyclesByReason: {},
    workerExitsByReason: {},
  };
}

const shopSite: SiteStatus = { id: 1, name: 'Shop', state: 'Started', applicationPools: ['Shop'] };

function snapshot(queues: RequestQueueCounterSet[], pools: ApplicationPoolCounterSet[], sites: SiteStatus[] = [shopSite]): CounterSnapshot {
  return {
    takenAt: 0,
    listener: { type: 'ListenerCounters', startedAt: '', requestQueues: queues, sites: [], httpErr: {}, tlsHandshakesInProgress: 0, tlsHandshakeFailures: {} } as unknown as CounterSnapshot['listener'],
    applicationPools: { type: 'ApplicationPoolCounters', startedAt: '', applicationPools: pools, workers: [] },
    sites: { type: 'SiteList', sites },
    usage: new Map(),
    unavailable: [],
  };
}

test('an idle pool is up, ready, at full weight; requests in flight and waiting lower the weight', () => {
  assert.deepEqual(assessSite(shopSite, snapshot([queue()], [pool('Shop')]), 50), { site: 'Shop', state: 'up', ready: true, weightPercent: 100, reason: '' });
  const busy = assessSite(shopSite, snapshot([queue({ requestsInFlight: 60, currentQueueSize: 15 })], [pool('Shop')]), 50);
  assert.equal(busy.weightPercent, 25);
  assert.equal(agentLine(busy), 'up ready 25%\n');
});

test('a web garden not yet grown counts the workers it may still start', () => {
  // Two of four workers up, 100 each: 400 at once, 150 in flight.
  assert.equal(freeCapacityPercent(queue({ attachedWorkers: 2, workerCapacity: 200, maxProcesses: 4, requestsInFlight: 150 })), 63);
  // No worker yet (demand start): the free share of the queue.
  assert.equal(freeCapacityPercent(queue({ attachedWorkers: 0, workerCapacity: 0, currentQueueSize: 100 })), 90);
  // Saturated but still under the ready threshold: the lowest weight, never 0.
  assert.equal(freeCapacityPercent(queue({ requestsInFlight: 100, currentQueueSize: 300 })), 1);
});

test('a queue filled to readyQueuePercent is not ready and weighs 0', () => {
  const full = assessSite(shopSite, snapshot([queue({ requestsInFlight: 100, currentQueueSize: 500 })], [pool('Shop')]), 50);
  assert.equal(full.ready, false);
  assert.equal(full.weightPercent, 0);
  assert.equal(full.reason, "request queue 'Shop' holds 500 of 1000 (readyQueuePercent 50)");
  assert.equal(agentLine(full), 'up ready 0%\n');
  assert.equal(assessSite(shopSite, snapshot([queue({ currentQueueSize: 500 })], [pool('Shop')]), 60).ready, true);
});

test('a stopped site is maint; a pool that cannot serve makes its site down with the reason', () => {
  const stopped = assessSite({ ...shopSite, state: 'Stopped' }, snapshot([queue()], [pool('Shop')]), 50);
  assert.equal(agentLine(stopped), 'maint\n');
  const disabled = assessSite(shopSite, snapshot([queue({ enabled: false })], [pool('Shop', 'Disabled')]), 50);
  assert.equal(agentLine(disabled), "down#application_pool_'Shop'_is_disabled\n");
  const offline = assessSite(shopSite, snapshot([queue({ enabled: false })], [pool('Shop')]), 50);
  assert.equal(agentLine(offline), "down#request_queue_'Shop'_is_disabled\n");
});

test('the host is its least healthy started site, and down when a service does not answer', () => {
  const blog: SiteStatus = { id: 2, name: 'Blog', state: 'Started', applicationPools: ['Blog'] };
  const parked: SiteStatus = { id: 3, name: 'Parked', state: 'Stopped', applicationPools: ['Shop'] };
  const both = snapshot([queue(), queue({ applicationPool: 'Blog', requestsInFlight: 90 })], [pool('Shop'), pool('Blog')], [shopSite, blog, parked]);
  assert.equal(agentLine(assessHost(both, 50)), 'up ready 10%\n');
  assert.equal(agentLine(assessHost({ ...both, listener: null }, 50)), 'down#httpsys_does_not_answer\n');
  assert.equal(agentLine(assessHost({ ...both, applicationPools: null }, 50)), 'down#was_does_not_answer\n');
  assert.equal(agentLine(assessHost(snapshot([queue()], [pool('Shop')], [parked]), 50)), 'maint\n');
});

test('a draining host says drain for every started site (404 for disable-on-404), a stopped site stays maint', () => {
  const draining = snapshot([queue()], [pool('Shop')], [shopSite, { id: 2, name: 'Blog', state: 'Stopped', applicationPools: ['Shop'] }]);
  draining.listener!.drain = 'Draining';
  const shop = assessSite(shopSite, draining, 50);
  assert.deepEqual(shop, { site: 'Shop', state: 'drain', ready: false, weightPercent: 0, reason: 'the host is draining (poolhost drain)' });
  assert.equal(agentLine(shop), 'drain\n');
  assert.equal(assessHost(draining, 50).state, 'drain');
  assert.equal(assessSite(draining.sites!.sites[1]!, draining, 50).state, 'maint');
  draining.listener!.drain = 'Serving';
  assert.equal(agentLine(assessSite(shopSite, draining, 50)), 'up ready 100%\n');
});

// Farm health: what a load balancer is told about this host, site by site, from one counter snapshot.
// A site is `maint` when the administrator stopped it, `down#reason` when a pool it needs cannot serve
// (stopped, or disabled by rapid-fail protection), `drain` while the host drains (`poolhost drain`), and otherwise up, with a weight from its pools' free
// capacity: the workers' declared capacity (or what a full web garden would have) minus the requests
// in flight and waiting. A pool whose queue is filled past readyQueuePercent of its queueLength is
// not ready: weight 0, so the balancer sends new work elsewhere until it drains.
import type { RequestQueueCounterSet, SiteStatus } from '@poolhost/protocol';
import type { CounterSnapshot } from '../counters/counter-snapshot.js';

export type FarmState = 'up' | 'drain' | 'maint' | 'down';

export interface SiteHealth {
  site: string;
  state: FarmState;
  /** Takes new work now: `/health/ready` answers 200. */
  ready: boolean;
  /** 0–100, relative to the weight the balancer configured for this host. */
  weightPercent: number;
  /** Why the site is not ready, maint or down; '' when ready. */
  reason: string;
}

export function assessSites(snapshot: CounterSnapshot, readyQueuePercent: number): SiteHealth[] {
  const sites = snapshot.sites?.sites ?? [];
  return sites.map((site) => assessSite(site, snapshot, readyQueuePercent));
}

export function assessSite(site: SiteStatus, snapshot: CounterSnapshot, readyQueuePercent: number): SiteHealth {
  if (site.state !== 'Started') return { site: site.name, state: 'maint', ready: false, weightPercent: 0, reason: `site '${site.name}' is ${site.state.toLowerCase()}` };
  const unanswered = unansweredReason(snapshot);
  if (unanswered) return { site: site.name, state: 'down', ready: false, weightPercent: 0, reason: unanswered };
  const drain = snapshot.listener?.drain;
  if (drain && drain !== 'Serving') return { site: site.name, state: 'drain', ready: false, weightPercent: 0, reason: `the host is ${drain.toLowerCase()} (poolhost drain)` };
  let weightPercent = 100;
  let notReady = '';
  for (const pool of site.applicationPools) {
    const verdict = assessPool(pool, snapshot, readyQueuePercent);
    if (verdict.down) return { site: site.name, state: 'down', ready: false, weightPercent: 0, reason: verdict.down };
    if (verdict.notReady && !notReady) notReady = verdict.notReady;
    weightPercent = Math.min(weightPercent, verdict.weightPercent);
  }
  if (notReady) return { site: site.name, state: 'up', ready: false, weightPercent: 0, reason: notReady };
  return { site: site.name, state: 'up', ready: true, weightPercent, reason: '' };
}

/** The whole host, for a balancer that names no site: its least healthy started site. */
export function assessHost(snapshot: CounterSnapshot, readyQueuePercent: number): SiteHealth {
  const unanswered = unansweredReason(snapshot);
  if (unanswered) return { site: '', state: 'down', ready: false, weightPercent: 0, reason: unanswered };
  const started = assessSites(snapshot, readyQueuePercent).filter((health) => health.state !== 'maint');
  if (started.length === 0) return { site: '', state: 'maint', ready: false, weightPercent: 0, reason: 'no site is started' };
  return started.find((health) => health.state === 'down') ?? started.find((health) => !health.ready) ?? started.reduce((low, health) => (health.weightPercent < low.weightPercent ? health : low));
}

function unansweredReason(snapshot: CounterSnapshot): string {
  if (!snapshot.listener) return 'httpsys does not answer';
  if (!snapshot.applicationPools) return 'was does not answer';
  return '';
}

interface PoolVerdict {
  down: string;
  notReady: string;
  weightPercent: number;
}

function assessPool(name: string, snapshot: CounterSnapshot, readyQueuePercent: number): PoolVerdict {
  const key = name.toLowerCase();
  const pool = snapshot.applicationPools?.applicationPools.find((candidate) => candidate.applicationPool.toLowerCase() === key);
  if (!pool) return { down: `application pool '${name}' does not exist`, notReady: '', weightPercent: 0 };
  if (pool.state !== 'Running') return { down: `application pool '${name}' is ${pool.state.toLowerCase()}`, notReady: '', weightPercent: 0 };
  const queue = snapshot.listener?.requestQueues.find((candidate) => candidate.applicationPool.toLowerCase() === key);
  if (!queue) return { down: `request queue '${name}' is not set up in httpsys`, notReady: '', weightPercent: 0 };
  if (!queue.enabled) return { down: `request queue '${name}' is disabled`, notReady: '', weightPercent: 0 };
  if (queue.currentQueueSize * 100 >= queue.queueLength * readyQueuePercent) {
    return { down: '', notReady: `request queue '${name}' holds ${queue.currentQueueSize} of ${queue.queueLength} (readyQueuePercent ${readyQueuePercent})`, weightPercent: 0 };
  }
  return { down: '', notReady: '', weightPercent: freeCapacityPercent(queue) };
}

/**
 * Free capacity of a pool, in percent of what its web garden takes at once. With no worker yet (demand
 * start), nothing is known of a worker's capacity: the free share of the queue stands for it.
 */
export function freeCapacityPercent(queue: RequestQueueCounterSet): number {
  const waiting = queue.currentQueueSize;
  let percent: number;
  if (queue.attachedWorkers === 0 || queue.workerCapacity === 0) {
    percent = 100 * (1 - waiting / queue.queueLength);
  } else {
    const perWorker = queue.workerCapacity / queue.attachedWorkers;
    const garden = perWorker * Math.max(queue.maxProcesses, queue.attachedWorkers);
    percent = (100 * (garden - queue.requestsInFlight - waiting)) / garden;
  }
  // A ready pool is never weighted 0: that would take the host out as a drain does.
  return Math.max(1, clampPercent(percent));
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}

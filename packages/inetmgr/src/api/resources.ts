// Resource shapes of the IIS Administration API (`/api/webserver/...`), built from poolhost's replies.
// Ids are the pool or site name (URL-encoded) and the worker's PID, so a link can be read by a person.
import type {
  ApplicationPoolCounterSet,
  ApplicationPoolStatus,
  EventJournal,
  RequestList,
  SiteStatus,
  UrlGroupCounterSet,
  WebServiceCounterSet,
  WorkerProcessCounterSet,
} from '@poolhost/protocol';
import type { ProcessUsage } from '../counters/counter-snapshot.js';

export const applicationPoolHref = (name: string) => `/api/webserver/application-pools/${encodeURIComponent(name)}`;
export const workerProcessHref = (pid: number) => `/api/webserver/worker-processes/${pid}`;

export function applicationPoolResource(status: ApplicationPoolStatus, counters: ApplicationPoolCounterSet | undefined) {
  return {
    name: status.name,
    id: encodeURIComponent(status.name),
    status: status.state.toLowerCase(),
    ...(status.disabledReason !== undefined ? { disabled_reason: status.disabledReason } : {}),
    worker_processes: status.workers,
    ...(counters ? { counters } : {}),
    _links: {
      self: { href: applicationPoolHref(status.name) },
      worker_processes: { href: `/api/webserver/worker-processes?application_pool.id=${encodeURIComponent(status.name)}` },
    },
  };
}

export function workerProcessResource(worker: WorkerProcessCounterSet, usage: ProcessUsage | undefined, poolStatus: string | undefined) {
  return {
    name: 'w3wp',
    id: String(worker.pid),
    status: worker.state.toLowerCase(),
    process_id: String(worker.pid),
    start_time: worker.startedAt,
    ...(usage ? { working_set: String(usage.memoryBytes), cpu_percent: Math.round(usage.cpuPercent * 10) / 10 } : {}),
    requests: { active: worker.activeRequests, total: worker.totalRequestsServed },
    application_pool: { name: worker.applicationPool, id: encodeURIComponent(worker.applicationPool), status: poolStatus ?? 'unknown' },
    _links: {
      self: { href: workerProcessHref(worker.pid) },
      request_monitor: { href: `/api/webserver/http-request-monitor/requests?wp.id=${worker.pid}` },
    },
  };
}

export function requestResources(list: RequestList) {
  return list.requests.map((request) => ({
    id: request.requestId,
    url: request.url,
    method: request.verb,
    client_ip_address: request.clientIp,
    pipeline_stage: request.stage,
    module_name: request.module,
    time_elapsed: request.elapsedMs,
    website: { id: String(request.siteId) },
    worker_process: { id: String(request.pid), process_id: String(request.pid) },
    application_pool: { name: request.applicationPool },
  }));
}

/** A site, with its Web Service and HTTP Service Url Groups counter sets once httpsys has routed to it. */
export function websiteResource(site: SiteStatus, webService: WebServiceCounterSet | undefined, urlGroup: UrlGroupCounterSet | undefined) {
  return {
    name: site.name,
    id: String(site.id),
    status: site.state.toLowerCase(),
    ...(webService || urlGroup
      ? { counters: { ...(webService ? { web_service: webService } : {}), ...(urlGroup ? { http_service_url_group: urlGroup } : {}) } }
      : {}),
    _links: { self: { href: `/api/webserver/websites/${site.id}` } },
  };
}

export function eventResources(journal: EventJournal) {
  return { events: journal.events, worker_history: journal.workerHistory };
}

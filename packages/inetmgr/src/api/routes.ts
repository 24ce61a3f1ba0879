// The status API's one route table: path pattern -> handler, and whether the route changes state (then
// the access token is required). Runtime actions are the verbs appcmd uses (Start/Stop/RecycleApplicationPool)
// plus IIS Manager's per-worker recycle and kill, all sent to was.
import type {
  KillWorkerProcess,
  RecycleApplicationPool,
  RecycleWorkerProcess,
  StartApplicationPool,
  StopApplicationPool,
} from '@poolhost/protocol';
import type { CounterCollector } from '../counters/counter-snapshot.js';
import type { ServiceQuery } from '../runtime/service-query.js';
import { applicationPoolResource, eventResources, requestResources, websiteResource, workerProcessResource } from './resources.js';

export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  /** Changes state: needs the access token, and is logged with who asked. */
  action: boolean;
  handle(context: RouteContext): Promise<RouteResult>;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function createRoutes(query: ServiceQuery, collector: CounterCollector): Route[] {
  const ok = (body: unknown): RouteResult => ({ status: 200, body });
  const applicationPools = async () => {
    const [list, snapshot] = await Promise.all([query.ask('was', { type: 'ListApplicationPools' }), collector.collect()]);
    const counters = new Map((snapshot.applicationPools?.applicationPools ?? []).map((pool) => [pool.applicationPool.toLowerCase(), pool]));
    return list.applicationPools.map((pool) => applicationPoolResource(pool, counters.get(pool.name.toLowerCase())));
  };
  const workerProcesses = async (applicationPool?: string) => {
    const snapshot = await collector.collect();
    const states = new Map((snapshot.applicationPools?.applicationPools ?? []).map((pool) => [pool.applicationPool, pool.state === 'Running' ? 'started' : 'stopped']));
    return (snapshot.applicationPools?.workers ?? [])
      .filter((worker) => applicationPool === undefined || worker.applicationPool.toLowerCase() === applicationPool.toLowerCase())
      .map((worker) => workerProcessResource(worker, snapshot.usage.get(worker.pid), states.get(worker.applicationPool)));
  };
  const websites = async () => {
    const [list, snapshot] = await Promise.all([query.ask('w3svc', { type: 'ListSites' }), collector.collect()]);
    const webService = new Map((snapshot.listener?.sites ?? []).map((site) => [site.siteId, site]));
    const urlGroups = new Map((snapshot.listener?.urlGroups ?? []).map((group) => [group.siteId, group]));
    return list.sites.map((site) => websiteResource(site, webService.get(site.id), urlGroups.get(site.id)));
  };
  const tell = async (message: StartApplicationPool | StopApplicationPool | RecycleApplicationPool | RecycleWorkerProcess | KillWorkerProcess): Promise<RouteResult> => {
    const reply = await query.ask('was', message, 30_000);
    return ok({ result: reply.detail ?? 'done' });
  };
  const pid = (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new ApiError(404, `no worker process has id '${text}'`);
    return value;
  };

  return [
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/application-pools$/,
      action: false,
      handle: async () => ok({ app_pools: await applicationPools() }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/application-pools\/([^/]+)$/,
      action: false,
      handle: async ({ params }) => {
        const pool = (await applicationPools()).find((candidate) => candidate.name.toLowerCase() === params[0]!.toLowerCase());
        if (!pool) throw new ApiError(404, `Cannot find APPPOOL object with identifier "${params[0]}".`);
        return ok(pool);
      },
    },
    // IIS Administration API: PATCH {"status": "started" | "stopped"} starts or stops the pool.
    {
      method: 'PATCH',
      pattern: /^\/api\/webserver\/application-pools\/([^/]+)$/,
      action: true,
      handle: async ({ params, body }) => {
        const status = (body as { status?: unknown } | null)?.status;
        if (status === 'started') return tell({ type: 'StartApplicationPool', name: params[0]! });
        if (status === 'stopped') return tell({ type: 'StopApplicationPool', name: params[0]! });
        throw new ApiError(400, 'send {"status": "started"} or {"status": "stopped"}');
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/webserver\/application-pools\/([^/]+)\/recycle$/,
      action: true,
      handle: ({ params }) => tell({ type: 'RecycleApplicationPool', name: params[0]! }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/worker-processes$/,
      action: false,
      handle: async ({ query: search }) => ok({ worker_processes: await workerProcesses(search.get('application_pool.id') ?? undefined) }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/worker-processes\/([^/]+)$/,
      action: false,
      handle: async ({ params }) => {
        const worker = (await workerProcesses()).find((candidate) => candidate.id === params[0]);
        if (!worker) throw new ApiError(404, `Cannot find WP object with identifier "${params[0]}".`);
        return ok(worker);
      },
    },
    // IIS Administration API: DELETE a worker process ends it (was sees a crash, 5009).
    {
      method: 'DELETE',
      pattern: /^\/api\/webserver\/worker-processes\/([^/]+)$/,
      action: true,
      handle: ({ params }) => tell({ type: 'KillWorkerProcess', pid: pid(params[0]!) }),
    },
    {
      method: 'POST',
      pattern: /^\/api\/webserver\/worker-processes\/([^/]+)\/recycle$/,
      action: true,
      handle: ({ params }) => tell({ type: 'RecycleWorkerProcess', pid: pid(params[0]!) }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/http-request-monitor\/requests$/,
      action: false,
      handle: async ({ query: search }) => {
        const list = await query.ask('was', { type: 'ListRequests' });
        const workerId = search.get('wp.id');
        const requests = requestResources(list).filter((request) => workerId === null || request.worker_process.id === workerId);
        return ok({ requests });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/websites$/,
      action: false,
      handle: async () => ok({ websites: await websites() }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/websites\/([^/]+)$/,
      action: false,
      handle: async ({ params }) => {
        const site = (await websites()).find((candidate) => candidate.id === params[0]);
        if (!site) throw new ApiError(404, `Cannot find SITE object with identifier "${params[0]}".`);
        return ok(site);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/webserver\/events$/,
      action: false,
      handle: async ({ query: search }) => {
        const limit = Number(search.get('limit') ?? 200);
        const journal = await query.ask('was', { type: 'GetEventJournal', ...(Number.isInteger(limit) && limit > 0 ? { limit } : {}) });
        return ok(eventResources(journal));
      },
    },
  ];
}

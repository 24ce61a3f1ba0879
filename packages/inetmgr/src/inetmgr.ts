// inetmgr: IIS Manager's and perfmon's role. One HTTP listener (loopback unless configured otherwise)
// serving /metrics (Prometheus), the status API (/api/webserver/...), its change stream and the dashboard.
// It reads the services' counters and state over their control sockets and acts through was's runtime
// verbs; no service serves HTTP for administration. For load balancers it answers /health/live,
// /health/ready[/site] and, on its own port, HAProxy's agent check (farm-health/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@poolhost/common';
import { Registry } from 'prom-client';
import { CounterCollector, type CounterSnapshot } from './counters/counter-snapshot.js';
import { registerFamilies } from './metrics/metric-family.js';
import { windowsIisFamilies } from './metrics/windows-iis-metrics.js';
import { poolhostFamilies } from './metrics/poolhost-metrics.js';
import { urlGroupFamilies } from './metrics/url-group-metrics.js';
import { createServiceQuery, type ServiceQuery } from './runtime/service-query.js';
import { ApiError, createRoutes, type Route } from './api/routes.js';
import { ChangeStream } from './api/change-stream.js';
import { carriesToken } from './security/access-token.js';
import { formatListenAddress, hostAllowed, type ListenAddress } from '@poolhost/protocol';
import { loadStaticFiles, type StaticFile } from './dashboard/static-files.js';
import { assessHost, assessSite, type SiteHealth } from './farm-health/site-health.js';
import { createAgentCheckResponder, type AgentCheckResponder } from './farm-health/agent-check.js';

export interface InetmgrOptions {
  runDirectory: string;
  address: ListenAddress;
  token: string;
  logger: Logger;
  query?: ServiceQuery;
  /** HAProxy's agent check on the administration IP (webManagement agentCheckPort); 0 or absent: none. */
  agentCheckPort?: number;
  /** A pool whose queue is this full (percent of queueLength) is not ready. Default 50. */
  readyQueuePercent?: number;
}

export interface Inetmgr {
  /** The address actually bound (port 0 becomes the chosen port). */
  readonly address: ListenAddress;
  /** The agent-check port actually bound, or 0. */
  readonly agentCheckPort: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;
const textPlain = 'text/plain; charset=utf-8';
const commonHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function createInetmgr(options: InetmgrOptions): Inetmgr {
  const { logger, token } = options;
  const query = options.query ?? createServiceQuery(options.runDirectory);
  const collector = new CounterCollector(query);
  const registry = new Registry();
  registerFamilies(registry, [...windowsIisFamilies, ...urlGroupFamilies, ...poolhostFamilies], () => collector.latest);
  const routes = createRoutes(query, collector);
  const stream = new ChangeStream(query, collector);
  const files = loadStaticFiles();
  let address = options.address;
  let server: Server | null = null;
  const readyQueuePercent = options.readyQueuePercent ?? 50;
  /** The named site's health ('' for the host), from a fresh snapshot. */
  const assess = async (siteName: string): Promise<{ health: SiteHealth; snapshot: CounterSnapshot }> => {
    const snapshot = await collector.collectServices();
    if (siteName === '') return { health: assessHost(snapshot, readyQueuePercent), snapshot };
    const site = snapshot.sites?.sites.find((candidate) => candidate.name.toLowerCase() === siteName.toLowerCase());
    if (site) return { health: assessSite(site, snapshot, readyQueuePercent), snapshot };
    const reason = snapshot.sites ? `no site is named '${siteName}'` : 'w3svc does not answer';
    return { health: { site: siteName, state: 'down', ready: false, weightPercent: 0, reason }, snapshot };
  };
  const healthOf = async (siteName: string): Promise<SiteHealth> => (await assess(siteName)).health;
  const agent: AgentCheckResponder | null = options.agentCheckPort ? createAgentCheckResponder(options.address.host, options.agentCheckPort, healthOf, logger) : null;

  const send = (response: ServerResponse, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    response.writeHead(status, { ...commonHeaders, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    response.end(body);
  };
  const sendJson = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2) + '\n');
  const problem = (response: ServerResponse, status: number, title: string) => sendJson(response, status, { title, status });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://inetmgr');
    const method = request.method ?? 'GET';
    // Balancers' HTTP/1.0 probes (HAProxy's httpchk) send no Host; a browser always does, so a missing
    // Host is no DNS-rebinding path, and only the health answers accept it.
    const probe = url.pathname.startsWith('/health/') && request.headers.host === undefined;
    if (!probe && !hostAllowed(request.headers.host, address)) return problem(response, 403, 'this address answers loopback host names only');
    if (method === 'GET' && url.pathname === '/metrics') {
      await collector.collect();
      return send(response, 200, registry.contentType, await registry.metrics());
    }
    if (method === 'GET' && url.pathname === '/api/poolhost/stream') return stream.subscribe(response);
    // Probes carry no token: they change nothing and tell only what a balancer must know.
    if (method === 'GET' && url.pathname === '/health/live') {
      const snapshot = await collector.collectServices();
      const generation = configurationHeaders(snapshot);
      return snapshot.listener ? send(response, 200, textPlain, 'live\n', generation) : send(response, 503, textPlain, 'httpsys does not answer\n', generation);
    }
    const ready = /^\/health\/ready(?:\/([^/]+))?$/.exec(url.pathname);
    if (method === 'GET' && ready) {
      const { health, snapshot } = await assess(ready[1] === undefined ? '' : decodeURIComponent(ready[1]));
      const generation = configurationHeaders(snapshot);
      if (health.ready) return send(response, 200, textPlain, 'ready\n', generation);
      // 404 while draining: HAProxy's `http-check disable-on-404` then sends only persistent sessions.
      return send(response, health.state === 'drain' ? 404 : 503, textPlain, `${health.reason}\n`, generation);
    }
    const file: StaticFile | undefined = method === 'GET' ? files.get(url.pathname) : undefined;
    if (file) {
      const policy: Record<string, string> = url.pathname === '/' ? { 'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" } : {};
      return send(response, 200, file.contentType, file.body, policy);
    }
    let route: Route | undefined;
    let params: string[] = [];
    let pathMatched = false;
    for (const candidate of routes) {
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (candidate.method !== method) continue;
      route = candidate;
      params = match.slice(1).map((part) => decodeURIComponent(part));
      break;
    }
    if (!route) return problem(response, pathMatched ? 405 : 404, pathMatched ? `${method} is not allowed here` : 'not found');
    if (route.action) {
      const who = { remoteAddress: request.socket.remoteAddress, userAgent: request.headers['user-agent'], method, url: url.pathname };
      // No CORS: a page from another origin cannot send the token header without a preflight nobody answers;
      // an Origin that is not this address is refused outright.
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://${request.headers.host}`) {
        logger.warn(who, `administration action from origin ${origin} refused`);
        return problem(response, 403, 'cross-origin actions are refused');
      }
      if (!carriesToken(request, token)) {
        logger.warn(who, `administration action ${method} ${url.pathname} refused: no valid access token`);
        return problem(response, 401, 'an access token is required (Access-Token: Bearer <token>, printed by poolhost start)');
      }
      logger.info(who, `administration action ${method} ${url.pathname} from ${who.remoteAddress}`);
    }
    const body = method === 'PATCH' || method === 'POST' ? await readJson(request) : null;
    const result = await route.handle({ params, query: url.searchParams, body });
    sendJson(response, result.status, result.body);
  };

  return {
    get address() {
      return address;
    },
    get agentCheckPort() {
      return agent?.port ?? 0;
    },
    async start() {
      server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
          const status = error instanceof ApiError ? error.status : 502;
          const message = error instanceof Error ? error.message : String(error);
          if (!(error instanceof ApiError)) logger.warn({ err: error, url: request.url }, `status API request failed: ${message}`);
          if (!response.headersSent) problem(response, status, message);
          else response.destroy();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.address.port, options.address.host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      const bound = server.address();
      if (bound && typeof bound === 'object') address = { host: options.address.host, port: bound.port };
      logger.info({ address: formatListenAddress(address) }, `inetmgr listening on http://${formatListenAddress(address)}/ (metrics at /metrics)`);
      await agent?.start();
    },
    async stop() {
      stream.close();
      query.close?.();
      await agent?.stop();
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

/** Which configuration generation answers the probe (docs/web-farm.md): a header, so balancers' body matches are unchanged. */
function configurationHeaders(snapshot: CounterSnapshot): Record<string, string> {
  const configuration = snapshot.configuration;
  return configuration ? { 'X-Configuration-Generation': configuration.generation, 'X-Configuration-Source': configuration.source } : {};
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new ApiError(413, 'request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'the request body is not JSON');
  }
}

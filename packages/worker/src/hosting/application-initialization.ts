// Application Initialization (reference iis-2.md §5): an application with `preloadEnabled="true"` is
// sent its preload request and the `<applicationInitialization>` pages of its configuration before the
// worker takes any traffic — w3wp attaches to its request queue and tells was it is ready only once
// they have all been answered, so an overlapped recycle switches traffic to the new worker only when it
// is warm, and the old worker serves meanwhile (was's rotation waits for WorkerReady). The requests run
// through the application's whole pipeline over a private Unix socket of this worker (real Node HTTP on
// both ends), with IIS's User-Agent and the APP_WARMING_UP server variable set to 1.
import { createServer, request, type IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RawElement } from '@poolhost/config';
import type { HostedApplication } from './hosted-application.js';

export const PRELOAD_USER_AGENT = 'IIS Application Initialization Preload';
export const WARMUP_USER_AGENT = 'IIS Application Initialization Warmup';

const kWarmingUp = Symbol('poolhost.warmingUp');

/** The request is one of Application Initialization's (the APP_WARMING_UP server variable). */
export function isWarmUpRequest(req: IncomingMessage): boolean {
  return (req as IncomingMessage & { [kWarmingUp]?: boolean })[kWarmingUp] === true;
}

export interface WarmUpRequest {
  /** Absolute URL path (the application's path joined with the page). */
  url: string;
  host: string;
  userAgent: string;
}

export interface WarmUpPlan {
  application: HostedApplication;
  requests: WarmUpRequest[];
}

/** What an application's configuration asks for, and what it sets that poolhost does not act on. */
export interface ApplicationInitializationSettings {
  requests: WarmUpRequest[];
  withoutEffect: string[];
}

function joinUrl(applicationPath: string, page: string): string {
  const base = applicationPath === '/' ? '' : applicationPath.replace(/\/$/, '');
  return `${base}/${page.replace(/^~?\/+/, '')}`;
}

/**
 * The preload request (the application's root, as IIS sends it) and each `<add initializationPage
 * hostName>`, relative to the application. `defaultHost`: the Host header when an entry names none.
 */
export function applicationInitializationSettings(applicationPath: string, section: RawElement | undefined, defaultHost: string): ApplicationInitializationSettings {
  const requests: WarmUpRequest[] = [{ url: joinUrl(applicationPath, ''), host: defaultHost, userAgent: PRELOAD_USER_AGENT }];
  for (const entry of section?.children ?? []) {
    if (entry.name !== 'add') continue;
    const page = entry.attributes.initializationPage ?? '';
    if (page === '') continue;
    requests.push({ url: joinUrl(applicationPath, page), host: entry.attributes.hostName || defaultHost, userAgent: WARMUP_USER_AGENT });
  }
  const withoutEffect: string[] = [];
  const attributes = section?.attributes ?? {};
  if ((attributes.remapManagedRequestsTo ?? '') !== '') {
    withoutEffect.push(`remapManagedRequestsTo="${attributes.remapManagedRequestsTo}" (requests wait in the pool's queue until the worker is warm; nothing is remapped)`);
  }
  if ((attributes.skipManagedModules ?? 'false').toLowerCase() === 'true') withoutEffect.push('skipManagedModules="true" (warm-up requests run the whole pipeline)');
  if ((attributes.doAppInitAfterRestart ?? 'false').toLowerCase() === 'true') withoutEffect.push('doAppInitAfterRestart="true" (an application restarts only with its worker here, which always warms it)');
  return { requests, withoutEffect };
}

/**
 * Sends every plan's requests, one application after another (as IIS does), and resolves when all
 * have been answered. Rejects when one is not answered within `timeoutMs` or its connection fails: the
 * worker then fails to start, and in an overlapped recycle the old worker keeps serving (5093). An
 * answer with any status counts (IIS does not look at it); 5xx answers are logged as warnings.
 */
export async function warmUp(plans: WarmUpPlan[], runDirectory: string, timeoutMs: number, logger: Logger): Promise<void> {
  if (plans.length === 0) return;
  const socket = join(runDirectory, `warmup-${process.pid}.sock`);
  rmSync(socket, { force: true });
  let current: HostedApplication | null = null;
  const server = createServer((req, res) => {
    (req as IncomingMessage & { [kWarmingUp]?: boolean })[kWarmingUp] = true;
    current!.handle(req, res);
  });
  // A plain net.Server listens for it: an http.Server's listen() belongs to the applications (listen-capture.ts).
  const listener = createNetServer((connection) => server.emit('connection', connection));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(socket, () => resolve());
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (const plan of plans) {
      current = plan.application;
      for (const warm of plan.requests) {
        const started = Date.now();
        const status = await send(socket, warm, Math.max(1, deadline - Date.now()));
        const fields = { application: plan.application.path, url: warm.url, status, ms: Date.now() - started };
        if (status >= 500) logger.warn(fields, `application initialization: ${warm.url} answered ${status}`);
        else logger.info(fields, `application initialization: ${warm.url} answered ${status}`);
      }
    }
  } finally {
    listener.close();
    server.closeAllConnections();
    rmSync(socket, { force: true });
  }
}

function send(socketPath: string, warm: WarmUpRequest, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: warm.url, method: 'GET', headers: { host: warm.host, 'user-agent': warm.userAgent }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the warm-up request ${warm.url} was not answered within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

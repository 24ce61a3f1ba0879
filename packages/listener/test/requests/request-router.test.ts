// Routing per request on a keep-alive connection: a connection remembers its last valid Host and the site
// its binding gave, and a new routing table (a site stopped, a binding moved) is looked up afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { UrlGroup } from '@poolhost/protocol';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { RequestRouter, REFUSED, type RefusalWriter, type RoutedConnection, type RouterState } from '../../src/requests/request-router.js';
import { RequestQueue } from '../../src/request-queue/request-queue.js';
import { HttpErrLog } from '../../src/httperr-log/httperr-log.js';
import { KernelCache } from '../../src/cache/kernel-cache.js';
import { defaultListenerLimits } from '../../src/limits/listener-limits.js';
import type { ListenerRequest } from '../../src/requests/listener-request.js';
import type { RequestHead } from '../../src/connections/client-connection.js';
import type { HttpSysError } from '../../src/error-responses/http-sys-errors.js';

function group(siteId: number, host: string, state: UrlGroup['state'] = 'Started'): UrlGroup {
  return {
    siteId,
    siteName: `Site${siteId}`,
    state,
    bindings: [{ protocol: 'http', bindingInformation: `*:80:${host}`, ip: '*', port: 80, host }],
    applications: [{ path: '/', applicationPool: 'Pool' }],
    connectionTimeout: 120_000,
    maxConnections: 4294967295,
    maxBandwidth: 4294967295,
    maxUrlSegments: 32,
  };
}

function head(host: string): RequestHead {
  return { method: 'GET', url: '/', httpVersionMajor: 1, httpVersionMinor: 1, rawHeaders: ['Host', host], keepAlive: true, upgrade: false, streamId: 0 };
}

class Answers implements RefusalWriter<null> {
  readonly statuses: number[] = [];
  answerError(_context: null, error: HttpSysError): void {
    this.statuses.push(error.statusCode);
  }
  answerRedirect(): void {
    this.statuses.push(301);
  }
}

test('a connection routes its next requests by its remembered Host and site until the routing table changes', () => {
  const logger = pino({ level: 'silent' });
  const queue = new RequestQueue<ListenerRequest>('Pool', { workerDemanded: () => undefined, requestExpired: () => undefined, queueActive: () => undefined });
  queue.declared = true;
  const state: RouterState = {
    routing: new RoutingTable([group(1, 'a.example'), group(2, '')]),
    limits: defaultListenerLimits(),
    queues: new Map([['Pool', queue]]),
    kernelCache: new KernelCache(logger),
  };
  const router = new RequestRouter(state, new HttpErrLog(logger), logger);
  const connection: RoutedConnection = { clientIp: '127.0.0.1', clientPort: 5000, localIp: '127.0.0.1', localPort: 80, secure: false, countedSite: null, site: null, lastHost: null };
  const answers = new Answers();
  const route = (host: string): number | null => {
    const request = head(host);
    const checked = router.checkHead(request, connection, answers, null);
    if (checked === REFUSED) return null;
    return router.routeRequest(request, checked, connection, answers, null)?.site.siteId ?? null;
  };
  assert.equal(route('a.example'), 1);
  assert.equal(route('A.example:80'), 1, 'another Host value: checked and looked up again');
  assert.equal(route('A.example:80'), 1);
  assert.equal(route('b.example'), 2, 'the weak wildcard');
  assert.equal(route('bad host'), null, 'an invalid Host is refused whatever came before');
  assert.deepEqual(answers.statuses, [400]);
  // The named site's binding goes away: the same Host on the same connection now reaches the wildcard site.
  assert.equal(route('a.example'), 1);
  state.routing = new RoutingTable([group(1, 'other.example'), group(2, '')]);
  assert.equal(route('a.example'), 2);
  // A stopped site's binding still answers, with 404.
  state.routing = new RoutingTable([group(1, 'a.example', 'Stopped'), group(2, '')]);
  assert.equal(route('a.example'), null);
  assert.deepEqual(answers.statuses, [400, 404]);
});

// The answers a balancer reads, over real sockets: /health/live and /health/ready on the administration
// address (no token), and HAProxy's agent check on its own port, with and without an agent-send line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { request } from 'node:http';
import { pino } from 'pino';
import type { ControlMessage, ListenerCounters, SiteStatus } from '@poolhost/protocol';
import { createInetmgr } from '../../src/index.js';
import { requestQueueCounters } from './request-queue-counters.js';

const queueSet = requestQueueCounters({ requestsInFlight: 40 });
let listenerAnswers = true;
let poolState = 'Running';
let sites: SiteStatus[] = [{ id: 1, name: 'Shop', state: 'Started', applicationPools: ['Shop'] }];

const query = {
  async ask<R extends ControlMessage>(service: string, message: ControlMessage): Promise<R> {
    if (message.type === 'GetListenerCounters') {
      if (!listenerAnswers) throw new Error('connect ECONNREFUSED');
      return { type: 'ListenerCounters', startedAt: '', requestQueues: [queueSet], sites: [], httpErr: {}, tlsHandshakesInProgress: 0, tlsHandshakeFailures: {} } as unknown as R;
    }
    if (message.type === 'GetApplicationPoolCounters') {
      return { type: 'ApplicationPoolCounters', startedAt: '', applicationPools: [{ applicationPool: 'Shop', state: poolState }], workers: [] } as unknown as R;
    }
    if (message.type === 'ListSites') return { type: 'SiteList', sites } as unknown as R;
    throw new Error(`${service} was not expected to get ${message.type}`);
  },
};

/** A port nobody listens on now. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const agentCheckPort = await unusedPort();
const inetmgr = createInetmgr({
  runDirectory: '/nonexistent',
  address: { host: '127.0.0.1', port: 0 },
  token: 'secret-token',
  logger: pino({ level: 'silent' }),
  query,
  agentCheckPort,
  readyQueuePercent: 50,
});
await inetmgr.start();
after(() => inetmgr.stop());

/** `host`: the Host header to send instead of 127.0.0.1:port. */
function get(path: string, host?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: inetmgr.address.port, path, ...(host ? { headers: { host } } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/health/live and /health/ready answer without a token, and follow the services', async () => {
  assert.deepEqual(await get('/health/live'), { status: 200, text: 'live\n' });
  assert.deepEqual(await get('/health/ready'), { status: 200, text: 'ready\n' });
  assert.deepEqual(await get('/health/ready/shop'), { status: 200, text: 'ready\n' });
  assert.deepEqual(await get('/health/ready/Nope'), { status: 503, text: "no site is named 'Nope'\n" });
  poolState = 'Disabled';
  assert.deepEqual(await get('/health/ready/Shop'), { status: 503, text: "application pool 'Shop' is disabled\n" });
  poolState = 'Running';
  listenerAnswers = false;
  assert.deepEqual(await get('/health/live'), { status: 503, text: 'httpsys does not answer\n' });
  listenerAnswers = true;
});

test("probes without a Host (HAProxy's HTTP/1.0 httpchk) are answered; a foreign Host is not, and the API needs one", async () => {
  assert.match(await http10('/health/ready/Shop'), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nready\n$/);
  assert.match(await http10('/api/webserver/websites'), /^HTTP\/1\.1 403 /);
  assert.equal((await get('/health/ready/Shop', 'attacker.example')).status, 403);
});

/** A request as HAProxy's httpchk sends it by default: HTTP/1.0, no Host. */
function http10(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(inetmgr.address.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/** One agent check as HAProxy makes it: connect, send `agent-send` (if any), read until the close. */
function agentCheck(send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(inetmgr.agentCheckPort, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

test('the agent check answers one line per check: weight from free capacity, maint, down#reason', async () => {
  assert.equal(inetmgr.agentCheckPort, agentCheckPort);
  assert.equal(await agentCheck('Shop\n'), 'up ready 60%\n');
  assert.equal(await agentCheck(), 'up ready 60%\n', 'no agent-send: the host answers');
  assert.equal(await agentCheck('Nope\n'), "down#no_site_is_named_'Nope'\n");
  sites = [{ id: 1, name: 'Shop', state: 'Stopped', applicationPools: ['Shop'] }];
  assert.equal(await agentCheck('Shop\n'), 'maint\n');
  sites = [{ id: 1, name: 'Shop', state: 'Started', applicationPools: ['Shop'] }];
  poolState = 'Disabled';
  assert.equal(await agentCheck('Shop\n'), "down#application_pool_'Shop'_is_disabled\n");
  poolState = 'Running';
});

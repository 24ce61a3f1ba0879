// `poolhost drain` on one host, seen from its clients and its health answers: at once the agent says
// `drain` and /health/ready 404 (/health/live stays 200); after the delay a new connection is refused,
// an idle keep-alive connection is closed, a keep-alive connection opened before the drain gets
// `Connection: close` on its next response and closes, and a slow request in flight completes; the
// command then reports the host drained. `poolhost undrain` listens again and the answers say ready.
import { test, after } from 'node:test';
import { connect, type Socket } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { agentAnswer } from '../support/haproxy.js';
import { askWas } from '../support/runtime-client.js';

/** `/slow` answers once the test writes {{root}}/release (and says it started by writing slow-started). */
const releasableApp = `
const { existsSync, writeFileSync } = require('node:fs');
const root = ${JSON.stringify('{{root}}')};
module.exports = (req, res) => {
  if (req.url !== '/slow') return res.end(String(process.pid));
  writeFileSync(root + '/slow-started', '');
  const timer = setInterval(() => {
    if (!existsSync(root + '/release')) return;
    clearInterval(timer);
    res.end('slow done');
  }, 20);
};
`;

/** One keep-alive HTTP/1.1 client connection, read by hand: each response as text, and whether the server closed it. */
class KeepAliveClient {
  private received = '';
  ended = false;
  readonly socket: Socket;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('close', () => (this.ended = true));
    this.socket.on('error', () => undefined);
  }

  get(path: string, timeoutMs = 10_000): Promise<string> {
    const from = this.received.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    return this.response(path, from, timeoutMs);
  }

  private async response(path: string, from: number, timeoutMs: number): Promise<string> {
    await waitFor(`the response to GET ${path}`, () => {
      const text = this.received.slice(from);
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return false;
      const length = /content-length: (\d+)/i.exec(text.slice(0, head));
      return length ? text.length >= head + 4 + Number(length[1]) : /\r\n0\r\n\r\n$/.test(text);
    }, timeoutMs);
    return this.received.slice(from);
  }
}

function refusedConnection(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test('poolhost drain: drain/404 at once, then refused connects, Connection: close at the response boundary, the slow request completes; undrain serves again', async () => {
  const [sitePort, adminPort, agentPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Shop', failure: { rapidFailProtection: 'false' } }],
        sites: [{ name: 'Shop', id: 1, bindings: [`127.0.0.1:${sitePort}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '{{root}}/app' }] }],
        // The configured delay; the command's --delay overrides it below.
        webManagement: { ipAddress: '127.0.0.1', port: String(adminPort), agentCheckPort: String(agentPort), drainDelay: '00:10:00' },
      }),
      files: { 'app/server.js': releasableApp },
      waitForPort: sitePort,
    },
    after,
  );
  const health = async (path: string) => (await httpRequest({ port: adminPort, path })).status;
  await waitFor('the host to be ready', async () => (await health('/health/ready')) === 200, 15_000);

  const busy = new KeepAliveClient(sitePort);
  assert.doesNotMatch(await busy.get('/'), /connection: close/i, 'a keep-alive response before the drain');
  const idle = new KeepAliveClient(sitePort);
  assert.doesNotMatch(await idle.get('/'), /connection: close/i);
  // The old keep-alive connection is busy when the listeners close: its slow request is in flight.
  const slow = busy.get('/slow', 60_000);
  await waitFor('the slow request to reach the application', () => existsSync(join(poolhost.root, 'slow-started')), 15_000);

  const drain = poolhost.cli('drain', '--delay', '1', '--timeout', '60');
  // The wait includes the CLI's own start (a Node process: seconds on a loaded 2-core machine).
  await waitFor('the agent to say drain', async () => (await agentAnswer(agentPort, 'Shop')) === 'drain\n', 30_000);
  assert.equal(await health('/health/ready'), 404, 'for http-check disable-on-404');
  assert.equal(await health('/health/ready/Shop'), 404);
  assert.equal(await health('/health/live'), 200, 'httpsys still answers');
  assert.match((await poolhost.cli('status')).stdout, /running, draining/);

  // Wait for httpsys to say its listeners closed rather than probing with connects: a probe that lands
  // just before the close is a third client connection in the count the drain reports.
  await waitFor('the listeners to close after the delay', () => poolhost.logLines.some((line) => (line.msg ?? '').startsWith('drain: listeners closed;')), 15_000);
  assert.equal(await refusedConnection(sitePort), 'ECONNREFUSED', 'new connections are refused after the delay');
  await waitFor('the idle keep-alive connection to be closed', () => idle.ended, 5_000);
  assert.equal(busy.ended, false, 'the busy connection waits for its response');
  assert.match((await poolhost.cli('status')).stdout, /running, draining/, 'the slow request holds the drain');

  writeFileSync(join(poolhost.root, 'release'), '');
  const last = await slow;
  assert.match(last, /^HTTP\/1\.1 200 /);
  assert.match(last, /\r\nconnection: close\r\n/i, 'the response in flight on the old keep-alive connection closes it');
  assert.match(last, /slow done$/, 'the request in flight completes');
  await waitFor('the keep-alive connection to close after that response', () => busy.ended, 5_000);
  const drained = await drain;
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stdout, /drained in [\d.]+ s: no client connection left/);
  assert.equal(drained.stderr, '', 'nothing was cut');
  assert.match((await poolhost.cli('status')).stdout, /running, drained/);
  assert.equal(await refusedConnection(sitePort), 'ECONNREFUSED');
  assert.equal((await agentAnswer(agentPort, 'Shop')), 'drain\n');

  const undrain = await poolhost.cli('undrain');
  assert.equal(undrain.code, 0, undrain.stderr);
  assert.equal((await httpRequest({ port: sitePort, path: '/' })).status, 200, 'listening again');
  assert.equal(await health('/health/ready'), 200);
  assert.match(await agentAnswer(agentPort, 'Shop'), /^up ready \d+%\n$/);
  assert.match((await poolhost.cli('status')).stdout, /running\n/);
  const logged = poolhost.logLines.map((line) => line.msg ?? '');
  assert.ok(logged.some((message) => message.startsWith('host drained in')), 'the drain is logged');
  assert.ok(logged.some((message) => message.startsWith('poolhost undrain:')), 'the undrain is logged');
  // And written to the event log, as was's other events (its journal, which appcmd and inetmgr read).
  const journal = (await askWas(poolhost.runDirectory, { type: 'GetEventJournal' })).events.filter((event) => event.eventId >= 5304 && event.eventId <= 5307);
  assert.deepEqual(journal.map((event) => [event.eventId, event.level, event.source]), [
    [5304, 'Information', 'poolhost'],
    [5305, 'Information', 'poolhost'],
    [5307, 'Information', 'poolhost'],
  ]);
  assert.equal(journal[0]!.message, 'The host is draining (poolhost drain): the health answers say drain; new connections are refused in 1000 ms, then connections have 60000 ms to finish.');
  assert.match(journal[1]!.message, /^The host drained in \d+ ms: no client connection left \(2 were open when the listeners closed\)\.$/);
  assert.equal(journal[2]!.message, 'The host is undrained (poolhost undrain): listening on the bindings again; the health answers say ready.');
});

test('poolhost drain --timeout: a request still running at the deadline is cut, and the command says how many connections were and exits 3', async () => {
  const sitePort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Shop', failure: { rapidFailProtection: 'false' } }],
        sites: [{ name: 'Shop', id: 1, bindings: [`127.0.0.1:${sitePort}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': releasableApp },
      waitForPort: sitePort,
    },
    after,
  );
  const slow = httpRequest({ port: sitePort, path: '/slow', timeoutMs: 60_000 }).then(
    (response) => `status ${response.status}`,
    (error: Error) => error.message,
  );
  await waitFor('the slow request to reach the application', () => existsSync(join(poolhost.root, 'slow-started')), 15_000);
  const drained = await poolhost.cli('drain', '--delay', '0', '--timeout', '1');
  assert.equal(drained.code, 3, 'a drain cut short says so in its exit code');
  assert.match(drained.stdout, /drained in [\d.]+ s, cut short at the deadline \(1 open when the listeners closed\)/);
  assert.doesNotMatch(drained.stdout, /no client connection left/);
  assert.match(drained.stderr, /^1 client connections were still open at the deadline and were cut\n$/);
  assert.match(await slow, /socket hang up|ECONNRESET/);
  const cut = await poolhost.waitForEvent(5306);
  assert.match(cut[0]!.msg ?? '', /^The host drain was cut short at its deadline after \d+ ms: 1 client connections were still open and were cut \(1 were open when the listeners closed\)\.$/);
});

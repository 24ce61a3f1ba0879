import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { recorderApp } from './support/reliability-apps.js';
import { hostileCorpus, limitCorpus } from './support/hostile-corpus.js';
import { inParallel, rawExchange, readHttpErr } from './support/raw-client.js';

test('every request of a 500+ hostile corpus gets HTTP.SYS answer and an HTTPERR line, and none reaches a worker', async () => {
  const port = await freePort();
  const maxFieldLength = 4096;
  const maxRequestBytes = 16384;
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Recorder', environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
        sites: [{ name: 'Corpus', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Recorder', physicalPath: '{{root}}/app' }] }],
        httpSys: { maxFieldLength: String(maxFieldLength), maxRequestBytes: String(maxRequestBytes) },
      }),
      files: { 'app/server.js': recorderApp },
      waitForPort: port,
    },
    after,
  );
  const recordFile = join(poolhost.root, 'received.log');
  // A worker is attached and idle: anything httpsys let through would reach it at once.
  assert.equal((await httpRequest({ port, path: '/warmup' })).status, 200);
  const httpsysPid = poolhost.processes().find((info) => info.role === 'httpsys')!.pid;

  const corpus = hostileCorpus({ maxFieldLength, maxRequestBytes });
  assert.ok(corpus.length >= 500, `corpus has ${corpus.length} requests`);
  const exchanges = await inParallel(corpus, 24, (entry) => rawExchange(port, entry.bytes, 5_000));

  const wrong: string[] = [];
  const perKind = new Map<string, Map<number, number>>();
  corpus.forEach((entry, index) => {
    const exchange = exchanges[index]!;
    const counts = perKind.get(entry.kind) ?? new Map<number, number>();
    counts.set(exchange.status, (counts.get(exchange.status) ?? 0) + 1);
    perKind.set(entry.kind, counts);
    if (exchange.status !== entry.status || !exchange.closedByServer) {
      wrong.push(`#${entry.id} ${entry.kind}: got ${exchange.status || 'nothing'}${exchange.closedByServer ? '' : ' (left open)'}, want ${entry.status}: ${JSON.stringify(entry.bytes.toString('latin1').slice(0, 120))}`);
    }
  });
  if (process.env.CORPUS_REPORT) {
    for (const [kind, counts] of perKind) console.log(kind.padEnd(32), [...counts].map(([status, count]) => `${status}x${count}`).join(' '));
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${corpus.length} answered wrongly`);

  // One HTTPERR line per request, matched by client port, with the class's reason.
  const httpErrDirectory = join(poolhost.root, 'logs', 'HTTPERR');
  let byPort = new Map<number, { status: string; reason: string }>();
  await waitFor('an HTTPERR line for every corpus request', () => {
    byPort = new Map(readHttpErr(httpErrDirectory).map((entry) => [entry.clientPort, entry]));
    return exchanges.every((exchange) => byPort.has(exchange.clientPort));
  }, 10_000, 200).catch(() => undefined);
  const badLines: string[] = [];
  corpus.forEach((entry, index) => {
    const line = byPort.get(exchanges[index]!.clientPort);
    if (!line) badLines.push(`#${entry.id} ${entry.kind}: no HTTPERR line`);
    else if (!entry.reasons.includes(line.reason) || line.status !== String(entry.status)) {
      badLines.push(`#${entry.id} ${entry.kind}: HTTPERR ${line.status} ${line.reason}, want ${entry.status} ${entry.reasons.join('|')}`);
    }
  });
  assert.deepEqual(badLines, []);

  // httpsys never went down and never forwarded a corpus request (or a request smuggled inside one).
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')?.pid, httpsysPid, 'httpsys was not restarted');
  assert.equal((await httpRequest({ port, path: '/after' })).status, 200);
  const received = existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n') : [];
  assert.deepEqual(received.map((line) => line.split(' ').slice(0, 2).join(' ')), ['GET /warmup', 'GET /after']);
});

const limitsApp = `
const fs = require('node:fs');
const http = require('node:http');
const record = (line) => fs.appendFileSync(process.env.RECORD_FILE, line + '\\n');
const server = http.createServer((req, res) => {
  record('START ' + req.method + ' ' + req.url);
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    record('END ' + req.method + ' ' + req.url + ' ' + bytes);
    res.end(String(bytes));
  });
});
server.on('upgrade', (req, socket) => {
  record('UPGRADE ' + req.url);
  socket.end('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n');
});
server.listen(process.env.PORT);
`;

test('the limits corpus: bodies over maxAllowedContentLength, upgrades filtering refuses, stalled bodies — IIS\'s answer each, none completes in the application', async () => {
  const port = await freePort();
  const maxAllowedContentLength = 10_000;
  const config = applicationHostConfig({
    pools: [{ name: 'Recorder', environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
    sites: [{ name: 'Limits', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Recorder', physicalPath: '{{root}}/app' }], limits: { connectionTimeout: '00:00:02' } }],
  }).replace(
    '</configuration>',
    `  <system.webServer><security><requestFiltering>
    <denyUrlSequences><add sequence="denied" /></denyUrlSequences>
    <requestLimits maxAllowedContentLength="${maxAllowedContentLength}" maxUrl="200" maxQueryString="100" />
  </requestFiltering></security></system.webServer>
</configuration>`,
  );
  const poolhost = await startPoolhost({ config, files: { 'app/server.js': limitsApp }, waitForPort: port }, after);
  const recordFile = join(poolhost.root, 'received.log');
  assert.equal((await httpRequest({ port, path: '/warmup' })).status, 200);

  const corpus = limitCorpus({ maxAllowedContentLength });
  assert.ok(corpus.length >= 50, `corpus has ${corpus.length} requests`);
  const exchanges = await inParallel(corpus, 16, (entry) => rawExchange(port, entry.bytes, 20_000));
  const wrong: string[] = [];
  corpus.forEach((entry, index) => {
    const exchange = exchanges[index]!;
    const heading = /HTTP Error (\d+\.\d+)/.exec(exchange.response)?.[1];
    if (exchange.status !== entry.status || !exchange.closedByServer || /^HTTP\/1\.1 101/m.test(exchange.response)) {
      wrong.push(`#${entry.id} ${entry.kind}: got ${exchange.status || 'nothing'}${exchange.closedByServer ? '' : ' (left open)'}, want ${entry.status}: ${JSON.stringify(entry.bytes.toString('latin1').slice(0, 100))}`);
    } else if (entry.answeredByWorker && heading !== (entry.status === 413 ? '413.1' : entry.reasons[0])) {
      wrong.push(`#${entry.id} ${entry.kind}: page says ${heading}, want ${entry.status === 413 ? '413.1' : entry.reasons[0]}`);
    }
  });
  assert.deepEqual(wrong, [], `${wrong.length} of ${corpus.length} answered wrongly`);

  // HTTP.SYS logs its own timers (Timer_EntityBody), and nothing for what the worker answered.
  const httpErrDirectory = join(poolhost.root, 'logs', 'HTTPERR');
  const timed = corpus.map((entry, index) => [entry, exchanges[index]!] as const).filter(([entry]) => !entry.answeredByWorker);
  await waitFor('the Timer_EntityBody lines', () => timed.every(([, exchange]) => readHttpErr(httpErrDirectory).some((line) => line.clientPort === exchange.clientPort)), 10_000).catch(() => undefined);
  const byPort = new Map(readHttpErr(httpErrDirectory).map((line) => [line.clientPort, line]));
  const badLines: string[] = [];
  corpus.forEach((entry, index) => {
    const line = byPort.get(exchanges[index]!.clientPort);
    if (entry.answeredByWorker && line) badLines.push(`#${entry.id} ${entry.kind}: unexpected HTTPERR ${line.reason}`);
    if (!entry.answeredByWorker && (!line || !entry.reasons.includes(line.reason))) badLines.push(`#${entry.id} ${entry.kind}: HTTPERR ${line?.reason ?? 'none'}, want ${entry.reasons.join('|')}`);
  });
  assert.deepEqual(badLines, []);

  // The application: no upgrade listener call, no complete body, no handler for a declared length over the limit.
  const received = existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n') : [];
  const corpusLines = received.filter((line) => line.includes('/corpus-'));
  const mayStart = new Set(corpus.filter((entry) => entry.handlerMayStart).map((entry) => `/corpus-${entry.id}`));
  const unexpected = corpusLines.filter((line) => !line.startsWith('START ') || !mayStart.has(line.split(' ')[2]!));
  assert.deepEqual(unexpected, [], 'the application never completed a corpus body nor saw a refused upgrade');
  assert.equal((await httpRequest({ port, path: '/after', method: 'POST', body: 'x'.repeat(maxAllowedContentLength) })).text, String(maxAllowedContentLength));
});

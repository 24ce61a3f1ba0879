import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { recorderApp } from './support/reliability-apps.js';
import { hostileCorpus } from './support/hostile-corpus.js';
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

// HTTP.SYS' EntityBody and DrainEntityBody timers and the per-site idle timer, all from the site's
// limits connectionTimeout (here 2 s, while webLimits keeps its 2 minutes): a body that stops arriving
// is cut with an HTTPERR `Timer_EntityBody` line; a slow body that keeps arriving is not; the unread rest
// of a body whose response is already written is drained for at most the timeout; an idle keep-alive
// connection of the site closes after it (`Timer_ConnectionIdle`).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { bodyCountingApp, chunkedPieces, converse, LAST_CHUNK, requestHead, responseBody } from './limits-support.js';

const TIMEOUT_MS = 2_000;

test('EntityBody, DrainEntityBody and the idle timer use the site\'s connectionTimeout', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Pool', environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
        sites: [{ name: 'Timers', id: 3, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/app' }], limits: { connectionTimeout: '00:00:02' } }],
      }),
      files: { 'app/server.js': bodyCountingApp },
      waitForPort: port,
    },
    after,
  );
  const httpErr = join(poolhost.root, 'logs', 'HTTPERR');
  const lineFor = (clientPort: number) => readHttpErr(httpErr).find((entry) => entry.clientPort === clientPort);

  // A body that stops: 100 of 1000 bytes, then nothing. Cut after the timeout, no response, one line.
  const stalled = await converse(port, requestHead('POST', '/stalled', ['Content-Length: 1000']), [Buffer.alloc(100, 120)], { timeoutMs: 60_000 });
  assert.ok(stalled.closedByServer, 'the stalled body was cut');
  assert.equal(stalled.status, 0, 'no response');
  assert.ok(stalled.elapsedMs >= TIMEOUT_MS - 100, `cut after the timeout, not before (${stalled.elapsedMs} ms)`);

  // A chunked body that stops after its first chunk.
  const stalledChunked = await converse(port, requestHead('POST', '/stalled-chunked', ['Transfer-Encoding: chunked']), chunkedPieces(1, 500), { timeoutMs: 60_000 });
  assert.ok(stalledChunked.closedByServer);
  assert.equal(stalledChunked.status, 0);

  // A slow body that keeps arriving (a chunk every 400 ms for twice the timeout) is not cut.
  const slow = await converse(port, requestHead('POST', '/slow', ['Transfer-Encoding: chunked', 'Connection: close']), chunkedPieces(10, 100), { intervalMs: 400, endWith: LAST_CHUNK, timeoutMs: 60_000 });
  assert.equal(slow.status, 200, slow.response.slice(0, 200));
  assert.equal(responseBody(slow.response), 'received 1000');

  // DrainEntityBody: the response is written before the body; the rest is drained for at most the timeout.
  const draining = await converse(port, requestHead('POST', '/early', ['Content-Length: 1000000']), [Buffer.alloc(1000, 120)], { timeoutMs: 60_000 });
  assert.equal(draining.status, 200);
  assert.equal(responseBody(draining.response), 'answered before reading');
  assert.ok(draining.closedByServer, 'the connection was closed once the drain took too long');
  assert.ok(draining.elapsedMs >= TIMEOUT_MS - 100, `${draining.elapsedMs} ms`);

  // Idle keep-alive connection of the site: closed after the site's timeout, not webLimits' 2 minutes.
  const idle = await converse(port, requestHead('GET', '/early', []), [], { timeoutMs: 60_000 });
  assert.equal(idle.status, 200);
  assert.ok(idle.closedByServer && idle.elapsedMs >= TIMEOUT_MS - 100 && idle.elapsedMs < 60_000, `${idle.elapsedMs} ms`);

  await waitFor('the HTTPERR lines', () => [stalled, stalledChunked, draining, idle].every((exchange) => lineFor(exchange.clientPort)), 5_000);
  for (const [exchange, uri] of [[stalled, '/stalled'], [stalledChunked, '/stalled-chunked'], [draining, '/early']] as const) {
    const line = lineFor(exchange.clientPort)!;
    assert.equal(line.reason, 'Timer_EntityBody', line.line);
    assert.equal(line.method, 'POST');
    assert.equal(line.uri, uri);
    assert.equal(line.status, '-');
    assert.equal(line.queueName, 'Pool');
  }
  assert.equal(lineFor(idle.clientPort)!.reason, 'Timer_ConnectionIdle');
  assert.equal(lineFor(slow.clientPort), undefined, 'nothing logged for the slow body');

  // The application saw the stalled bodies end abnormally, never complete.
  const record = join(poolhost.root, 'received.log');
  await waitFor('the application to see the cut bodies', () => existsSync(record) && readFileSync(record, 'utf8').split('\n').filter((line) => line.startsWith('aborted')).length >= 2, 5_000);
  const lines = readFileSync(record, 'utf8').trim().split('\n');
  assert.deepEqual(lines.filter((line) => line.startsWith('complete')), ['complete 1000'], lines.join(', '));
});

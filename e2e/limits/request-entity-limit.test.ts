// requestLimits@maxAllowedContentLength: IIS's 30000000-byte default, 413.1 for a declared length over
// it before any body is read, and 413.1 for a chunked body as soon as the bytes that arrived pass it —
// the application's request is aborted, it never sees a complete body, and the connection is closed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { bodyCountingApp, chunkedPieces, converse, LAST_CHUNK, requestHead, responseBody, responseHeader, w3cRecords } from './limits-support.js';

const LIMIT = 100_000;

function records(root: string): string[] {
  const file = join(root, 'received.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

test('413.1: Content-Length over IIS\'s default 30000000, and over a configured limit, chunked or not', async () => {
  const site = await startSite(
    {
      files: { 'www/server.js': bodyCountingApp, 'www/small/server.js': bodyCountingApp },
      pools: [{ name: 'Pool', environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/small', pool: 'Pool', physicalPath: '{{root}}/www/small' },
      ],
      locations: `  <location path="Site/small"><system.webServer><security><requestFiltering><requestLimits maxAllowedContentLength="${LIMIT}" /></requestFiltering></security></system.webServer></location>`,
    },
    after,
  );
  const { port } = site;

  // The pool's worker is started first (a demand start takes seconds on a loaded 2-core machine): the 3 s
  // windows below, for which the client keeps a connection whose body it never sends, then wait for an
  // answer only. /early records nothing, so the application's record below is unchanged.
  assert.equal((await site.get('/early')).status, 200);
  // IIS's default: 30000000 is allowed (the application starts reading), 30000001 is not (no body is read).
  const atDefault = await converse(port, requestHead('POST', '/early', ['Content-Length: 30000000']), [], { timeoutMs: 3_000 });
  assert.equal(atDefault.status, 200, atDefault.response.slice(0, 200));
  const overDefault = await converse(port, requestHead('POST', '/', ['Content-Length: 30000001']), [Buffer.alloc(1000, 120)]);
  assert.equal(overDefault.status, 413);
  assert.ok(overDefault.closedByServer, 'the connection is closed after 413.1');
  assert.equal(responseHeader(overDefault.response, 'Connection'), 'close');
  assert.match(responseBody(overDefault.response), /<title>IIS 10\.0 Detailed Error - 413\.1 - Request Entity Too Large<\/title>/);
  assert.match(responseBody(overDefault.response), /<h3>HTTP Error 413\.1 - Request Entity Too Large<\/h3>/);
  assert.match(responseBody(overDefault.response), /The request filtering module is configured to deny a request that exceeds the request content length\./);

  // Chunked, under the limit: served, and the connection stays open for the next request.
  const under = await converse(port, requestHead('POST', '/small/', ['Transfer-Encoding: chunked']), chunkedPieces(9, 10_000), { endWith: LAST_CHUNK, timeoutMs: 3_000 });
  assert.equal(under.status, 200);
  assert.equal(responseBody(under.response), 'received 90000');
  assert.equal(under.closedByServer, false, 'a body under the limit keeps the connection');

  // Chunked, over the limit: 413.1 once the bytes pass it, while the client is still sending.
  const over = await converse(port, requestHead('POST', '/small/', ['Transfer-Encoding: chunked']), chunkedPieces(400, 10_000), { intervalMs: 5, endWith: LAST_CHUNK });
  assert.equal(over.status, 413, over.response.slice(0, 300));
  assert.ok(over.closedByServer, 'the connection is closed after 413.1');
  assert.equal(responseHeader(over.response, 'Connection'), 'close');
  assert.match(responseBody(over.response), /<h3>HTTP Error 413\.1 - Request Entity Too Large<\/h3>/);
  assert.ok(over.bodyBytesWritten < 400 * 10_000, `the client was stopped before sending the whole body (${over.bodyBytesWritten} bytes)`);

  // Content-Length over the configured limit: refused before the application reads anything.
  const declared = await converse(port, requestHead('POST', '/small/', [`Content-Length: ${LIMIT + 1}`]), [Buffer.alloc(LIMIT + 1, 120)]);
  assert.equal(declared.status, 413);
  assert.ok(declared.closedByServer);

  // The application saw the under-limit body complete, and the over-limit one aborted, never complete.
  await waitFor('the application to record the aborted body', () => records(site.poolhost.root).some((line) => line.startsWith('aborted')), 5_000);
  const seen = records(site.poolhost.root);
  assert.ok(seen.includes('complete 90000'), seen.join(', '));
  assert.ok(!seen.some((line) => line.startsWith('complete') && line !== 'complete 90000' && line !== 'complete 0'), `no truncated body was taken as complete: ${seen.join(', ')}`);
  const aborted = Number(seen.find((line) => line.startsWith('aborted'))!.split(' ')[1]);
  assert.ok(aborted <= LIMIT, `the application got at most the limit (${aborted} bytes)`);

  // The W3C log has the 413.1s (written by the worker: httpsys logs nothing for them).
  await waitFor('the 413.1 log lines', () => w3cRecords(site.poolhost.root).filter((record) => record['sc-status'] === '413').length >= 3, 5_000);
  const logged = w3cRecords(site.poolhost.root).filter((record) => record['sc-status'] === '413');
  assert.ok(logged.every((record) => record['sc-substatus'] === '1'), JSON.stringify(logged));
});

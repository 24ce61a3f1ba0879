// FREB's HTTPSYS_CACHEABLE: a traced request says whether its response goes to the kernel cache, and why not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

test('traces carry HTTPSYS_CACHEABLE with the reason: not frequently hit, query string, then cacheable; a varying profile', async () => {
  const site = await startSite(
    {
      files: { 'www/page.txt': 'page', 'www/page.htm': '<p>page</p>' },
      traceFailedRequestsLogging: { enabled: 'true' },
      webServer: `    <tracing><traceFailedRequests>
      <add path="*.txt"><failureDefinitions statusCodes="200" /></add>
      <add path="*.htm"><failureDefinitions statusCodes="200" /></add>
    </traceFailedRequests></tracing>
    <caching><profiles><add extension=".htm" varyByHeaders="Accept-Language" /></profiles></caching>`,
    },
    after,
  );
  const folder = join(site.poolhost.root, 'logs', 'FailedReqLogFiles', 'W3SVC1');
  const cacheable = async (path: string, file: string): Promise<string> => {
    assert.equal((await site.get(path)).status, 200);
    await waitFor(`the trace ${file}`, () => existsSync(join(folder, file)), 5_000);
    const xml = readFileSync(join(folder, file), 'utf8');
    const event = xml.split('<Event').find((chunk) => chunk.includes('<Opcode>HTTPSYS_CACHEABLE</Opcode>'));
    assert.ok(event, `${file} has HTTPSYS_CACHEABLE`);
    return event;
  };
  const first = await cacheable('/page.txt', 'fr000001.xml');
  assert.match(first, /<Data Name="HttpsysCacheable">false<\/Data>/);
  assert.match(first, /<Data Name="Reason">NOT_FREQUENTLY_HIT<\/Data>/);
  const query = await cacheable('/page.txt?x=1', 'fr000002.xml');
  assert.match(query, /<Data Name="Reason">STATIC_REQUEST_QUERYSTRING<\/Data>/);
  const second = await cacheable('/page.txt', 'fr000003.xml');
  assert.match(second, /<Data Name="HttpsysCacheable">true<\/Data>/);
  assert.match(second, /<Data Name="Reason">OK<\/Data>/);
  assert.match(second, /<Data Name="CachePolicy">USER_INVALIDATES<\/Data>/);
  // A profile that varies: the kernel cache keys by URL alone, so the response is kept out of it.
  const varying = await cacheable('/page.htm', 'fr000004.xml');
  assert.match(varying, /<Data Name="HttpsysCacheable">false<\/Data>/);
  assert.match(varying, /<Data Name="Reason">HANDLER_HTTPSYS_UNFRIENDLY<\/Data>/);
});

test('a response httpsys refuses to store says why in its trace: over UriMaxUriBytes is RESPONSE_MORE_DATA', async () => {
  // The worker offers up to caching@maxResponseSize (256 KB); httpsys stores up to UriMaxUriBytes, here 4 KB.
  const site = await startSite(
    {
      files: { 'www/large.txt': 'x'.repeat(5000), 'www/small.txt': 'small' },
      traceFailedRequestsLogging: { enabled: 'true' },
      httpSys: { uriMaxUriBytes: '4096' },
      webServer: `    <tracing><traceFailedRequests>
      <add path="*.txt"><failureDefinitions statusCodes="200" /></add>
    </traceFailedRequests></tracing>`,
    },
    after,
  );
  const folder = join(site.poolhost.root, 'logs', 'FailedReqLogFiles', 'W3SVC1');
  const cacheable = async (path: string, file: string): Promise<string> => {
    assert.equal((await site.get(path)).status, 200);
    await waitFor(`the trace ${file}`, () => existsSync(join(folder, file)), 15_000);
    const events = readFileSync(join(folder, file), 'utf8').split('<Event').filter((chunk) => chunk.includes('<Opcode>HTTPSYS_CACHEABLE</Opcode>'));
    assert.equal(events.length, 1, `${file} has one HTTPSYS_CACHEABLE`);
    return events[0]!;
  };
  await cacheable('/large.txt', 'fr000001.xml'); // NOT_FREQUENTLY_HIT
  const refused = await cacheable('/large.txt', 'fr000002.xml');
  assert.match(refused, /<Data Name="HttpsysCacheable">false<\/Data>/);
  assert.match(refused, /<Data Name="Reason">RESPONSE_MORE_DATA<\/Data>/);
  assert.match(refused, /<Data Name="CachePolicy">NO_CACHE<\/Data>/);
  // A response httpsys stores says OK once stored, and is a hit next time (no trace: the worker never sees it).
  await cacheable('/small.txt', 'fr000003.xml');
  const stored = await cacheable('/small.txt', 'fr000004.xml');
  assert.match(stored, /<Data Name="HttpsysCacheable">true<\/Data>/);
  assert.match(stored, /<Data Name="Reason">OK<\/Data>/);
  const state = await cacheState(site.poolhost);
  assert.ok(state.entries.some((entry) => entry.URL === `http://127.0.0.1:${site.port}/small.txt`), state.text);
  assert.ok(!state.entries.some((entry) => entry.URL === `http://127.0.0.1:${site.port}/large.txt`), state.text);
});

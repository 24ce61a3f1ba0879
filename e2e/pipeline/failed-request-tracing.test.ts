import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from './pipeline-support.js';
import { waitFor } from '../support/wait.js';

test('a request failing a traceFailedRequests rule leaves an fr000001.xml with every stage and module; appcmd list traces reads it', async () => {
  const site = await startSite(
    {
      files: { 'www/index.html': 'home' },
      traceFailedRequestsLogging: { enabled: 'true', maxLogFiles: '2' },
      webServer: `    <tracing><traceFailedRequests>
      <add path="*"><failureDefinitions statusCodes="404" /></add>
    </traceFailedRequests></tracing>`,
    },
    after,
  );
  assert.equal((await site.get('/index.html')).status, 200);
  assert.equal((await site.get('/missing.html')).status, 404);
  const folder = join(site.poolhost.root, 'logs', 'FailedReqLogFiles', 'W3SVC1');
  await waitFor('the trace file', () => existsSync(join(folder, 'fr000001.xml')), 5_000);
  const xml = readFileSync(join(folder, 'fr000001.xml'), 'utf8');
  assert.match(xml, /<failedRequest url="http:\/\/127\.0\.0\.1:\d+\/missing\.html"/);
  assert.match(xml, /statusCode="404\.0"/);
  assert.match(xml, /failureReason="STATUS_CODE"/);
  assert.match(xml, /appPoolId="Pool"/);
  for (const opcode of ['GENERAL_REQUEST_START', 'NOTIFY_MODULE_START', 'NOTIFY_MODULE_END', 'MODULE_SET_RESPONSE_ERROR_STATUS', 'GENERAL_REQUEST_END']) {
    assert.match(xml, new RegExp(`<Opcode>${opcode}</Opcode>`), opcode);
  }
  for (const module of ['RequestFilteringModule', 'IIS Web Core', 'HttpLoggingModule', 'FailedRequestsTracingModule']) assert.match(xml, new RegExp(`<Data Name="ModuleName">${module}</Data>`), module);
  // IIS's own 404.0 for a missing file: raised by the core in MapRequestHandler, handler StaticFile.
  assert.match(xml, /<Data Name="ModuleName">IIS Web Core<\/Data>\n  <Data Name="Notification">16<\/Data>\n  <Data Name="HttpStatus">404<\/Data>/);
  assert.match(xml, /<Data Name="TimeTakenMs">\d+\.\d{3}<\/Data>/);

  // Only failing requests are written; maxLogFiles keeps the newest two.
  for (let index = 0; index < 3; index++) await site.get(`/gone-${index}.html`);
  await waitFor('four traces written, two kept', () => existsSync(join(folder, 'fr000004.xml')) && readdirSync(folder).length === 2, 5_000);
  assert.deepEqual(readdirSync(folder).sort(), ['fr000003.xml', 'fr000004.xml']);

  const listed = await site.appcmd('list', 'traces');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^TRACE "Site\/fr000003\.xml" \(url:http:\/\/127\.0\.0\.1:\d+\/gone-1\.html,statuscode:404\.0,wp:\d+\)$/m);
});

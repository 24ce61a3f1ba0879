import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { slowStartingApp } from '../support/apps.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { waitFor } from '../support/wait.js';

test('a full request queue answers 503 with HTTP.SYS body byte for byte and logs QueueFull; queued requests are all served', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Narrow', attributes: { queueLength: '10' } }],
        sites: [{ name: 'Queue', id: 7, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Narrow', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': slowStartingApp(2_000) },
      waitForPort: port,
    },
    after,
  );
  // The worker takes two seconds to load: fifteen requests sent meanwhile meet a queue of ten.
  const responses = await Promise.all(Array.from({ length: 15 }, (_, index) => httpRequest({ port, path: `/r/${index}`, timeoutMs: 20_000 })));
  const served = responses.filter((response) => response.status === 200);
  const refused = responses.filter((response) => response.status === 503);
  assert.equal(served.length, 10, 'the ten queued requests are served once the worker is ready');
  assert.equal(refused.length, 5);
  for (const response of refused) {
    assert.equal(response.text, serviceUnavailableBody);
    assert.equal(response.headers['content-length'], '326');
    assert.equal(response.headers.server, 'Microsoft-HTTPAPI/2.0');
  }
  assert.ok(served.every((response) => response.text === served[0]!.text), 'one worker served the queue');

  const directory = join(poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the HTTPERR log', () => {
    const files = readdirSync(directory).filter((name) => /^httperr\d+\.log$/.test(name));
    return files.some((name) => (readFileSync(join(directory, name), 'utf8').match(/ QueueFull Narrow/g) ?? []).length === 5);
  });
  const log = readdirSync(directory).map((name) => readFileSync(join(directory, name), 'utf8')).join('');
  assert.match(log, /^#Software: Microsoft HTTP API 2\.0$/m);
  assert.match(log, /^#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename$/m);
  assert.match(log, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${port} HTTP/1\\.1 GET /r/\\d+ \\S+ 503 7 QueueFull Narrow$`, 'm'));
});

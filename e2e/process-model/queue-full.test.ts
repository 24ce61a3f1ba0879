import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { waitFor } from '../support/wait.js';

/** Blocks its worker while loading until the test writes {{root}}/release: requests pile up in the queue meanwhile. */
const heldStartApp = `
const { existsSync } = require('node:fs');
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(${JSON.stringify('{{root}}/release')})) Atomics.wait(pause, 0, 0, 20);
module.exports = (req, res) => res.end(String(process.pid));
`;

test('a full request queue answers 503 with HTTP.SYS body byte for byte and logs QueueFull; queued requests are all served', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Narrow', attributes: { queueLength: '10' } }],
        sites: [{ name: 'Queue', id: 7, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Narrow', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': heldStartApp },
      waitForPort: port,
    },
    after,
  );
  // The worker cannot finish loading until the test says so: fifteen requests sent meanwhile meet a queue of
  // ten, however long a loaded machine takes to send them (a fixed 2 s load time raced their arrival).
  let answeredEarly = 0;
  const sent = Array.from({ length: 15 }, (_, index) =>
    httpRequest({ port, path: `/r/${index}`, timeoutMs: 60_000 }).then((response) => {
      answeredEarly++;
      return response;
    }),
  );
  await waitFor('the five requests over the queue to be turned away', () => answeredEarly >= 5, 30_000);
  writeFileSync(join(poolhost.root, 'release'), '');
  const responses = await Promise.all(sent);
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

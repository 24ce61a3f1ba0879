import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { crashOnFirstStartApp } from '../support/apps.js';

test('requests queued behind a worker that crashes while starting are all answered by its replacement', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Flaky' }],
        sites: [{ name: 'Survive', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Flaky', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': crashOnFirstStartApp },
      waitForPort: port,
    },
    after,
  );
  const methods = ['GET', 'POST', 'PUT', 'DELETE'];
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      httpRequest({ port, path: `/q/${index}`, method: methods[index % methods.length]!, body: index % 2 ? `body ${index}` : undefined, timeoutMs: 15_000 }),
    ),
  );
  assert.deepEqual(responses.map((response) => response.status), Array(20).fill(200));
  const pids = new Set(responses.map((response) => response.text));
  assert.equal(pids.size, 1, 'one replacement worker served them all');
  assert.equal(poolhost.events(5009).length, 1, 'the start-up crash was recorded');
  assert.match(String(poolhost.events(5009)[0]!.msg), /The process exit code was '0x4'|The process exit code was '4'/);
});

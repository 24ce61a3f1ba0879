import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest, rawRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';

test('a binding whose port another process holds is reported by name; the other site serves', async () => {
  const [taken, free] = [await freePort(), await freePort()];
  const squatter = createServer((socket) => socket.resume().end('squatter\n'));
  await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: taken }, resolve));
  after(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A' }],
        sites: [
          { name: 'Taken', id: 1, bindings: [`127.0.0.1:${taken}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] },
          { name: 'Free', id: 2, bindings: [`127.0.0.1:${free}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] },
        ],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: free,
    },
    after,
  );
  assert.equal((await httpRequest({ port: free })).status, 200);
  const problem = `127.0.0.1:${taken} is being used by another process`;
  await waitFor('the port conflict to be reported', () => poolhost.logLines.some((line) => line.service === 'w3svc' && String(line.msg).includes(problem)), 10_000);
  // httpsys's own line comes through its own pipe: it may reach the log after w3svc's.
  await waitFor("httpsys's line for it", () => poolhost.logLines.some((line) => line.service === 'httpsys' && line.msg === `cannot listen on ${problem}`), 10_000);
  assert.ok(!poolhost.logLines.some((line) => line.service === 'httpsys' && line.msg === `listening on 127.0.0.1:${taken}`), 'httpsys listens on no other socket for it');
  // The port is still the squatter's.
  assert.equal(await rawRequest(taken, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'squatter\n');
});

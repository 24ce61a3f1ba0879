import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { lineApp, tcpConnect } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

// W3SVC is one listener adapter among others: its death touches nothing of net.tcp.
test('killing w3svc leaves net.tcp service untouched: open connections keep working and new ones are served', async () => {
  const httpPort = await freePort();
  const tcpPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Web' }, { name: 'Lines' }],
        sites: [
          { name: 'Web', id: 1, bindings: [`127.0.0.1:${httpPort}:`], applications: [{ path: '/', pool: 'Web', physicalPath: '{{root}}/web' }] },
          { name: 'Lines', id: 2, bindings: [`net.tcp/${tcpPort}:127.0.0.1`], applications: [{ path: '/', pool: 'Lines', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] },
        ],
      }),
      files: { 'lines/server.js': lineApp, 'web/server.js': pidApp },
      waitForPort: httpPort,
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  const open = await tcpConnect(tcpPort);
  open.write('before\n');
  assert.equal(await open.line(), 'BEFORE');

  const w3svc = poolhost.processes().find((info) => info.role === 'w3svc')!;
  process.kill(w3svc.pid, 'SIGKILL');
  open.write('during\n');
  assert.equal(await open.line(), 'DURING', 'the open connection keeps working');
  const fresh = await tcpConnect(tcpPort);
  fresh.write('after\n');
  assert.equal(await fresh.line(), 'AFTER', 'a new connection is served');
  open.end();
  fresh.end();
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { tcpConnect, tcpRefusal } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

// Every connection crashes the worker (an uncaught throw in the connection listener).
const crashOnConnection = `
require('node:net').createServer(() => { throw new Error('crash on connection'); }).listen(process.env.PORT);
`;

test('TCP crashes trip rapid-fail protection; the disabled pool then resets connections and starts no worker', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Crashy', failure: { rapidFailProtectionMaxCrashes: '2', rapidFailProtectionInterval: '00:05:00' } }],
        sites: [{ name: 'Crashy', id: 1, bindings: [`net.tcp/${port}:127.0.0.1`], applications: [{ path: '/', pool: 'Crashy', physicalPath: '{{root}}/crashy', attributes: { enabledProtocols: 'net.tcp' } }] }],
      }),
      files: { 'crashy/server.js': crashOnConnection },
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  for (let crash = 1; crash <= 2; crash++) {
    const client = await tcpConnect(port);
    await client.closed;
    await poolhost.waitForEvent(5009, crash, 20_000);
  }
  await poolhost.waitForEvent(5002, 1, 10_000);
  assert.equal(await tcpRefusal(port), 'ECONNRESET', 'a disabled pool resets the connection');
  assert.equal(poolhost.workers('Crashy').length, 0, 'and starts no worker for it');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { lineApp, tcpConnect, type TcpClient } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

test('a web garden grows while every worker holds connections, and new connections go to the worker with the fewest', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '2' } }],
        sites: [{ name: 'Lines', id: 1, bindings: [`net.tcp/${port}:127.0.0.1`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] }],
      }),
      files: { 'lines/server.js': lineApp },
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  const clients: TcpClient[] = [];
  const pidOf = async (client: TcpClient): Promise<number> => {
    client.write('PID\n');
    return Number(await client.line());
  };
  clients.push(await tcpConnect(port));
  const first = await pidOf(clients[0]!);
  await waitFor('the second worker of the garden to attach', () => poolhost.logLines.filter((line) => line.service === 'nettcpactivator' && /^worker \d+ attached/.test(line.msg ?? '')).length >= 2, 20_000);
  const pids: number[] = [];
  for (let index = 0; index < 4; index++) {
    const client = await tcpConnect(port);
    clients.push(client);
    pids.push(await pidOf(client));
  }
  const second = poolhost.workers('Garden').map((info) => info.pid).find((pid) => pid !== first)!;
  assert.equal(poolhost.workers('Garden').length, 2, 'maxProcesses caps the garden');
  // Open connections first 1, second 0 → second; 1/1 → the earlier attached (first); 2/1 → second; 2/2 → first.
  assert.deepEqual(pids, [second, first, second, first], 'least connections first');
  for (const client of clients) client.end();
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { lineApp, tcpConnect } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

test('overlapped recycle: a long-lived connection stays with the old worker until it ends; new connections go to the new worker', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'LinePool', processModel: { shutdownTimeLimit: '00:01:00' } }],
        sites: [{ name: 'Lines', id: 1, bindings: [`net.tcp/${port}:127.0.0.1`], applications: [{ path: '/', pool: 'LinePool', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] }],
      }),
      files: { 'lines/server.js': lineApp },
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  const longLived = await tcpConnect(port);
  longLived.write('PID\n');
  const oldPid = Number(await longLived.line());

  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  assert.equal((await appcmd(['recycle', 'apppool', '/apppool.name:LinePool'], { env })).code, 0);
  await waitFor('the replacement worker to attach', () => poolhost.logLines.some((line) => line.service === 'nettcpactivator' && /^worker \d+ attached/.test(line.msg ?? '') && !(line.msg ?? '').startsWith(`worker ${oldPid} `)), 20_000);

  const fresh = await tcpConnect(port);
  fresh.write('PID\n');
  const newPid = Number(await fresh.line());
  assert.notEqual(newPid, oldPid, 'a new connection goes to the new worker');
  fresh.end();

  longLived.write('still here\n');
  assert.equal(await longLived.line(), 'STILL HERE', 'the old connection is still served by the old worker');
  assert.ok(poolhost.workers('LinePool').some((info) => info.pid === oldPid), 'the old worker runs while its connection is open');

  longLived.write('QUIT\n');
  assert.equal(await longLived.line(), 'BYE');
  await waitFor('the old worker to exit once its connection ended', () => !poolhost.workers('LinePool').some((info) => info.pid === oldPid), 20_000);
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [newPid]);
});

// SIGKILL of the net.tcp activator: poolhost restarts it (as any service), it registers with was again and
// rebinds its ports; the connections already handed to a worker (SCM_RIGHTS: the worker's own sockets) keep
// working throughout, the worker re-attaches to the new activator, and new connections are served by it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { tcpConnect } from './support/tcp-client.js';
import { startLinePool, waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

test('SIGKILL of the net.tcp activator: restarted, ports rebound, handed-over connections keep working, new ones go to the re-attached worker', async () => {
  const port = await freePort();
  const poolhost = await startLinePool(port, after);
  const open = await tcpConnect(port);
  open.write('PID\n');
  const pid = Number(await open.line());

  const activator = poolhost.processes().find((info) => info.role === 'nettcpactivator')!;
  process.kill(activator.pid, 'SIGKILL');
  open.write('during\n');
  assert.equal(await open.line(), 'DURING', 'the handed-over connection is the worker\'s own socket');

  await waitFor('a new activator', () => poolhost.processes().some((info) => info.role === 'nettcpactivator' && info.pid !== activator.pid), 30_000);
  await waitForNetTcpEndpoints(poolhost, 2);
  await waitFor('the worker to attach to the restarted activator', () =>
    poolhost.logLines.some((line) => line.pid === pid && line.msg === 'attached again to the restarted net.tcp activator'),
  30_000);

  const fresh = await tcpConnect(port);
  fresh.write('PID\n');
  assert.equal(Number(await fresh.line()), pid, 'the same worker serves new connections: no worker was lost');
  open.write('still\n');
  assert.equal(await open.line(), 'STILL');
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [pid]);

  const status = await poolhost.cli('status');
  assert.match(status.stdout, /nettcpactivator\s+\d+\s+Running\s+1\b/, status.stdout);
  open.write('QUIT\n');
  assert.equal(await open.line(), 'BYE');
  fresh.write('QUIT\n');
  assert.equal(await fresh.line(), 'BYE');
});

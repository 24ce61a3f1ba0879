import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { tcpConnect, tcpRefusal } from './support/tcp-client.js';
import { startLinePool } from './support/net-tcp-instance.js';

test('SIGKILL of a net.tcp worker closes its connections and the next connection goes to the replacement; a stopped pool resets connections', async () => {
  const port = await freePort();
  const poolhost = await startLinePool(port, after);

  const first = await tcpConnect(port);
  first.write('PID\n');
  const crashed = Number(await first.line());
  process.kill(crashed, 'SIGKILL');
  const { error } = await first.closed;
  assert.ok(error === null || ['ECONNRESET', 'EPIPE'].includes(error.code ?? ''), `the crashed worker's connection closes (${error?.code})`);
  await poolhost.waitForEvent(5009);

  const second = await tcpConnect(port);
  second.write('PID\n');
  const replacement = Number(await second.line());
  assert.notEqual(replacement, crashed, 'a new worker serves the next connection');
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [replacement]);
  second.end();
  await second.closed;

  // A stopped pool refuses new connections with a reset, and never starts a worker for them.
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  assert.deepEqual(await appcmd(['stop', 'apppool', '/apppool.name:LinePool'], { env }).then((r) => [r.code, r.stdout]), [0, '"LinePool" successfully stopped.\n']);
  await waitFor('LinePool to have no worker', () => poolhost.workers('LinePool').length === 0, 15_000);
  assert.equal(await tcpRefusal(port), 'ECONNRESET', 'the connection is reset');
  assert.equal(poolhost.workers('LinePool').length, 0);

  const before = poolhost.logLines.length;
  assert.equal((await appcmd(['start', 'apppool', '/apppool.name:LinePool'], { env })).code, 0);
  await waitFor('the connection queue to be enabled again', () => poolhost.logLines.slice(before).some((line) => line.msg === "connection queue 'LinePool' enabled"), 10_000);
  const third = await tcpConnect(port);
  third.write('again\n');
  assert.equal(await third.line(), 'AGAIN', 'a started pool serves again');
  third.end();
});

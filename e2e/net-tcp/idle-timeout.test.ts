import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { sleep, waitFor } from '../support/wait.js';
import { lineApp, tcpConnect } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

// idleTimeout is whole minutes (IIS schema): this test takes about three minutes. An open TCP connection
// is a request in flight, so a worker holding one is never idle, however quiet the connection is.
test('idle timeout: a worker with an open but quiet net.tcp connection is not idled out; with none it exits (5186) and the next connection demand-starts a new one', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Sleepy', processModel: { idleTimeout: '00:01:00' } }],
        sites: [{ name: 'Lines', id: 1, bindings: [`net.tcp/${port}:127.0.0.1`], applications: [{ path: '/', pool: 'Sleepy', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] }],
      }),
      files: { 'lines/server.js': lineApp },
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);

  const quiet = await tcpConnect(port);
  quiet.write('PID\n');
  const first = Number(await quiet.line());
  // Well past idleTimeout plus the idle check's period: nothing is sent on the connection meanwhile.
  await sleep(80_000);
  assert.deepEqual(poolhost.events(5186), [], 'no idle shutdown while a connection is open');
  assert.deepEqual(poolhost.workers('Sleepy').map((info) => info.pid), [first]);
  quiet.write('still here\n');
  assert.equal(await quiet.line(), 'STILL HERE', 'the quiet connection is still served by its worker');
  quiet.end();
  assert.equal((await quiet.closed).error, null);
  const closedAt = Date.now();

  const [event] = await poolhost.waitForEvent(5186, 1, 90_000);
  const idleFor = Date.now() - closedAt;
  assert.ok(idleFor >= 59_000, `shut down ${idleFor} ms after the last connection closed, not before idleTimeout`);
  assert.match(String(event!.msg), new RegExp(`process id of '${first}' serving application pool 'Sleepy' was shutdown due to inactivity`));
  await waitFor('the idle worker to exit', () => poolhost.workers('Sleepy').length === 0, 15_000);
  assert.deepEqual(poolhost.events(5009), [], 'an idle-out is no crash');

  const next = await tcpConnect(port);
  next.write('PID\n');
  const second = Number(await next.line());
  assert.notEqual(second, first, 'the next connection demand-starts a new worker');
  assert.deepEqual(poolhost.workers('Sleepy').map((info) => info.pid), [second]);
  next.end();
  await next.closed;
});

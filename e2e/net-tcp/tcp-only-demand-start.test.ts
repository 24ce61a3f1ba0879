import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { sleep, waitFor } from '../support/wait.js';
import { echoApp, lineApp, tcpConnect } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

// WAS without W3SVC: only net.tcp sites, so poolhost runs was and the net.tcp activator, no httpsys, no w3svc.
test('a net.tcp-only configuration starts no w3svc and no httpsys; the first connection demand-starts the worker, which serves an echo and a line protocol', async () => {
  const echoPort = await freePort();
  const linePort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'EchoPool' }, { name: 'LinePool' }],
        sites: [
          { name: 'Echo', id: 1, bindings: [`net.tcp/${echoPort}:127.0.0.1`], applications: [{ path: '/', pool: 'EchoPool', physicalPath: '{{root}}/echo', attributes: { enabledProtocols: 'net.tcp' } }] },
          { name: 'Lines', id: 2, bindings: [`net.tcp/${linePort}:*`], applications: [{ path: '/', pool: 'LinePool', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] },
        ],
      }),
      files: { 'echo/server.js': echoApp, 'lines/server.js': lineApp },
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 2);
  assert.deepEqual(poolhost.processes().map((info) => info.role).sort(), ['nettcpactivator', 'poolhost', 'was']);
  await sleep(300);
  assert.equal(poolhost.workers().length, 0, 'no w3wp may exist before the first connection');

  const echo = await tcpConnect(echoPort);
  echo.write('hello over net.tcp\n');
  assert.equal(await echo.line(), 'hello over net.tcp');
  assert.equal(poolhost.workers('EchoPool').length, 1, 'the first connection started one worker');
  assert.equal(poolhost.workers('LinePool').length, 0, 'the other pool still has none');
  // A large write comes back whole (backpressure through the relay).
  const big = 'x'.repeat(512 * 1024);
  echo.write(`${big}\n`);
  assert.equal((await echo.line()).length, big.length);
  echo.end();
  assert.equal((await echo.closed).error, null, 'the echo connection ends cleanly (half-close carried both ways)');

  const lines = await tcpConnect(linePort);
  lines.write('PID\nhello\nPEER\n');
  const pid = Number(await lines.line());
  assert.equal(await lines.line(), 'HELLO');
  // `*` listens dual-stack, so the client shows as a v4-mapped address, as under a plain Node server on `::`.
  assert.equal(await lines.line(), '::ffff:127.0.0.1 true', 'the app sees the client address on a real net.Socket');
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [pid], 'the line protocol is served by the LinePool worker');
  // The activator's log line comes through poolhost's output, maybe after the answer.
  await waitFor('the activator to log how it feeds the worker', () =>
    poolhost.logLines.some((line) => line.service === 'nettcpactivator' && line.msg === `worker ${pid} attached to net.tcp connection queue 'LinePool' (sockets handed over)`),
  );
  lines.write('QUIT\n');
  assert.equal(await lines.line(), 'BYE');
  await lines.closed;

  const second = await tcpConnect(linePort);
  second.write('PID\n');
  assert.equal(Number(await second.line()), pid, 'later connections reuse the running worker');
  second.end();

  const status = await poolhost.cli('status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, /nettcpactivator\s+\d+\s+Running/);
  assert.doesNotMatch(status.stdout, /httpsys|w3svc/);
});

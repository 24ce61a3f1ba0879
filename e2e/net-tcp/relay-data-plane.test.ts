import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { tcpConnect } from './support/tcp-client.js';
import { startLinePool } from './support/net-tcp-instance.js';

// The relay data plane (POOLHOST_NET_TCP_DATA_PLANE=relay): bytes copied through the activator instead of the socket handed over.
test('with POOLHOST_NET_TCP_DATA_PLANE=relay the activator relays bytes: the app still sees the client address, large writes come back whole, half-close is carried', async () => {
  const port = await freePort();
  const poolhost = await startLinePool(port, after, { env: { POOLHOST_NET_TCP_DATA_PLANE: 'relay' } });
  const client = await tcpConnect(port);
  client.write('PID\nPEER\n');
  const pid = Number(await client.line());
  assert.equal(await client.line(), '127.0.0.1 true');
  await waitFor('the activator to log how it feeds the worker', () =>
    poolhost.logLines.some((line) => line.service === 'nettcpactivator' && line.msg === `worker ${pid} attached to net.tcp connection queue 'LinePool' (bytes relayed)`),
  );
  const big = 'y'.repeat(256 * 1024);
  client.write(`${big}\n`);
  assert.equal(await client.line(), big.toUpperCase());
  client.write('QUIT\n');
  assert.equal(await client.line(), 'BYE');
  assert.equal((await client.closed).error, null);
});

// Site limits maxConnections: a connection counts against the site of its first request; one more than
// the limit gets HTTP.SYS' own 503 (326-byte body, Connection: close) and an HTTPERR `ConnLimit` line; a
// closed connection frees its place.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { bodyCountingApp, converse, requestHead, responseBody, responseHeader } from './limits-support.js';

/** A keep-alive connection that has been served one request (so it counts against the site). */
async function servedConnection(port: number, sockets: Socket[]): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let response = '';
  socket.on('data', (data: Buffer) => (response += data.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(requestHead('GET', '/early', []));
  await waitFor('the keep-alive response', () => response.includes('answered before reading'), 10_000);
  assert.match(response, /^HTTP\/1\.1 200/);
  return socket;
}

test('limits maxConnections: the connection over the limit gets HTTP.SYS\' 503 and an HTTPERR ConnLimit line', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Pool' }],
        sites: [{ name: 'Limited', id: 7, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/app' }], limits: { maxConnections: '2' } }],
      }),
      files: { 'app/server.js': bodyCountingApp },
      waitForPort: port,
    },
    after,
  );
  const sockets: Socket[] = [];
  after(() => sockets.forEach((socket) => socket.destroy()));
  const first = await servedConnection(port, sockets);
  await servedConnection(port, sockets);

  const refused = await converse(port, requestHead('GET', '/third', []), []);
  assert.equal(refused.status, 503);
  assert.equal(responseHeader(refused.response, 'Server'), 'Microsoft-HTTPAPI/2.0');
  assert.equal(responseHeader(refused.response, 'Connection'), 'close');
  assert.equal(responseBody(refused.response), serviceUnavailableBody);
  assert.ok(refused.closedByServer);

  // A place frees when a counted connection closes.
  first.destroy();
  await waitFor('a new connection to be served again', async () => (await converse(port, requestHead('GET', '/early', ['Connection: close']), [])).status === 200, 10_000);

  const httpErr = join(poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the ConnLimit line', () => readHttpErr(httpErr).some((entry) => entry.clientPort === refused.clientPort), 5_000);
  const line = readHttpErr(httpErr).find((entry) => entry.clientPort === refused.clientPort)!;
  assert.equal(line.reason, 'ConnLimit');
  assert.equal(line.status, '503');
  assert.equal(line.method, 'GET');
  assert.equal(line.uri, '/third');
  assert.equal(line.line.split(' ')[11], '7', 'the site id');
});

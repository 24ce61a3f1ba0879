import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { tcpConnect, tcpRefusal } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

// One application with an HTTP face and a TCP face, in one pool and one worker; a second application of
// the same site without net.tcp in enabledProtocols is not reachable over it.
const bothFaces = `
const http = require('node:http');
const net = require('node:net');
http.createServer((req, res) => res.end('http ' + process.pid)).listen(process.env.PORT);
net.createServer((socket) => socket.end('tcp ' + process.pid + '\\n')).listen(process.env.PORT);
`;

test('one pool serves the HTTP and the TCP face of one application from one worker; all four services run', async () => {
  const httpPort = await freePort();
  const tcpPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'BothPool' }],
        sites: [
          {
            name: 'Both',
            id: 1,
            bindings: [`127.0.0.1:${httpPort}:`, `net.tcp/${tcpPort}:127.0.0.1`],
            applications: [{ path: '/', pool: 'BothPool', physicalPath: '{{root}}/both', attributes: { enabledProtocols: 'http,net.tcp' } }],
          },
        ],
      }),
      files: { 'both/server.js': bothFaces },
      waitForPort: httpPort,
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  assert.deepEqual(poolhost.processes().map((info) => info.role).sort(), ['httpsys', 'nettcpactivator', 'poolhost', 'w3svc', 'was']);

  const tcp = await tcpConnect(tcpPort);
  const tcpLine = await tcp.line();
  await tcp.closed;
  const response = await httpRequest({ port: httpPort, path: '/' });
  assert.equal(response.status, 200);
  const [pid] = poolhost.workers('BothPool').map((info) => info.pid);
  assert.equal(tcpLine, `tcp ${pid}`);
  assert.equal(response.text, `http ${pid}`, 'the same worker serves both faces');
  assert.equal(poolhost.workers('BothPool').length, 1);
});

test('an application whose enabledProtocols lacks net.tcp is not reachable over its site net.tcp binding', async () => {
  const httpPort = await freePort();
  const tcpPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'HttpOnly' }],
        sites: [{ name: 'HttpOnly', id: 1, bindings: [`127.0.0.1:${httpPort}:`, `net.tcp/${tcpPort}:127.0.0.1`], applications: [{ path: '/', pool: 'HttpOnly', physicalPath: '{{root}}/both' }] }],
      }),
      files: { 'both/server.js': bothFaces },
      waitForPort: httpPort,
    },
    after,
  );
  await waitForNetTcpEndpoints(poolhost, 1);
  assert.equal(await tcpRefusal(tcpPort), 'ECONNRESET', 'no application takes the connection: reset');
  assert.equal(poolhost.workers().length, 0, 'and no worker is started for it');
  const response = await httpRequest({ port: httpPort, path: '/' });
  assert.match(response.text, /^http \d+$/);
});

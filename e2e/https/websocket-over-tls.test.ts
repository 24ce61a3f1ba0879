// wss:// works as ws:// does: the upgrade is routed and relayed over the TLS connection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { freePort } from '../support/http.js';
import { requireDependency } from '../pipeline/pipeline-support.js';
import { newAuthority, startHttpsServer } from './https-support.js';

const app = `
const http = require('node:http');
const { WebSocketServer } = ${requireDependency('ws')};
const server = http.createServer((req, res) => res.end('plain'));
const wss = new WebSocketServer({ server, path: '/socket' });
wss.on('connection', (socket, req) => {
  socket.send('welcome ' + req.headers['x-forwarded-proto']);
  socket.on('message', (data) => socket.send('echo: ' + data));
});
server.listen(process.env.PORT);
`;

test('a wss:// upgrade on an https binding: messages flow both ways, large ones included', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const port = await freePort();
  await startHttpsServer(
    {
      sites: [{ name: 'Chat', id: 1, bindings: [`https/*:${port}:`] }],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: port,
      app,
    },
    after,
  );
  // ws passes TLS options (ca, servername) through to tls.connect; its typings list only some of them.
  const tlsOptions = { ca: readFileSync(authority.caFile), servername: 'www.example.test', headers: { host: 'www.example.test' } };
  const socket = new WebSocket(`wss://127.0.0.1:${port}/socket`, tlsOptions);
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      received.push(String(data));
      if (received.length === 1) socket.send('hello');
      if (received.length === 2) socket.send('z'.repeat(200_000));
      if (received.length === 3) resolve();
    });
    socket.on('error', reject);
  });
  assert.equal(received[0], 'welcome https');
  assert.equal(received[1], 'echo: hello');
  assert.equal(received[2], `echo: ${'z'.repeat(200_000)}`);
  socket.close();
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { requireDependency } from '../../pipeline/pipeline-support.js';
import { startIisnodeApp } from './iisnode-site.js';

const hello = `
const http = require('node:http');
const { WebSocketServer } = ${requireDependency('ws')};
const server = http.createServer((req, res) => res.end('plain http'));
const wss = new WebSocketServer({ server });
wss.on('connection', (socket, req) => {
  socket.send('welcome from ' + process.pid + ' ' + req.headers['x-forwarded-for']);
  socket.on('message', (data) => socket.send('echo: ' + data));
});
server.listen(process.env.PORT);
`;

test('iisnode: a WebSocket upgrade is joined to the node process (iisnode 0.2 with WebSocket), messages both ways', async () => {
  const site = await startIisnodeApp({ hello, iisnode: { enableXFF: 'true' } }, after);
  assert.equal((await site.get('/app/hello.js')).text, 'plain http');
  const socket = new WebSocket(`ws://127.0.0.1:${site.port}/app/hello.js`);
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      received.push(String(data));
      if (received.length === 1) socket.send('hello');
      if (received.length === 2) socket.send('z'.repeat(100_000));
      if (received.length === 3) resolve();
    });
    socket.on('error', reject);
  });
  assert.match(received[0]!, /^welcome from \d+ 127\.0\.0\.1$/);
  assert.equal(received[1], 'echo: hello');
  assert.equal(received[2], `echo: ${'z'.repeat(100_000)}`);
  socket.close();
});

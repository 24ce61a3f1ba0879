import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

const app = `
const http = require('node:http');
const { WebSocketServer } = ${requireDependency('ws')};
const server = http.createServer((req, res) => res.end('plain http'));
const wss = new WebSocketServer({ server, path: '/chat/socket' });
wss.on('connection', (socket, req) => {
  socket.send('welcome ' + req.headers['x-forwarded-for']);
  socket.on('message', (data) => socket.send('echo: ' + data));
});
server.listen(process.env.PORT);
`;

test('a WebSocket upgrade reaches a ws server (listen() captured) and messages flow both ways', async () => {
  const site = await startSite({ files: { 'chat/server.js': app }, applications: [{ path: '/chat', pool: 'Pool', physicalPath: '{{root}}/chat' }] }, after);
  assert.equal((await site.get('/chat/')).text, 'plain http');
  const socket = new WebSocket(`ws://127.0.0.1:${site.port}/chat/socket`);
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      received.push(String(data));
      if (received.length === 1) socket.send('hello');
      if (received.length === 3) resolve();
      if (received.length === 2) socket.send(Buffer.alloc(100_000, 'z').toString());
    });
    socket.on('error', reject);
  });
  assert.equal(received[0], 'welcome 127.0.0.1');
  assert.equal(received[1], 'echo: hello');
  assert.equal(received[2], `echo: ${'z'.repeat(100_000)}`);
  socket.close();
});

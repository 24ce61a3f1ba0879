// An upgrade (WebSocket) request walks request filtering, ipSecurity and authentication like any request
// before the application may take it: a refused upgrade gets IIS's 404.x / 403.x / 401.x page and the
// connection closes; the application's `upgrade` listener never sees it and no 101 is sent.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';
import { converse, requestHead, responseBody } from './limits-support.js';

const app = `
const fs = require('node:fs');
const http = require('node:http');
const { WebSocketServer } = ${requireDependency('ws')};
const server = http.createServer((req, res) => res.end('plain http'));
const wss = new WebSocketServer({ server });
wss.on('connection', (socket, req) => {
  fs.appendFileSync(process.env.RECORD_FILE, req.url + '\\n');
  socket.send('welcome ' + req.url);
});
server.listen(process.env.PORT);
`;

const upgradeHeaders = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];

test('WebSocket upgrades are filtered like any request: 404.8, 404.5, 403.503, 401.2 instead of a 101', async () => {
  const location = (path: string, section: string): string => `  <location path="Site/${path}"><system.webServer>${section}</system.webServer></location>`;
  const site = await startSite(
    {
      files: { 'chat/server.js': app, 'locked/server.js': app, 'private/server.js': app },
      pools: [{ name: 'Pool', environmentVariables: { RECORD_FILE: '{{root}}/upgrades.log' } }],
      applications: [
        { path: '/chat', pool: 'Pool', physicalPath: '{{root}}/chat' },
        { path: '/locked', pool: 'Pool', physicalPath: '{{root}}/locked' },
        { path: '/private', pool: 'Pool', physicalPath: '{{root}}/private' },
      ],
      webServer: '    <security><requestFiltering><denyUrlSequences><add sequence="forbidden" /></denyUrlSequences></requestFiltering></security>',
      locations: [
        location('locked', '<security><ipSecurity allowUnlisted="false" /></security>'),
        location('private', '<security><authentication><anonymousAuthentication enabled="false" /></authentication></security>'),
      ].join('\n'),
    },
    after,
  );
  const { port } = site;

  // An upgrade nothing refuses reaches the application.
  const socket = new WebSocket(`ws://127.0.0.1:${port}/chat/socket`);
  const welcome = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(String(data)));
    socket.once('error', reject);
  });
  assert.equal(welcome, 'welcome /chat/socket');
  socket.close();

  const refused: Array<[path: string, status: number, heading: string]> = [
    ['/chat/bin/socket', 404, '404.8'],
    ['/chat/forbidden-socket', 404, '404.5'],
    ['/locked/socket', 403, '403.503'],
    ['/private/socket', 401, '401.2'],
  ];
  for (const [path, status, heading] of refused) {
    const exchange = await converse(port, requestHead('GET', path, upgradeHeaders), [], { timeoutMs: 5_000 });
    assert.equal(exchange.status, status, `${path}: ${exchange.response.slice(0, 200)}`);
    assert.doesNotMatch(exchange.response, /^HTTP\/1\.1 101/m, `${path}: no 101`);
    assert.match(responseBody(exchange.response), new RegExp(`HTTP Error ${heading.replace('.', '\\.')} - `), path);
    assert.ok(exchange.closedByServer, `${path}: the connection is closed after the refusal`);
  }

  // The ws library sees the refusal as an HTTP error, not an open socket.
  const refusedSocket = new WebSocket(`ws://127.0.0.1:${port}/chat/bin/socket`);
  const refusal = await new Promise<number>((resolve) => {
    refusedSocket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    refusedSocket.once('open', () => resolve(101));
    refusedSocket.once('error', () => resolve(-1));
  });
  assert.equal(refusal, 404);

  const recorded = join(site.poolhost.root, 'upgrades.log');
  assert.deepEqual(existsSync(recorded) ? readFileSync(recorded, 'utf8').trim().split('\n') : [], ['/chat/socket'], 'only the accepted upgrade reached the application');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';

const app = `
const fs = require('node:fs');
const path = require('node:path');
module.exports = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let n = 0;
  res.write('data: event ' + n++ + '\\n\\n');
  const timer = setInterval(() => res.write('data: event ' + n++ + '\\n\\n'), 50);
  req.on('close', () => {
    clearInterval(timer);
    fs.writeFileSync(path.join(__dirname, 'closed.txt'), 'closed after ' + n + ' events');
  });
};
`;

test("server-sent events stream as they are written, and the app's req.on('close') fires when the client goes away", async () => {
  const site = await startSite({ files: { 'www/server.js': app } }, after);
  const events: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const client = request({ host: '127.0.0.1', port: site.port, path: '/events', headers: { accept: 'text/event-stream' } }, (response) => {
      assert.equal(response.headers['content-type'], 'text/event-stream');
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        events.push(...chunk.split('\n\n').filter(Boolean));
        if (events.length >= 4) {
          client.destroy();
          resolve();
        }
      });
    });
    client.on('error', (error) => (events.length >= 4 ? resolve() : reject(error)));
    client.end();
  });
  assert.deepEqual(events.slice(0, 4), ['data: event 0', 'data: event 1', 'data: event 2', 'data: event 3']);
  const marker = join(site.poolhost.root, 'www', 'closed.txt');
  // The app's writeFileSync may have created the file and not yet written it: wait for its words.
  await waitFor("the app's close handler", () => existsSync(marker) && readFileSync(marker, 'utf8') !== '', 5_000);
  assert.match(readFileSync(marker, 'utf8'), /^closed after \d+ events$/);
});

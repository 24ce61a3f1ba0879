import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { tcpConnect, lineApp } from './support/tcp-client.js';
import { startLinePool } from './support/net-tcp-instance.js';

/** The line protocol, but its first worker blocks while loading (without spinning) until the test kills it. */
const hangsOnFirstStartApp = `
const fs = require('node:fs');
const path = require('node:path');
const marker = path.join(__dirname, 'first-worker');
if (!fs.existsSync(marker)) {
  fs.writeFileSync(marker, String(process.pid));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
}
${lineApp}`;

test('SIGKILL of a worker while connections wait in its pool queue: the replacement serves every queued connection', async () => {
  const port = await freePort();
  const poolhost = await startLinePool(port, after, { app: hangsOnFirstStartApp });

  // The first connection demand-starts the worker; these wait in the queue while it loads.
  const clients = await Promise.all(Array.from({ length: 20 }, () => tcpConnect(port)));
  clients.forEach((client, index) => client.write(`PID\nline ${index}\n`));
  const marker = join(poolhost.root, 'lines', 'first-worker');
  await waitFor('the first worker to be loading the application', () => existsSync(marker) && readFileSync(marker, 'utf8').length > 0, 30_000);
  const killed = Number(readFileSync(marker, 'utf8'));
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [killed]);
  assert.equal(poolhost.logLines.filter((line) => line.service === 'nettcpactivator' && /^worker \d+ attached/.test(line.msg ?? '')).length, 0, 'no worker took a connection yet');
  process.kill(killed, 'SIGKILL');
  await poolhost.waitForEvent(5009);

  const answers = await Promise.all(clients.map(async (client) => [Number(await client.line(30_000)), await client.line(30_000)] as const));
  const pids = new Set(answers.map(([pid]) => pid));
  assert.equal(pids.size, 1, 'one replacement worker served them all');
  assert.ok(!pids.has(killed), 'not the killed worker');
  assert.deepEqual(answers.map(([, line]) => line), clients.map((_, index) => `LINE ${index}`), 'every queued connection kept the bytes its client sent');
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [...pids]);
  for (const client of clients) client.end();
  await Promise.all(clients.map((client) => client.closed));
});

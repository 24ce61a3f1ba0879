import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startIisnodeApp } from './iisnode-site.js';
import { waitFor } from '../../support/wait.js';

const hello = `require('http').createServer((req, res) => res.end(process.pid + ' ' + process.ppid)).listen(process.env.PORT);`;

test('iisnode: node processes never outlive their w3wp, even one killed with SIGKILL; the next w3wp starts new ones', async () => {
  const site = await startIisnodeApp({ hello, iisnode: { nodeProcessCountPerApplication: '2' } }, after);
  const first = (await site.get('/app/hello.js')).text.split(' ');
  const second = (await site.get('/app/hello.js')).text.split(' ');
  const [nodeA, worker] = first;
  const [nodeB] = second;
  assert.notEqual(nodeA, nodeB);
  process.kill(Number(worker), 'SIGKILL');
  await waitFor('both node processes gone', () => !existsSync(`/proc/${nodeA}`) && !existsSync(`/proc/${nodeB}`), 10_000);
  await waitFor('a new worker answering', async () => {
    const response = await site.get('/app/hello.js');
    return response.status === 200 && response.text.split(' ')[1] !== worker;
  }, 30_000, 250);
});

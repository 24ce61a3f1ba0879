import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIisnodeApp } from './iisnode-site.js';
import { waitFor } from '../../support/wait.js';

const version = (name: string): string => `
require('http').createServer((req, res) => setTimeout(() => res.end('${name} ' + process.pid), 20)).listen(process.env.PORT);
`;

test('iisnode: copying a new hello.js over the old one under load deploys it with 0 failed requests (overlapped recycle)', async () => {
  const site = await startIisnodeApp({ hello: version('v1'), iisnode: { nodeProcessCountPerApplication: '2' } }, after);
  const folder = join(site.poolhost.root, 'app');
  assert.match((await site.get('/app/hello.js')).text, /^v1 /);
  const answers: string[] = [];
  /** Answers to requests sent once the test had seen a v2 answer: the switch to v2 was done before they left. */
  const sentAfterFirstV2: string[] = [];
  let v2Seen = false;
  const failures: string[] = [];
  let running = true;
  const client = async (): Promise<void> => {
    while (running) {
      try {
        const afterFirstV2 = v2Seen;
        const response = await site.get('/app/hello.js');
        if (response.status === 200 && /^v[12] \d+$/.test(response.text)) {
          answers.push(response.text);
          if (response.text.startsWith('v2 ')) v2Seen = true;
          if (afterFirstV2) sentAfterFirstV2.push(response.text);
        } else failures.push(`${response.status} ${response.text.slice(0, 200)}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const clients = Array.from({ length: 6 }, client);
  await waitFor('load running', () => answers.length >= 20, 20_000);
  // A deployment: the new version written next to the app, then copied over it.
  writeFileSync(join(folder, 'hello.next'), version('v2'));
  copyFileSync(join(folder, 'hello.next'), join(folder, 'hello.js'));
  await waitFor('v2 answering', () => answers.slice(-10).filter((text) => text.startsWith('v2 ')).length === 10, 30_000);
  running = false;
  await Promise.all(clients);
  assert.deepEqual(failures, [], 'no request failed during the deployment');
  const v1 = new Set(answers.filter((text) => text.startsWith('v1 ')).map((text) => text.split(' ')[1]));
  const v2 = new Set(answers.filter((text) => text.startsWith('v2 ')).map((text) => text.split(' ')[1]));
  assert.equal(v1.size, 2);
  assert.equal(v2.size, 2);
  for (const pid of v2) assert.ok(!v1.has(pid), 'new processes answer the new code');
  // Requests sent after the switch never go back to the old code. Counted by when a request was sent, not
  // by when it was answered: a v1 request in flight at the switch may be answered after many v2 ones on a
  // loaded machine (an allowance of 12 answers counted on that).
  assert.ok(sentAfterFirstV2.length > 0, 'requests were sent after the first v2 answer');
  assert.deepEqual(sentAfterFirstV2.filter((text) => !text.startsWith('v2 ')), [], 'no request sent after the switch reached the old code');
});

test('iisnode: watchedFiles with a sub-folder and wildcards; files outside the list change nothing', async () => {
  const hello = `const config = require('./config/settings.json');
require('http').createServer((req, res) => res.end(config.greeting + ' ' + process.pid)).listen(process.env.PORT);`;
  const site = await startIisnodeApp(
    { hello, iisnode: { watchedFiles: '*.js;config\\*.json;missing\\folder\\*.js' }, files: { 'config/settings.json': '{"greeting":"hi"}', 'notes.txt': 'a' } },
    after,
  );
  const folder = join(site.poolhost.root, 'app');
  const first = (await site.get('/app/hello.js')).text;
  assert.match(first, /^hi \d+$/);
  writeFileSync(join(folder, 'notes.txt'), 'b');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal((await site.get('/app/hello.js')).text, first, 'notes.txt is not watched');
  writeFileSync(join(folder, 'config', 'settings.json'), '{"greeting":"hello"}');
  await waitFor('the new settings answering', async () => (await site.get('/app/hello.js')).text.startsWith('hello '), 20_000, 200);
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startIisnodeApp } from './iisnode-site.js';
import { waitFor } from '../../support/wait.js';

// The app asks for a recycle by writing "recycle" to IISNODE_CONTROL_PIPE (iisnode's test 143).
const hello = `
const net = require('net');
require('http').createServer((req, res) => {
  if (req.url.includes('recycle')) {
    const pipe = net.connect(process.env.IISNODE_CONTROL_PIPE, () => pipe.end('recycle'));
    pipe.on('error', (error) => console.error(error));
  }
  res.setHeader('processpid', String(process.ppid));
  res.end(String(process.env.IISNODE_CONTROL_PIPE ? 'pipe' : 'no pipe'));
}).listen(process.env.PORT);
`;

test('iisnode: recycleSignalEnabled gives the app IISNODE_CONTROL_PIPE; "recycle" written to it recycles the worker process overlapped', async () => {
  const site = await startIisnodeApp({ hello, iisnode: { recycleSignalEnabled: 'true' } }, after);
  const first = await site.get('/app/hello.js?recycle');
  assert.equal(first.text, 'pipe');
  const firstWorker = String(first.headers['processpid']);
  await waitFor('a new worker process answering', async () => {
    const response = await site.get('/app/hello.js');
    return response.status === 200 && String(response.headers['processpid']) !== firstWorker;
  }, 30_000, 250);
  await site.poolhost.waitForEvent(5078);
});

test('iisnode: without recycleSignalEnabled there is no IISNODE_CONTROL_PIPE', async () => {
  const site = await startIisnodeApp({ hello }, after);
  assert.equal((await site.get('/app/hello.js')).text, 'no pipe');
});

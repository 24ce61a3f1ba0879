import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { startIisnodeApp } from './iisnode-site.js';
import { waitFor } from '../../support/wait.js';

// Each node process counts its own requests (iisnode's test 114_roundrobin).
const hello = `
let count = 0;
require('http').createServer((req, res) => res.end(process.pid + ' ' + (++count))).listen(process.env.PORT);
`;

async function answers(site: Awaited<ReturnType<typeof startIisnodeApp>>, requests: number): Promise<Array<[string, string]>> {
  const result: Array<[string, string]> = [];
  for (let index = 0; index < requests; index++) result.push((await site.get('/app/hello.js')).text.split(' ') as [string, string]);
  return result;
}

test('iisnode: nodeProcessCountPerApplication="2" starts two node processes and gives them requests round robin', async () => {
  const site = await startIisnodeApp({ hello, iisnode: { nodeProcessCountPerApplication: '2' } }, after);
  const seen = await answers(site, 4);
  const pids = new Set(seen.map(([pid]) => pid));
  assert.equal(pids.size, 2);
  assert.deepEqual(seen.map(([, count]) => count), ['1', '1', '2', '2']);
});

test('iisnode: iisnode.yml overrides web.config (3 processes instead of 1) and a change to it recycles the application', async () => {
  const site = await startIisnodeApp({ hello, files: { 'iisnode.yml': '# overrides\nnodeProcessCountPerApplication: 3 # more\n' } }, after);
  assert.equal(new Set((await answers(site, 6)).map(([pid]) => pid)).size, 3);
  writeFileSync(`${site.poolhost.root}/app/iisnode.yml`, 'nodeProcessCountPerApplication: 1\n');
  await waitFor('one node process after iisnode.yml changed', async () => new Set((await answers(site, 3)).map(([pid]) => pid)).size === 1, 20_000, 200);
});

test('iisnode: maxConcurrentRequestsPerProcess — a request over the limit gets 503.1000', async () => {
  // The slow request sends its head at once and ends 8 s later.
  const slow = `require('http').createServer((req, res) => {
  if (req.url.includes('slow')) { res.writeHead(200); res.write('started '); setTimeout(() => res.end('done'), 8000); return; }
  res.end('ok');
}).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello: slow, iisnode: { maxConcurrentRequestsPerProcess: '1', devErrorsEnabled: 'false' } }, after);
  assert.equal((await site.get('/app/hello.js')).text, 'ok');
  const { body } = await new Promise<{ body: Promise<string> }>((resolve, reject) => {
    get({ port: site.port, path: '/app/hello.js?slow' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      const ended = new Promise<string>((done) => response.on('end', () => done(text)));
      response.on('data', (chunk: string) => (text += chunk));
      resolve({ body: ended });
    }).on('error', reject);
  });
  const refused = await site.get('/app/hello.js?second');
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.text, /503\.1000/);
  assert.equal(await body, 'started done', 'the request in flight finishes');
  assert.equal((await site.get('/app/hello.js')).text, 'ok', 'room again once it has');
});

// `appcmd list requests` shows an HTTP/2 request in flight like any other.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { curl, startHttp2Site } from './http2-support.js';

// Requests are held until /release arrives, not for a fixed time: on a loaded machine the worker's demand
// start, the TLS handshake and each appcmd run take seconds, and a 3 s request was over before appcmd looked.
const holdingApp = `const held = [];
module.exports = (req, res) => {
  if (req.url === '/release') {
    const waiting = held.splice(0);
    for (const answer of waiting) answer();
    res.end('released ' + waiting.length);
    return;
  }
  held.push(() => res.end('slow ' + req.httpVersion));
};`;

test('appcmd list requests shows an h2 request in flight', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app: holdingApp }, after);
  const slow = curl(site, '/h2-in-flight', ['--http2']);
  let stdout = '';
  await waitFor('the h2 request listed', async () => {
    stdout = (await appcmd(['list', 'requests'], { env: { POOLHOST_RUN_DIR: site.poolhost.runDirectory, POOLHOST_CONFIG: site.poolhost.configFile } })).stdout;
    return stdout.includes('/h2-in-flight');
  }, 30_000);
  assert.match(stdout.split('\n').find((line) => line.includes('/h2-in-flight'))!, /^REQUEST "[^"]+" \(url:GET \/h2-in-flight, time:\d+ msec, client:127\.0\.0\.1/);
  // Released over the http binding: the same site, pool and (single) worker.
  assert.equal((await curl(site, '/release', [], 'http')).body, 'released 1');
  const answer = await slow;
  assert.equal(answer.version, 'HTTP/2');
  assert.equal(answer.body, 'slow 2.0');
});

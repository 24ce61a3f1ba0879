// Site limits maxBandwidth: a throttle of the bytes the site's responses send. A 320 KiB download from a
// site limited to 16 KiB/s arrives intact and takes seconds (only a generous lower bound is asserted:
// a loaded machine can only make it slower); httpsys reports the throttle in its log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { bodyCountingApp } from './limits-support.js';

test('limits maxBandwidth throttles a site\'s responses; the bytes arrive intact', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Pool' }],
        sites: [{ name: 'Slow', id: 4, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/app' }], limits: { maxBandwidth: '16384' } }],
      }),
      files: { 'app/server.js': bodyCountingApp },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port, path: '/early' })).status, 200);
  const kib = 320;
  const started = Date.now();
  const response = await httpRequest({ port, path: `/download?kb=${kib}`, timeoutMs: 60_000 });
  const elapsed = Date.now() - started;
  assert.equal(response.status, 200);
  assert.equal(response.body.length, kib * 1024);
  for (let index = 0; index < response.body.length; index++) {
    if (response.body[index] !== (index % (16 * 1024)) % 251) assert.fail(`byte ${index} differs`);
  }
  // 256 KiB go at once (the stream's first window); the 64 KiB after them wait for the site's rate:
  // about 3 s at 16 KiB/s. Assert well under that, so that no timing luck can fail it.
  assert.ok(elapsed >= 1_500, `a 320 KiB response at 16 KiB/s took ${elapsed} ms`);
  await waitFor('httpsys to report the throttle', () => poolhost.logLines.some((line) => String(line.msg).includes('throttled to 16384 bytes/s')), 5_000);
});

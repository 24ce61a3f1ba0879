import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';

test('a worker that stops answering pings is killed (5010) and the next request gets a replacement', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [
          // A ping every second, 5 s to answer: a frozen worker is caught within seconds, while a live one on a
          // loaded 2-core machine (an event loop held up for a second) is not taken for hung.
          { name: 'Hung', processModel: { pingInterval: '00:00:01', pingResponseTime: '00:00:05' } },
          { name: 'Healthy', processModel: { pingInterval: '00:00:01', pingResponseTime: '00:00:05' } },
        ],
        sites: [
          {
            name: 'Ping',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Healthy', physicalPath: '{{root}}/healthy' },
              { path: '/hung', pool: 'Hung', physicalPath: '{{root}}/hung' },
            ],
          },
        ],
      }),
      files: { 'hung/server.js': pidApp, 'healthy/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const before = await httpRequest({ port, path: '/hung/' });
  const healthy = await httpRequest({ port, path: '/' });
  const frozenPid = Number(before.text);
  process.kill(frozenPid, 'SIGSTOP');
  const stoppedAt = Date.now();
  const [event] = await poolhost.waitForEvent(5010, 1, 30_000);
  const detectedAfter = Date.now() - stoppedAt;
  assert.equal(event!.msg, `A process serving application pool 'Hung' failed to respond to a ping. The process id was '${frozenPid}'.`);
  // Nominally 6 s at most (pingInterval + pingResponseTime); the bound only tells the configured settings from
  // IIS's defaults (90 s + 90 s), with room for a loaded 2-core machine where was's timers run late.
  assert.ok(detectedAfter < 30_000, `detected after ${detectedAfter} ms, expected within pingInterval + pingResponseTime plus scheduling slack`);
  await waitFor('the frozen worker to be gone', () => !poolhost.workers('Hung').some((info) => info.pid === frozenPid));

  const after1 = await httpRequest({ port, path: '/hung/' });
  assert.equal(after1.status, 200);
  assert.notEqual(after1.text, before.text);
  assert.equal((await httpRequest({ port, path: '/' })).text, healthy.text, 'the other pool kept its worker');
  assert.equal(poolhost.events(5010).length, 1, 'the healthy pool was never flagged');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitForNoProcesses } from '../support/processes.js';

test('`poolhost stop` ends every process even with a hung worker, killing it at shutdownTimeLimit', async () => {
  const port = await freePort();
  const instance = new PoolhostInstance({
    config: applicationHostConfig({
      pools: [
        { name: 'Hung', processModel: { shutdownTimeLimit: '00:00:02', pingingEnabled: 'false' } },
        { name: 'Fine', processModel: { shutdownTimeLimit: '00:00:02' } },
      ],
      sites: [
        {
          name: 'Stop',
          id: 1,
          bindings: [`127.0.0.1:${port}:`],
          applications: [
            { path: '/', pool: 'Fine', physicalPath: '{{root}}/fine' },
            { path: '/hung', pool: 'Hung', physicalPath: '{{root}}/hung' },
          ],
        },
      ],
    }),
    files: { 'fine/server.js': pidApp, 'hung/server.js': pidApp },
    waitForPort: port,
  });
  after(async () => {
    await instance.stop();
    instance.cleanup();
  });
  await instance.start();
  const hungPid = Number((await httpRequest({ port, path: '/hung/' })).text);
  await httpRequest({ port, path: '/' });
  assert.equal(instance.workers().length, 2);
  process.kill(hungPid, 'SIGSTOP');

  const stop = await instance.cli('stop');
  assert.equal(stop.code, 0, stop.stderr);
  // A stop that waited for the hung worker would never end; the kill at shutdownTimeLimit (5013) ends it.
  const exitCode = await instance.waitForExit(30_000);
  assert.equal(exitCode, 0);
  assert.deepEqual(await waitForNoProcesses(instance.runDirectory, 1_000, instance.pid ? [instance.pid] : []), []);
  assert.equal(instance.events(5013).length, 1, 'the hung worker was killed at shutdownTimeLimit');

  const again = await instance.cli('stop');
  assert.notEqual(again.code, 0, 'stopping a stopped server fails');
  assert.match(again.stderr, /not running/i);
});

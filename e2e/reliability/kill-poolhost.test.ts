import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { poolsBehindOneSite } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitForNoProcesses } from '../support/processes.js';

test('SIGKILL of poolhost itself: every service and worker notices and exits, none is left behind', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: poolsBehindOneSite(port, [{ name: 'A' }, { name: 'Garden', processModel: { maxProcesses: '2' } }], { '/': 'A', '/garden': 'Garden' }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  await Promise.all([httpRequest({ port, path: '/' }), httpRequest({ port, path: '/garden/?delay=200' }), httpRequest({ port, path: '/garden/?delay=200' })]);
  const before = poolhost.processes();
  assert.deepEqual(
    [...new Set(before.map((info) => info.role))].sort(),
    ['httpsys', 'poolhost', 'w3svc', 'w3wp', 'was'],
  );
  // The services' stdout pipes now lead nowhere: their last log lines fail with EPIPE on the way out.
  process.kill(poolhost.pid!, 'SIGKILL');
  const left = await waitForNoProcesses(poolhost.runDirectory, 10_000);
  assert.deepEqual(left.map((info) => `${info.role} ${info.pid}`), [], 'processes that outlived poolhost');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';

/**
 * pidApp, plus `/held/N`: says it arrived (writes {{root}}/arrived-N) and answers only once the test writes
 * {{root}}/release, so a round of requests is in flight at once whatever the machine's load.
 */
const holdingPidApp = `
const { existsSync, writeFileSync } = require('node:fs');
const root = ${JSON.stringify('{{root}}')};
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  const answer = () => {
    res.setHeader('content-type', 'text/plain');
    res.end(String(process.pid));
  };
  if (url.pathname.startsWith('/held/')) {
    writeFileSync(root + '/arrived-' + url.pathname.slice('/held/'.length), '');
    const timer = setInterval(() => {
      if (!existsSync(root + '/release')) return;
      clearInterval(timer);
      answer();
    }, 20);
    return;
  }
  setTimeout(answer, Number(url.searchParams.get('delay') || 0));
};
`;

test('a web garden of 3 starts workers as load asks and spreads concurrent requests by fewest in flight', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '3' } }],
        sites: [{ name: 'Garden', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': holdingPidApp },
      waitForPort: port,
    },
    after,
  );
  const concurrentRound = async (count: number): Promise<string[]> =>
    (await Promise.all(Array.from({ length: count }, (_, index) => httpRequest({ port, path: `/slow/${index}?delay=400` })))).map(
      (response) => {
        assert.equal(response.status, 200);
        return response.text;
      },
    );

  // Busy workers make httpsys ask for more, up to maxProcesses; wait until all three are attached and
  // serving (a process that exists may still be starting).
  await waitFor('three workers serving in the garden', async () => new Set(await concurrentRound(6)).size === 3, 20_000, 0);
  // Six requests held in the workers until all six have arrived: the spread depends on the dispatch alone,
  // not on whether a slow client sent the last one after the first ones were answered (a fixed delay did).
  const held = Promise.all(Array.from({ length: 6 }, (_, index) => httpRequest({ port, path: `/held/${index}`, timeoutMs: 60_000 })));
  await waitFor('six requests in flight', () => Array.from({ length: 6 }, (_, index) => index).every((index) => existsSync(join(poolhost.root, `arrived-${index}`))), 30_000);
  writeFileSync(join(poolhost.root, 'release'), '');
  const round = (await held).map((response) => {
    assert.equal(response.status, 200);
    return response.text;
  });
  const counts = new Map<string, number>();
  for (const pid of round) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  const gardenPids = poolhost.workers('Garden').map((info) => String(info.pid)).sort();
  assert.deepEqual([...counts.keys()].sort(), gardenPids, 'every worker of the garden served');
  assert.deepEqual([...counts.values()], [2, 2, 2], 'six concurrent requests spread two per worker');
  assert.equal(poolhost.workers('Garden').length, 3, 'never more than maxProcesses');
});

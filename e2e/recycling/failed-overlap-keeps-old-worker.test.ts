import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { failAfterFirstStartApp } from '../support/apps.js';
import { pidOf, recycle, singlePoolConfig } from './recycling-support.js';

test('a replacement that cannot start leaves the old worker serving (5093)', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: singlePoolConfig(port, { name: 'Stuck', failure: { rapidFailProtection: 'false' } }),
      files: { 'app/server.js': failAfterFirstStartApp },
      waitForPort: port,
    },
    after,
  );
  const before = await pidOf(port);
  await recycle(poolhost, 'Stuck');
  const [event] = await poolhost.waitForEvent(5093, 1, 15_000);
  assert.equal(event!.msg, `WAS failed to overlap recycle for application pool 'Stuck' worker process '${before}'.`);
  for (let i = 0; i < 5; i++) assert.equal(await pidOf(port, `/${i}`), before, 'the old worker keeps serving');
});

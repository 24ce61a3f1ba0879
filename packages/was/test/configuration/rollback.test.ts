import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { ApplicationPool } from '../../src/application-pool/application-pool.js';
import { EventLog } from '../../src/event-log/event-log.js';
import { applyConfiguration } from '../../src/configuration/reconfiguration.js';
import { configWithPools } from '../support/config-fixture.js';
import { FakeClock } from '@poolhost/common/testing';
import { FakeSpawner } from '../support/fake-spawner.js';

test('when a step fails, the pools it created are removed and stopped and the ones it removed come back', async () => {
  const clock = new FakeClock();
  const logger = createLogger({ service: 'was', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const spawner = new FakeSpawner(clock);
  const create = (config: ReturnType<typeof configWithPools>['applicationPools'][number]) =>
    new ApplicationPool({ config, spawner, clock, logger, eventLog: new EventLog(logger, clock), memorySampler: { sample: async () => ({ privateKb: 0 }) }, nextWorkerId: () => '1', publishQueueState: () => undefined });
  const before = configWithPools([{ name: 'AppA' }, { name: 'AppB' }]);
  const after = configWithPools([{ name: 'AppA' }, { name: 'AppC', attributes: 'startMode="AlwaysRunning"' }]);
  const pools = new Map(before.applicationPools.map((config) => [config.name.toLowerCase(), create(config)]));
  const poolB = pools.get('appb')!;
  let created: ApplicationPool | undefined;
  await assert.rejects(
    applyConfiguration(
      {
        pools,
        logger,
        createPool: (config) => (created = create(config)),
        retirePool: () => assert.fail('nothing is retired when the change fails'),
        publishSiteConfiguration: () => {
          throw new Error('w3svc refused');
        },
      },
      before,
      after,
    ),
    /w3svc refused/,
  );
  assert.deepEqual([...pools.keys()], ['appa', 'appb']);
  assert.equal(pools.get('appb'), poolB);
  await clock.advance(0);
  assert.equal(created!.state, 'Stopped', 'the created pool (and its AlwaysRunning worker) is stopped again');
  assert.equal(spawner.alive().length, 0);
});

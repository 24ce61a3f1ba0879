import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { parseApplicationHostConfig } from '@poolhost/config';
import { applicationHostText, configWithPools, type PoolFixture } from '../support/config-fixture.js';
import { createHarness, demand, runningWorker } from '../support/was-harness.js';

const pools: PoolFixture[] = [{ name: 'AppA' }, { name: 'AppB' }];

test('a pool whose settings changed is recycled (overlapped, 5080) and its new workers use the new settings', async () => {
  const harness = await createHarness(pools);
  const old = await runningWorker(harness, 'AppA');
  const applied = await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="3" />' }, { name: 'AppB' }]));
  assert.equal(applied, true);
  assert.equal(harness.spawner.workers.length, 2, 'a replacement starts');
  assert.equal(harness.spawner.last.request.applicationPool.processModel.maxProcesses, 3);
  harness.spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  assert.deepEqual(harness.eventIds(), [5080]);
  assert.equal(harness.was.eventLog.journal().workerHistory[0]!.reason, 'recycle (ConfigChange)');
  assert.deepEqual(harness.siteConfigurations.at(-1)!.requestQueues.map((queue) => [queue.applicationPool, queue.maxProcesses]), [
    ['AppA', 3],
    ['AppB', 1],
  ]);
  // The web garden now grows to 3 on demand.
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  assert.equal(harness.spawner.alive('AppA').length, 3);
});

test('shrinking maxProcesses replaces only as many workers as the new size; the others stop', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<processModel maxProcesses="2" />' }]);
  await runningWorker(harness, 'AppA');
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  harness.spawner.last.ready();
  await settle();
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="1" />' }]));
  harness.spawner.last.ready();
  await settle();
  assert.equal(harness.spawner.alive('AppA').length, 1);
  assert.equal(harness.spawner.workers.length, 3);
});

test('shrinking maxProcesses while a replacement is still starting leaves the new size, not one worker per old worker', async () => {
  // Seen in e2e under load: 1 -> 3 starts a replacement (still starting) and the garden grows on demand;
  // 3 -> 1 then replaced the grown worker too, and the starting one was replaced again once ready: 2 workers.
  const harness = await createHarness([{ name: 'AppA', children: '<processModel maxProcesses="1" />' }]);
  await runningWorker(harness, 'AppA');
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="3" />' }]));
  const replacement = harness.spawner.last;
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  const grown = harness.spawner.last;
  assert.notEqual(grown, replacement);
  grown.ready();
  await settle();
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="1" />' }]));
  for (let round = 0; round < 4; round++) {
    for (const worker of harness.spawner.alive('AppA')) if (!worker.hasSentReady) worker.ready();
    await settle();
  }
  assert.equal(harness.spawner.alive('AppA').length, 1);
  assert.equal(harness.spawner.last.request.applicationPool.processModel.maxProcesses, 1);
});

test('a change that finds every worker already being replaced still writes 5080, and its replacement runs the newest settings', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  const old = await runningWorker(harness, 'AppA');
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="2" />' }]));
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel maxProcesses="3" />' }]));
  assert.deepEqual(harness.eventIds(), [5080, 5080]);
  harness.spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(harness.spawner.alive('AppA').map((worker) => worker.request.applicationPool.processModel.maxProcesses), [3]);
});

test('disallowRotationOnConfigChange keeps the workers; settings HTTP.SYS or WAS apply themselves recycle nothing', async () => {
  const harness = await createHarness(pools);
  await runningWorker(harness, 'AppA');
  await runningWorker(harness, 'AppB');
  await harness.was.reconfigure(
    configWithPools([
      { name: 'AppA', children: '<processModel maxProcesses="2" /><recycling disallowRotationOnConfigChange="true" />' },
      { name: 'AppB', attributes: 'queueLength="50"', children: '<failure rapidFailProtectionMaxCrashes="9" />' },
    ]),
  );
  assert.equal(harness.spawner.workers.length, 2);
  assert.deepEqual(harness.eventIds(), []);
  assert.equal(harness.siteConfigurations.at(-1)!.requestQueues[1]!.queueLength, 50);
});

test('a worker that was still starting when the settings changed is replaced once it is ready', async () => {
  const harness = await createHarness(pools);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  await harness.was.reconfigure(configWithPools([{ name: 'AppA', children: '<processModel pingInterval="00:00:10" />' }, { name: 'AppB' }]));
  starting.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 2);
  assert.equal(harness.spawner.last.request.applicationPool.processModel.pingInterval, 10_000);
  harness.spawner.last.ready();
  await settle();
  assert.equal(starting.hasExited, true);
});

test('an added pool is created and started; a removed one is stopped after draining; sites go to w3svc', async () => {
  const harness = await createHarness(pools);
  const b = await runningWorker(harness, 'AppB');
  b.exitsOnStop = false;
  await harness.was.reconfigure(configWithPools([{ name: 'AppA' }, { name: 'AppC', attributes: 'startMode="AlwaysRunning"' }]));
  assert.equal(harness.was.applicationPool('AppC')!.state, 'Started');
  assert.equal(harness.spawner.last.poolName, 'AppC', 'AlwaysRunning: its worker starts at once');
  assert.equal(harness.was.applicationPool('AppB'), undefined);
  const configuration = harness.siteConfigurations.at(-1)!;
  assert.deepEqual(configuration.requestQueues.map((queue) => queue.applicationPool), ['AppA', 'AppC']);
  assert.deepEqual(configuration.queueStates, [
    { applicationPool: 'AppA', enabled: true },
    { applicationPool: 'AppC', enabled: true },
  ]);
  assert.deepEqual(configuration.sites[0]!.applications.map((application) => application.applicationPool), ['AppA', 'AppC']);
  assert.deepEqual(b.received.find((message) => message.type === 'StopWorker'), { type: 'StopWorker', reason: 'application pool removed from the configuration', shutdownTimeLimit: 90_000 });
  assert.equal(b.hasExited, false, 'it drains');
  b.exit(0, null);
  await settle();
  assert.equal(harness.was.eventLog.journal().workerHistory[0]!.reason, 'application pool removed from the configuration');
});

test('an application moved to another pool is routed to the new queue; no pool recycles', async () => {
  const harness = await createHarness(pools);
  await runningWorker(harness, 'AppA');
  await harness.was.reconfigure(configWithPools(pools, { rootPool: 'AppB' }));
  assert.deepEqual(harness.siteConfigurations.at(-1)!.sites[0]!.applications[0], { path: '/', applicationPool: 'AppB' });
  assert.deepEqual(harness.eventIds(), []);
  assert.equal(harness.spawner.workers.length, 1);
});

test('a broken edit is logged with file:line:column and the running configuration stays in force', async () => {
  const harness = await createHarness(pools);
  const before = harness.was.configuration;
  const broken = applicationHostText([{ name: 'AppA', children: '<processModel maxProcesses="lots" />' }, { name: 'AppB' }]);
  assert.equal(await harness.was.applicationHostChanged(broken), false);
  assert.equal(harness.was.configuration, before);
  assert.equal(harness.siteConfigurations.length, 0);
  const line = harness.logLines.find((entry) => entry.configError !== undefined)!;
  assert.deepEqual(line.configError, { file: '/tmp/poolhost-test/applicationHost.config', line: 5, column: 39, code: (line.configError as { code: string }).code });
  assert.match(String(line.msg), /could not be applied; the running configuration stays in force \(last known good\): .*applicationHost\.config:5:39: .*maxProcesses/);
  const malformed = await harness.was.applicationHostChanged('<configuration><system.applicationHost>');
  assert.equal(malformed, false);
  // A valid file afterwards is applied as usual.
  assert.equal(await harness.was.applicationHostChanged(applicationHostText([{ name: 'AppA' }, { name: 'AppB' }, { name: 'AppD' }])), true);
  assert.ok(harness.was.applicationPool('AppD'));
});

test('an application added to a running pool replaces its workers (5080), which load it; other pools are untouched', async () => {
  const harness = await createHarness(pools);
  const old = await runningWorker(harness, 'AppA');
  const other = await runningWorker(harness, 'AppB');
  const spawned = harness.spawner.workers.length;
  const text = applicationHostText(pools).replace(
    '<bindings><binding protocol="http" bindingInformation="*:8080:" />',
    '<application path="/extra" applicationPool="AppA"><virtualDirectory path="/" physicalPath="/tmp/extra" /></application>\n        <bindings><binding protocol="http" bindingInformation="*:8080:" />',
  );
  assert.equal(await harness.was.reconfigure(parseApplicationHostConfig(text, '/tmp/poolhost-test/applicationHost.config')), true);
  assert.equal(harness.spawner.workers.length, spawned + 1, 'one replacement, for AppA');
  assert.equal(harness.spawner.last.request.applicationPool.name, 'AppA');
  harness.spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  assert.equal(other.hasExited, false);
  assert.deepEqual(harness.eventIds(), [5080]);
});

test('a net.tcp binding that gives a pool its net.tcp face replaces its workers, and says which listener adapters the configuration needs', async () => {
  const heard: string[][] = [];
  const harness = await createHarness(pools, {}, { listenerAdaptersRequired: (protocols) => void heard.push(protocols) });
  const old = await runningWorker(harness, 'AppA');
  const other = await runningWorker(harness, 'AppB');
  const spawned = harness.spawner.workers.length;
  const withNetTcp = (tcp: boolean) =>
    applicationHostText(pools)
      .replace('<application path="/" applicationPool="AppA">', '<application path="/" applicationPool="AppA" enabledProtocols="http,net.tcp">')
      .replace('<bindings><binding protocol="http" bindingInformation="*:8080:" />', `<bindings><binding protocol="http" bindingInformation="*:8080:" />${tcp ? '<binding protocol="net.tcp" bindingInformation="8808:*" />' : ''}`);
  // enabledProtocols alone changes the application (replaced as any changed application); the binding then changes AppA's protocols.
  assert.equal(await harness.was.reconfigure(parseApplicationHostConfig(withNetTcp(false), '/tmp/poolhost-test/applicationHost.config')), true);
  harness.spawner.last.ready();
  await settle();
  const beforeBinding = harness.spawner.workers.length;
  assert.equal(await harness.was.reconfigure(parseApplicationHostConfig(withNetTcp(true), '/tmp/poolhost-test/applicationHost.config')), true);
  assert.equal(harness.spawner.workers.length, beforeBinding + 1, 'one replacement, for AppA');
  assert.deepEqual(harness.spawner.last.request.listenerProtocols, ['http', 'net.tcp']);
  assert.equal(harness.spawner.last.request.applicationPool.name, 'AppA');
  assert.ok(spawned < beforeBinding);
  assert.equal(old.hasExited, true);
  assert.equal(other.hasExited, false);
  assert.deepEqual(heard, [['http'], ['http', 'net.tcp']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidFilePath, socketPath, type ControlMessage } from '@poolhost/protocol';
import { createPoolhost } from '../src/poolhost.js';
import { FakeClock, settle } from '@poolhost/common/testing';
import { FakeLauncher } from './support/fake-launcher.js';
import { quietLogger } from './support/quiet-logger.js';

function setup() {
  const runDirectory = mkdtempSync(join(tmpdir(), 'poolhost-test-'));
  const launcher = new FakeLauncher();
  const clock = new FakeClock();
  const poolhost = createPoolhost({
    configFile: '/etc/applicationHost.config',
    runDirectory,
    logger: quietLogger(),
    launcher,
    clock,
    wasStopTimeoutMs: 100_000,
    listWorkers: async () => ({ workers: [{ pid: 42, applicationPool: 'AppA', state: 'Running', startedAt: 't', requestsServed: 3, requestsInFlight: 0 }] }),
  });
  const call = async (message: ControlMessage) => {
    const handler = poolhost.handlers[message.type] as ((message: ControlMessage, channel: never) => unknown) | undefined;
    if (!handler) throw new Error(`no handler for ${message.type}`);
    return handler(message, undefined as never);
  };
  return { runDirectory, launcher, clock, poolhost, call };
}

test('starts httpsys, w3svc and was, and reports them with was\'s workers', async () => {
  const { launcher, poolhost, call, runDirectory } = setup();
  await poolhost.start();
  assert.deepEqual(launcher.log, ['launch httpsys', 'launch w3svc', 'launch was']);
  assert.ok(existsSync(pidFilePath(runDirectory)));
  const status = await call({ type: 'GetServerStatus' });
  assert.deepEqual(status, {
    type: 'ServerStatus',
    pid: process.pid,
    configFile: '/etc/applicationHost.config',
    runDirectory,
    services: [
      { name: 'httpsys', pid: 500, state: 'Running', restarts: 0 },
      { name: 'w3svc', pid: 501, state: 'Running', restarts: 0 },
      { name: 'was', pid: 502, state: 'Running', restarts: 0 },
    ],
    workers: [{ pid: 42, applicationPool: 'AppA', state: 'Running', startedAt: 't', requestsServed: 3, requestsInFlight: 0 }],
  });
  await poolhost.stop('test');
});

test('StopServer stops was first (it drains workers), then w3svc and httpsys, then removes its files', async () => {
  const { launcher, poolhost, call, runDirectory } = setup();
  await poolhost.start();
  launcher.log.length = 0;
  assert.deepEqual(await call({ type: 'StopServer' }), { type: 'Acknowledged', detail: 'stopping' });
  await poolhost.stopped;
  assert.deepEqual(launcher.log.slice(0, 2), ['SIGTERM was', 'exited was']);
  assert.deepEqual(new Set(launcher.log.slice(2)), new Set(['SIGTERM w3svc', 'SIGTERM httpsys', 'exited w3svc', 'exited httpsys']));
  assert.equal(existsSync(pidFilePath(runDirectory)), false);
  assert.equal(existsSync(socketPath(runDirectory, 'poolhost')), false);
});

test('a was that does not drain in time is killed', async () => {
  const { launcher, poolhost, clock } = setup();
  await poolhost.start();
  launcher.current('was').exitsOnTerm = false;
  const stopping = poolhost.stop('test');
  await settle();
  await clock.advance(100_000);
  await stopping;
  assert.deepEqual(launcher.current('was').signals, ['SIGTERM', 'SIGKILL']);
});

test('was saying the configuration needs net.tcp starts nettcpactivator; saying it no longer does stops it', async () => {
  const { launcher, poolhost, call } = setup();
  await poolhost.start();
  launcher.current('was').ipc.receive({ type: 'ListenerAdaptersRequired', protocols: ['http', 'net.tcp'] });
  await settle();
  assert.deepEqual(launcher.log, ['launch httpsys', 'launch w3svc', 'launch was', 'launch nettcpactivator']);
  launcher.current('was').ipc.receive({ type: 'ListenerAdaptersRequired', protocols: ['http', 'net.tcp'] });
  await settle();
  assert.equal(launcher.log.filter((line) => line === 'launch nettcpactivator').length, 1, 'started once');
  const running = await call({ type: 'GetServerStatus' });
  assert.deepEqual((running as { services: Array<{ name: string }> }).services.map((service) => service.name), ['httpsys', 'w3svc', 'was', 'nettcpactivator']);
  launcher.current('was').ipc.receive({ type: 'ListenerAdaptersRequired', protocols: ['http'] });
  await settle();
  assert.deepEqual(launcher.log.slice(4), ['SIGTERM nettcpactivator', 'exited nettcpactivator']);
  const stopped = await call({ type: 'GetServerStatus' });
  assert.deepEqual((stopped as { services: Array<{ name: string }> }).services.map((service) => service.name), ['httpsys', 'w3svc', 'was']);
  await poolhost.stop('test');
  assert.ok(!launcher.log.slice(6).includes('launch nettcpactivator'), 'not restarted after its planned stop');
});

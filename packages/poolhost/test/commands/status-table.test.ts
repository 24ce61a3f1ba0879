import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatServerStatus } from '../../src/commands/status-table.js';
import { formatConfigError } from '../../src/commands/config-error.js';

test('status prints services and workers as aligned tables', () => {
  const text = formatServerStatus({
    type: 'ServerStatus',
    pid: 10,
    configFile: '/srv/applicationHost.config',
    runDirectory: '/run/poolhost',
    services: [
      { name: 'httpsys', pid: 11, state: 'Running', restarts: 0 },
      { name: 'was', pid: null, state: 'Starting', restarts: 2 },
    ],
    workers: [
      { pid: 4242, applicationPool: 'DefaultAppPool', state: 'Running', startedAt: '2024-01-01T00:00:00.000Z', requestsServed: 7, requestsInFlight: 1, role: 'active' },
      { pid: 4243, applicationPool: 'DefaultAppPool', state: 'Running', startedAt: '2024-01-01T00:00:01.000Z', requestsServed: 0, requestsInFlight: 0, role: 'standby' },
    ],
  });
  assert.equal(
    text,
    [
      'poolhost 10 running',
      '  config:        /srv/applicationHost.config',
      '  run directory: /run/poolhost',
      '',
      'SERVICE  PID  STATE     RESTARTS',
      'httpsys  11   Running   0',
      'was      -    Starting  2',
      '',
      'WORKER PID  APPLICATION POOL  STATE    ROLE     REQUESTS  IN FLIGHT  STARTED',
      '4242        DefaultAppPool    Running  active   7         1          2024-01-01T00:00:00.000Z',
      '4243        DefaultAppPool    Running  standby  0         0          2024-01-01T00:00:01.000Z',
      '',
    ].join('\n'),
  );
});

test('config errors read file:line:column', () => {
  const error = Object.assign(new Error('bad value'), { file: '/a.config', line: 3, column: 7 });
  assert.equal(formatConfigError(error), '/a.config:3:7: bad value');
  const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: '/nope.config' });
  assert.match(formatConfigError(enoent), /^\/nope.config: no such file/);
});

test('status names the dashboard address when poolhost runs with --metrics', () => {
  const text = formatServerStatus({
    type: 'ServerStatus',
    pid: 10,
    configFile: '/srv/applicationHost.config',
    runDirectory: '/run/poolhost',
    services: [{ name: 'inetmgr', pid: 12, state: 'Running', restarts: 0 }],
    workers: [],
    administration: { url: 'http://127.0.0.1:9182/' },
  });
  assert.match(text, /^ {2}dashboard: {5}http:\/\/127\.0\.0\.1:9182\/ \(metrics at http:\/\/127\.0\.0\.1:9182\/metrics\)$/m);
  assert.match(text, /^inetmgr +12 +Running +0$/m);
});

test('status lists the spare workers waiting for a pool when spareWorkers is configured', () => {
  const base = { type: 'ServerStatus' as const, pid: 10, configFile: '/srv/applicationHost.config', runDirectory: '/run/poolhost', services: [], workers: [] };
  assert.match(formatServerStatus({ ...base, spareWorkers: [501, 502] }), /^spare worker processes: 501, 502$/m);
  assert.match(formatServerStatus({ ...base, spareWorkers: [] }), /^spare worker processes: none booted yet$/m);
  assert.doesNotMatch(formatServerStatus(base), /spare/);
});

test('status shows the configuration generation, where it came from, and why the shared file is not in force', () => {
  const base = { type: 'ServerStatus' as const, pid: 10, configFile: '/etc/poolhost/applicationHost.config', runDirectory: '/run/poolhost', services: [], workers: [] };
  const shared = { generation: '8852692731a5', source: 'shared' as const, localFile: '/etc/poolhost/applicationHost.config', sharedFile: '/mnt/farm/applicationHost.config', appliedAt: '2026-12-02T10:23:16.415Z' };
  assert.match(formatServerStatus({ ...base, configuration: shared }), /^ {2}configuration: generation 8852692731a5 \(shared \/mnt\/farm\/applicationHost\.config, since 2026-12-02T10:23:16\.415Z\)$/m);
  const cached = formatServerStatus({ ...base, configuration: { ...shared, source: 'cached', problem: '/mnt/farm/applicationHost.config cannot be read: no such file' } });
  assert.match(cached, /^ {2}configuration: generation 8852692731a5 \(cached copy of \/mnt\/farm\/applicationHost\.config, since /m);
  assert.match(cached, /^ {2}problem: {7}\/mnt\/farm\/applicationHost\.config cannot be read: no such file$/m);
  const local = { generation: '8852692731a5', source: 'local' as const, localFile: '/etc/poolhost/applicationHost.config', appliedAt: '2026-12-02T10:23:16.415Z' };
  assert.match(formatServerStatus({ ...base, configuration: local }), /generation 8852692731a5 \(local, since/);
  assert.doesNotMatch(formatServerStatus(base), /configuration:/);
});

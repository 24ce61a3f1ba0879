import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { configurationGeneration, sharedConfigurationCachePath, type ConfigurationRedirection } from '@poolhost/config';
import { ConfigurationSource } from '../../src/configuration/configuration-source.js';
import { EventLog } from '../../src/event-log/event-log.js';

const root = mkdtempSync(join(tmpdir(), 'was-source-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = createLogger({ service: 'was', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
const clock = { now: () => Date.parse('2026-12-02T10:00:00Z') };

function sharedSource(folder: string, served: { source: 'shared' | 'cached'; text: string; problem?: string }) {
  const redirection: ConfigurationRedirection = {
    file: join(folder, 'redirection.config'),
    path: '/shared',
    sharedFile: '/shared/applicationHost.config',
    pollingPeriodMs: 5_000,
    enableUncPolling: false,
  };
  const eventLog = new EventLog(logger, clock as never);
  const source = new ConfigurationSource({ served: { localFile: join(folder, 'applicationHost.config'), redirection, ...served }, eventLog, logger, now: clock.now });
  const ids = () => eventLog.journal().events.map((event) => event.eventId);
  return { source, redirection, ids, eventLog };
}

test('a shared configuration in force is cached; unusable, then back: 5172 and 5302 once, then 5303', () => {
  const folder = mkdtempSync(join(root, 'host-'));
  const { source, redirection, ids } = sharedSource(folder, { source: 'shared', text: 'one' });
  assert.equal(readFileSync(sharedConfigurationCachePath(redirection), 'utf8'), 'one');
  assert.deepEqual(source.current, {
    generation: configurationGeneration('one'),
    source: 'shared',
    localFile: join(folder, 'applicationHost.config'),
    sharedFile: '/shared/applicationHost.config',
    appliedAt: '2026-12-02T10:00:00.000Z',
  });
  assert.equal(source.watchedFile, '/shared/applicationHost.config');
  assert.equal(source.pollingPeriodMs, 5_000);

  source.unusable('/shared/applicationHost.config cannot be read: no such file');
  source.unusable('/shared/applicationHost.config cannot be read: no such file');
  assert.equal(source.current.source, 'cached');
  assert.equal(source.current.generation, configurationGeneration('one'));
  assert.deepEqual(ids(), [5172, 5302]);

  // The same file back: in force again, same generation, the copy untouched.
  source.applied('one');
  assert.equal(source.current.source, 'shared');
  assert.equal(source.current.problem, undefined);
  assert.deepEqual(ids(), [5172, 5302, 5303]);

  source.applied('two');
  assert.equal(source.current.generation, configurationGeneration('two'));
  assert.equal(readFileSync(sharedConfigurationCachePath(redirection), 'utf8'), 'two');
  assert.deepEqual(ids(), [5172, 5302, 5303], 'a plain edit writes no event');
});

test('started on the cached copy: says so at once, and never overwrites the copy with nothing', () => {
  const folder = mkdtempSync(join(root, 'host-'));
  const { source, redirection, ids, eventLog } = sharedSource(folder, { source: 'cached', text: 'cached', problem: 'the share is gone' });
  assert.equal(source.current.source, 'cached');
  assert.equal(source.current.problem, 'the share is gone');
  assert.deepEqual(ids(), [5302]);
  assert.match(eventLog.journal().events[0]!.message, /cannot be used: the share is gone\. This host keeps serving configuration generation [0-9a-f]{12}/);
  assert.equal(existsSync(sharedConfigurationCachePath(redirection)), false, 'loading wrote nothing; only a shared file that applied is cached');
});

test('a local configuration (no redirection.config) writes no cache and no shared events', () => {
  const folder = mkdtempSync(join(root, 'host-'));
  const eventLog = new EventLog(logger, clock as never);
  const source = new ConfigurationSource({ served: { localFile: join(folder, 'applicationHost.config'), redirection: null, source: 'local', text: 'local' }, eventLog, logger, now: clock.now });
  source.unusable('it does not load: applicationHost.config:3:4: …');
  assert.equal(source.current.source, 'local');
  assert.match(source.current.problem ?? '', /does not load/);
  source.applied('local 2');
  assert.equal(source.current.problem, undefined);
  assert.equal(source.pollingPeriodMs, undefined);
  assert.deepEqual(eventLog.journal().events, []);
});

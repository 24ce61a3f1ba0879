import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import type { RawElement } from '@poolhost/config';
import { IISNODE_ATTRIBUTES, iisnodeAttributesWithoutEffect, resolveIisnodeSettings } from '../../../src/hosting/iisnode/iisnode-settings.js';

const section = (attributes: Record<string, string>): RawElement => ({ name: 'iisnode', attributes, children: [], position: { file: 'web.config', line: 1, column: 1 } });

test("<iisnode> defaults are iisnode's schema", () => {
  const settings = resolveIisnodeSettings(undefined);
  assert.equal(settings.nodeProcessCountPerApplication, 1);
  assert.equal(settings.maxConcurrentRequestsPerProcess, 1024);
  assert.equal(settings.watchedFiles, '*.js;iisnode.yml');
  assert.equal(settings.loggingEnabled, true);
  assert.equal(settings.logDirectory, 'iisnode');
  assert.equal(settings.maxLogFileSizeInKB, 128);
  assert.equal(settings.maxTotalLogFileSizeInKB, 1024);
  assert.equal(settings.maxLogFiles, 20);
  assert.equal(settings.devErrorsEnabled, true);
  assert.equal(settings.enableXFF, false);
  assert.equal(settings.debugHeaderEnabled, false);
  assert.equal(settings.recycleSignalEnabled, false);
  assert.equal(settings.gracefulShutdownTimeout, 60000);
  assert.equal(settings.configOverrides, 'iisnode.yml');
  assert.equal(Object.keys(IISNODE_ATTRIBUTES).length, 34, "every attribute of iisnode_schema.xml and Azure/iisnode's nodeProcessStickySessions");
});

test('<iisnode>: attribute names in any case, iisnode.yml over web.config, 0 processes = one per CPU, bools as iisnode reads them', () => {
  const settings = resolveIisnodeSettings(section({ NodeProcessCountPerApplication: '2', enableXFF: 'yes', promoteServerVars: 'AUTH_USER, APP_POOL_ID' }), new Map([['nodeProcessCountPerApplication', '0'], ['devErrorsEnabled', 'NO']]));
  assert.equal(settings.nodeProcessCountPerApplication, Math.max(1, cpus().length));
  assert.equal(settings.enableXFF, true);
  assert.equal(settings.devErrorsEnabled, false);
  assert.deepEqual(settings.promoteServerVars, ['AUTH_USER', 'APP_POOL_ID']);
});

test('<iisnode>: a bad value of any attribute is refused, even one without effect here', () => {
  assert.throws(() => resolveIisnodeSettings(section({ loggingEnabled: 'maybe' })), /loggingEnabled: "maybe" is not a boolean/);
  assert.throws(() => resolveIisnodeSettings(section({ maxNamedPipeConnectionPoolSize: '-1' })), /not an unsigned integer/);
  assert.doesNotThrow(() => resolveIisnodeSettings(section({ someFutureAttribute: 'x' })));
});

test('<iisnode> attributes set to something poolhost cannot act on are reported, each with why; defaults and lock attributes are not', () => {
  const set = section({ debuggingEnabled: 'false', maxNamedPipeConnectionPoolSize: '512', nodeProcessCountPerApplication: '2', lockAttributes: 'node_env', colour: 'blue' });
  assert.deepEqual(iisnodeAttributesWithoutEffect(set, 'node processes'), [
    `debuggingEnabled="false" (iisnode's node-inspector debugger; use node --inspect in nodeProcessCommandLine)`,
    'colour="blue" (not an iisnode attribute)',
  ]);
  assert.deepEqual(iisnodeAttributesWithoutEffect(undefined, 'node processes'), []);
});

test("Azure/iisnode's nodeProcessStickySessions is an iisnode attribute: a bool, reported when true, silent at its default", () => {
  assert.deepEqual(iisnodeAttributesWithoutEffect(section({ nodeProcessStickySessions: 'true' }), 'node processes'), [
    'nodeProcessStickySessions="true" (Azure iisnode sticky sessions; requests go round robin to the node processes (keep session state outside the process))',
  ]);
  assert.deepEqual(iisnodeAttributesWithoutEffect(section({ nodeProcessStickySessions: 'false' }), 'node processes'), []);
  assert.throws(() => resolveIisnodeSettings(section({ nodeProcessStickySessions: 'sometimes' })), /nodeProcessStickySessions: "sometimes" is not a boolean/);
});

test('an application loaded into w3wp reads only promoteServerVars and enableXFF: the rest it sets is reported', () => {
  const set = section({ promoteServerVars: 'AUTH_USER', enableXFF: 'false', nodeProcessCountPerApplication: '4', watchedFiles: '*.js' });
  assert.deepEqual(iisnodeAttributesWithoutEffect(set, 'worker'), [
    'nodeProcessCountPerApplication="4" (needs node processes: map the script with an iisnode handler)',
    'watchedFiles="*.js" (needs node processes: map the script with an iisnode handler)',
  ]);
});

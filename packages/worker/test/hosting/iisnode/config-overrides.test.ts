import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigOverridesError, parseConfigOverrides } from '../../../src/hosting/iisnode/config-overrides.js';

// The cases of iisnode's own test 126_node_config_syntax.
test('iisnode.yml: key: value lines, comments, blank lines, empty values', () => {
  const overrides = parseConfigOverrides('# sample\nnodeProcessCountPerApplication: 2\r\n\n   maxRequestBufferSize: 8192 # raised\nnode_env:\n# maxConcurrentRequestsPerProcess: 512\n', 'iisnode.yml');
  assert.deepEqual([...overrides], [['nodeProcessCountPerApplication', '2'], ['maxRequestBufferSize', '8192'], ['node_env', '']]);
  assert.equal(parseConfigOverrides('', 'iisnode.yml').size, 0);
});

test('iisnode.yml: a line without a key or without a colon is an error naming the line', () => {
  assert.throws(() => parseConfigOverrides('loggingEnabled: true\nnodeProcessCountPerApplication 2\n', 'iisnode.yml'), (error: unknown) => error instanceof ConfigOverridesError && error.line === 2);
  assert.throws(() => parseConfigOverrides(': 2\n', 'iisnode.yml'), /iisnode\.yml:1: ": 2" has no key/);
  assert.throws(() => parseConfigOverrides('two words: 2\n', 'iisnode.yml'), /not a key/);
});

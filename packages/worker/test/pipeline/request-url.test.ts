import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestUrl, resolveDotSegments } from '../../src/pipeline/request-url.js';
import { pathMatcher } from '../../src/pipeline/handler-mapping.js';

test('URLs are decoded and dot segments resolved; climbing above the root, NUL or a bad escape is a bad request', () => {
  assert.deepEqual(parseRequestUrl('/a/b%20c?x=1'), { rawPath: '/a/b%20c', path: '/a/b c', query: 'x=1', bad: false });
  assert.equal(parseRequestUrl('/a/./b/../c').path, '/a/c');
  assert.equal(parseRequestUrl('/a/%2e%2e/c').path, '/c');
  assert.equal(parseRequestUrl('/%2e%2e/etc/passwd').bad, true);
  assert.equal(parseRequestUrl('/a/../../x').bad, true);
  assert.equal(parseRequestUrl('/x%00.html').bad, true);
  assert.equal(parseRequestUrl('/x%zz').bad, true);
  assert.equal(parseRequestUrl('/%252e%252e/x').path, '/%2e%2e/x', 'decoded once only');
  assert.equal(resolveDotSegments('/dir/'), '/dir/');
});

test('handler path patterns: *, *.ext, name, *. (extensionless), wildcards; case-insensitive', () => {
  assert.equal(pathMatcher('*')('anything'), true);
  assert.equal(pathMatcher('*.js')('APP.JS'), true);
  assert.equal(pathMatcher('*.js')('app.json'), false);
  assert.equal(pathMatcher('server.js')('Server.js'), true);
  assert.equal(pathMatcher('server.js')('other.js'), false);
  assert.equal(pathMatcher('*.')('README'), true);
  assert.equal(pathMatcher('*.')('a.txt'), false);
  assert.equal(pathMatcher('*ScriptResource.axd')('WebScriptResource.axd'), true);
});

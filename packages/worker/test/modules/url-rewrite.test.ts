import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRewriteRules } from '../../src/modules/url-rewrite.js';
import { compileIpRules, isAddressAllowed } from '../../src/modules/ip-restriction.js';
import { parseStatusCodes, statusMatches } from '../../src/modules/failed-request-tracing/trace-rules.js';
import type { RawElement } from '@poolhost/config';

const element = (name: string, attributes: Record<string, string>, children: RawElement[] = []): RawElement => ({ name, attributes, children, position: { file: 'web.config', line: 1, column: 1 } });

test('rewrite rules compile: ECMAScript (unanchored) by default, Wildcard on request, actions with their defaults', () => {
  const [ecma, wildcard] = compileRewriteRules(
    element('rules', {}, [
      element('rule', { name: 'myapp' }, [element('match', { url: 'myapp/*' }), element('action', { type: 'Rewrite', url: 'hello.js' })]),
      element('rule', { name: 'w', patternSyntax: 'Wildcard', stopProcessing: 'true' }, [element('match', { url: 'blog/*' }), element('action', { type: 'Redirect', url: '/news/{R:1}', redirectType: 'Found' })]),
    ]),
  );
  assert.equal(ecma!.match.test('myapp/foo/bar'), true);
  assert.equal(ecma!.match.test('MYAPP'), true, 'ignoreCase by default');
  assert.equal(ecma!.action.type, 'Rewrite');
  assert.equal(ecma!.action.appendQueryString, true);
  assert.deepEqual([...wildcard!.match.exec('blog/2024/post')!], ['blog/2024/post', '2024/post']);
  assert.equal(wildcard!.action.redirectType, 302);
  assert.equal(wildcard!.stopProcessing, true);
});

test('ipSecurity entries: first match decides, subnet masks, IPv4-mapped IPv6 addresses', () => {
  const rules = compileIpRules(element('ipSecurity', { allowUnlisted: 'false' }, [element('add', { ipAddress: '10.1.0.0', subnetMask: '255.255.0.0', allowed: 'true' }), element('add', { ipAddress: '::1', allowed: 'true' })]))!;
  assert.equal(isAddressAllowed(rules.rules, rules.allowUnlisted, '10.1.2.3'), true);
  assert.equal(isAddressAllowed(rules.rules, rules.allowUnlisted, '::ffff:10.1.2.3'), true);
  assert.equal(isAddressAllowed(rules.rules, rules.allowUnlisted, '10.2.0.1'), false);
  assert.equal(isAddressAllowed(rules.rules, rules.allowUnlisted, '::1'), true);
  assert.equal(compileIpRules(element('ipSecurity', {})), null, 'nothing to check: no module');
});

test('failure definitions: status codes, substatus and ranges', () => {
  const ranges = parseStatusCodes('404.2, 500, 400-403');
  assert.equal(statusMatches(ranges, 404, 2), true);
  assert.equal(statusMatches(ranges, 404, 0), false);
  assert.equal(statusMatches(ranges, 500, 19), true);
  assert.equal(statusMatches(ranges, 401, 1), true);
  assert.equal(statusMatches(ranges, 200, 0), false);
});

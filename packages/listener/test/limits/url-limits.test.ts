import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUrl } from '../../src/limits/url-limits.js';
import { defaultListenerLimits } from '../../src/limits/listener-limits.js';

test('URL limits: total length 414, segment length and count 400 URL', () => {
  const limits = { ...defaultListenerLimits(), urlSegmentMaxLength: 10, urlSegmentMaxCount: 3 };
  assert.equal(checkUrl('/a/b/c?' + 'q'.repeat(100), limits, 0), null);
  assert.equal(checkUrl('/' + 'x'.repeat(11), limits, 0), 'URL');
  assert.equal(checkUrl('/a/b/c/d', limits, 0), 'URL');
  assert.equal(checkUrl('/a/b', limits, 1), 'URL', "the site's maxUrlSegments applies too");
  assert.equal(checkUrl('/' + 'y'.repeat(20_000), { ...limits, urlSegmentMaxLength: 0 }, 0), 'URL_Length');
});

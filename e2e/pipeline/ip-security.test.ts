import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('ipSecurity: a denied client address gets 403.503 before anything else runs; an allowed one is served', async () => {
  const site = await startSite(
    {
      files: {
        'www/open/index.html': 'open to all',
        'www/closed/index.html': 'never served',
        'www/allow/index.html': 'allowed',
      },
      applications: [
        { path: '/open', pool: 'Pool', physicalPath: '{{root}}/www/open' },
        { path: '/closed', pool: 'Pool', physicalPath: '{{root}}/www/closed' },
        { path: '/allow', pool: 'Pool', physicalPath: '{{root}}/www/allow' },
      ],
      // ipSecurity is locked for web.config (overrideModeDefault="Deny"), so it is set in applicationHost.config.
      locations: `  <location path="Site/closed"><system.webServer><security>
    <ipSecurity allowUnlisted="true"><add ipAddress="127.0.0.0" subnetMask="255.0.0.0" allowed="false" /></ipSecurity>
  </security></system.webServer></location>
  <location path="Site/allow"><system.webServer><security>
    <ipSecurity allowUnlisted="false"><add ipAddress="127.0.0.1" allowed="true" /></ipSecurity>
  </security></system.webServer></location>`,
    },
    after,
  );
  assert.equal((await site.get('/open/')).text, 'open to all');
  const denied = await site.get('/closed/');
  assert.equal(denied.status, 403);
  assert.match(denied.text, /HTTP Error 403\.503 - Forbidden/);
  assert.doesNotMatch(denied.text, /never served/);
  assert.equal((await site.get('/allow/')).text, 'allowed');
});

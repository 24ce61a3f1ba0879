import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test("a malformed or locked web.config makes its application answer 500.19 with IIS's wording, the file and the line", async () => {
  const site = await startSite(
    {
      files: {
        'www/broken/web.config': '<configuration>\n  <system.webServer>\n    <defaultDocument enabled=yes />\n  </system.webServer>\n</configuration>\n',
        'www/broken/server.js': "module.exports = (req, res) => res.end('should not load');",
        'www/locked/web.config': '<configuration>\n  <system.webServer>\n    <security>\n      <ipSecurity allowUnlisted="false" />\n    </security>\n  </system.webServer>\n</configuration>\n',
        'www/locked/index.html': 'locked',
        'www/fine/index.html': 'fine',
      },
      applications: [
        { path: '/broken', pool: 'Pool', physicalPath: '{{root}}/www/broken' },
        { path: '/locked', pool: 'Pool', physicalPath: '{{root}}/www/locked' },
        { path: '/fine', pool: 'Pool', physicalPath: '{{root}}/www/fine' },
      ],
    },
    after,
  );
  const broken = await site.get('/broken/anything');
  assert.equal(broken.status, 500);
  assert.match(broken.text, /HTTP Error 500\.19 - Internal Server Error/);
  assert.match(broken.text, /The requested page cannot be accessed because the related configuration data for the page is invalid\./);
  assert.match(broken.text, /<th>Error Code<\/th><td>&nbsp;&nbsp;&nbsp;0x8007000d<\/td>/);
  assert.match(broken.text, new RegExp(`<th>Config File</th><td>&nbsp;&nbsp;&nbsp;${site.poolhost.root}/www/broken/web.config</td>`));
  assert.match(broken.text, /<span class="highlight-code">    &lt;defaultDocument enabled=yes \/&gt;<\/span>/);
  assert.doesNotMatch(broken.text, /should not load/);

  const locked = await site.get('/locked/');
  assert.equal(locked.status, 500);
  assert.match(locked.text, /<th>Error Code<\/th><td>&nbsp;&nbsp;&nbsp;0x80070021<\/td>/);
  assert.match(locked.text, /This configuration section cannot be used at this path\. This happens when the section is locked at a parent level\./);
  assert.match(locked.text, /    4: <span class="highlight-code">      &lt;ipSecurity allowUnlisted=&quot;false&quot; \/&gt;<\/span>/);

  assert.equal((await site.get('/fine/')).text, 'fine', 'the other applications of the pool are unaffected');
});

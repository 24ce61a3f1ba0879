import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('request filtering ends requests in BeginRequest with IIS substatus codes', async () => {
  const site = await startSite(
    {
      files: { 'www/index.html': '<p>home</p>', 'www/page.cs': 'source', 'www/a+b.txt': 'plus' },
      webServer: `    <security><requestFiltering>
      <denyUrlSequences><add sequence="secret" /></denyUrlSequences>
      <verbs><add verb="DELETE" allowed="false" /></verbs>
      <requestLimits maxUrl="200" maxQueryString="50" maxAllowedContentLength="1000" />
    </requestFiltering></security>`,
    },
    after,
  );
  const substatus = async (path: string, options: Parameters<typeof site.get>[1] = {}): Promise<string> => {
    const response = await site.get(path, options);
    const heading = /HTTP Error (\d+\.\d+)/.exec(response.text)?.[1];
    assert.equal(String(response.status), heading?.split('.')[0], `${path}: the page matches the status`);
    return heading ?? String(response.status);
  };
  assert.equal((await site.get('/index.html')).status, 200);
  assert.equal(await substatus('/my-secret-page'), '404.5');
  assert.equal(await substatus('/index.html', { method: 'DELETE' }), '404.6');
  assert.equal(await substatus('/page.cs'), '404.7');
  assert.equal(await substatus('/web.config'), '404.8');
  assert.equal(await substatus('/a%2525b.txt'), '404.11');
  assert.equal(await substatus('/a+b.txt'), '404.11');
  assert.equal(await substatus(`/${'x'.repeat(250)}`), '404.14');
  assert.equal(await substatus(`/index.html?${'q'.repeat(60)}`), '404.15');
  assert.equal(await substatus('/index.html', { method: 'POST', body: 'x'.repeat(2000) }), '413.1');
});

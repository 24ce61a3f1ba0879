import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { startSite } from './pipeline-support.js';

function credentialLine(user: string, password: string): string {
  const salt = randomBytes(16);
  return `${user}:scrypt:${salt.toString('base64')}:${scryptSync(password, salt, 64).toString('base64')}`;
}

test('Basic authentication: 401.2 with a challenge, 401.1 for a wrong password, 200 with the user logged', async () => {
  const site = await startSite(
    {
      files: {
        'www/server.js': "module.exports = (req, res) => res.end('hello ' + req.serverVariables.AUTH_USER + ' (' + req.serverVariables.AUTH_TYPE + ')');",
        'users.txt': `# poolhost Basic credentials\n${credentialLine('alice', 'wonderland')}\n`,
      },
      webServer: `    <security><authentication>
      <anonymousAuthentication enabled="false" />
      <basicAuthentication enabled="true" realm="poolhost test" credentialsFile="{{root}}/users.txt" />
    </authentication></security>`,
    },
    after,
  );
  const anonymous = await site.get('/');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="poolhost test"');
  assert.match(anonymous.text, /HTTP Error 401\.2 - Unauthorized/);

  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const wrong = await site.get('/', { headers: basic('alice', 'nope') });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /HTTP Error 401\.1/);
  assert.equal((await site.get('/', { headers: basic('mallory', 'wonderland') })).status, 401);

  const ok = await site.get('/', { headers: basic('alice', 'wonderland') });
  assert.equal(ok.status, 200);
  assert.equal(ok.text, 'hello alice (Basic)');
  assert.equal((await site.get('/', { headers: basic('alice', 'wonderland') })).status, 200, 'verified credentials are cached');
});

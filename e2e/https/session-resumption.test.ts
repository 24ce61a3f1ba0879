// TLS session tickets survive an httpsys restart: the ticket keys live 0600 in the run directory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { run } from '../support/tls-clients.js';
import { tcpAccepts } from '../support/http.js';
import { newAuthority, startHttpsServer } from './https-support.js';

test('a session ticket issued before httpsys is killed resumes the session with the restarted httpsys', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const port = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:`] }],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: port,
    },
    after,
  );
  const session = join(authority.directory, 'session.pem');
  const connect = (...extra: string[]) =>
    run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.example.test', '-CAfile', authority.caFile, '-tls1_2', ...extra]);
  const first = await connect('-sess_out', session);
  assert.match(first.stdout, /^New, TLSv1\.2/m, first.stdout + first.stderr);
  const again = await connect('-sess_in', session);
  assert.match(again.stdout, /^Reused, TLSv1\.2/m, 'resumed with the same httpsys');

  const keyFile = join(poolhost.runDirectory, 'tls-ticket-keys');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const httpsys = poolhost.processes().find((info) => info.role === 'httpsys')!;
  process.kill(httpsys.pid, 'SIGKILL');
  await waitFor('httpsys restarted and listening', async () => {
    const current = poolhost.processes().find((info) => info.role === 'httpsys');
    return current !== undefined && current.pid !== httpsys.pid && (await tcpAccepts(port));
  }, 30_000);
  const afterRestart = await connect('-sess_in', session);
  assert.match(afterRestart.stdout, /^Reused, TLSv1\.2/m, afterRestart.stdout);
});

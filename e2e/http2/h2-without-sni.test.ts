// A client that connects by IP address sends no SNI name (h2load, `curl https://127.0.0.1/`): ALPN still
// chooses h2 on a binding served by an `ipport` SSL store entry. (Node reports the missing name as
// `servername: false`; the handshake used to fail on it: "serverName.toLowerCase is not a function".)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { run } from '../support/tls-clients.js';
import { versionApp } from './http2-support.js';
import { newAuthority, startHttpsServer } from '../https/https-support.js';

test('no SNI (a client connecting by IP): ALPN h2 on an ipport-bound https binding', async () => {
  const authority = newAuthority();
  const port = await freePort();
  const certificate = authority.issue('ip', ['127.0.0.1']);
  await startHttpsServer(
    {
      sites: [{ name: 'ByAddress', id: 1, bindings: [`https/*:${port}:`] }],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: certificate.certFile, keyfile: certificate.keyFile }],
      waitForPort: port,
      app: versionApp,
    },
    after,
  );
  for (const [flag, expected] of [['--http2', 'HTTP/2 200'], ['--http1.1', 'HTTP/1.1 200']] as const) {
    const result = await run('curl', ['-sS', '-k', flag, '-o', '-', '-w', '\n%{http_version} %{http_code}', `https://127.0.0.1:${port}/by-address`], '', 60_000);
    assert.equal(result.code, 0, result.stderr);
    const [body, status] = result.stdout.split('\n');
    assert.equal(`HTTP/${status}`, expected);
    assert.match(body!, flag === '--http2' ? /^2\.0 GET \/by-address / : /^1\.1 GET \/by-address /);
  }
});

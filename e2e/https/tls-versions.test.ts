// Per-binding TLS versions (sslFlags 32 DisableTLS13, 64 DisableLegacyTLS): what openssl s_client sees.
// The version is settled before the SNI name picks a certificate, so it is a setting of the port.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { run } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

/** The version s_client negotiated ('' when the handshake failed). */
async function negotiate(port: number, serverName: string, caFile: string, version: string[]): Promise<{ protocol: string; output: string }> {
  const result = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', serverName, '-CAfile', caFile, ...version]);
  const output = result.stdout + result.stderr;
  return { protocol: /New, (TLSv[\d.]+), Cipher is (?!\(NONE\))/.exec(output)?.[1] ?? '', output };
}

test('sslFlags 32 stops a port at TLS 1.2; other ports keep TLS 1.3; legacy TLS is refused everywhere (64 is the default)', async () => {
  const authority = newAuthority();
  const legacyFree = authority.issue('capped', ['capped.example.test']);
  const modern = authority.issue('modern', ['modern.example.test']);
  const cappedPort = await freePort();
  const modernPort = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [
        { name: 'Capped', id: 1, bindings: [`https/*:${cappedPort}:capped.example.test#33`] },
        { name: 'Modern', id: 2, bindings: [`https/*:${modernPort}:modern.example.test#65`] },
      ],
      // SNI entries only: the first context of a handshake has no certificate, the SNI name brings it.
      store: [
        { hostnameport: `capped.example.test:${cappedPort}`, certfile: legacyFree.certFile, keyfile: legacyFree.keyFile },
        { hostnameport: `modern.example.test:${modernPort}`, certfile: modern.certFile, keyfile: modern.keyFile },
      ],
      waitForPort: modernPort,
    },
    after,
  );

  const cappedDefault = await negotiate(cappedPort, 'capped.example.test', authority.caFile, []);
  assert.equal(cappedDefault.protocol, 'TLSv1.2', cappedDefault.output);
  const cappedTls13 = await negotiate(cappedPort, 'capped.example.test', authority.caFile, ['-tls1_3']);
  assert.equal(cappedTls13.protocol, '', `a TLS 1.3-only client gets no session on an sslFlags 32 port:\n${cappedTls13.output}`);
  assert.match(cappedTls13.output, /alert protocol version|unsupported protocol|no protocols available/i);
  assert.equal((await negotiate(cappedPort, 'capped.example.test', authority.caFile, ['-tls1_2'])).protocol, 'TLSv1.2');

  assert.equal((await negotiate(modernPort, 'modern.example.test', authority.caFile, [])).protocol, 'TLSv1.3');
  assert.equal((await negotiate(modernPort, 'modern.example.test', authority.caFile, ['-tls1_3'])).protocol, 'TLSv1.3');
  assert.equal((await negotiate(modernPort, 'modern.example.test', authority.caFile, ['-tls1_2'])).protocol, 'TLSv1.2');

  // A TLS 1.1 client (its own security level lowered so it really sends a TLS 1.1 ClientHello).
  for (const port of [cappedPort, modernPort]) {
    const legacy = await negotiate(port, 'modern.example.test', authority.caFile, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    assert.equal(legacy.protocol, '', legacy.output);
  }
  await waitFor('the refused legacy handshake is counted as UnsupportedProtocol', () =>
    poolhost.logLines.some((line) => line.reason === 'UnsupportedProtocol' && String(line.msg).startsWith('TLS handshake failed')),
  );

  // Requests still flow on both.
  const curl = await run('curl', ['-sS', '--cacert', authority.caFile, '--resolve', `capped.example.test:${cappedPort}:127.0.0.1`, `https://capped.example.test:${cappedPort}/x`]);
  assert.equal(curl.stdout, 'Capped https /x', curl.stderr);
});

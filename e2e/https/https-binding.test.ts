// https site bindings terminated by httpsys: the certificate the SSL store selects per SNI name and
// local address, the same routing as http, and what a client sees when no certificate matches.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdirSync } from 'node:fs';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, serverCertificate } from '../support/tls-clients.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { newAuthority, startHttpsServer } from './https-support.js';

test('an SNI binding and an IP:port wildcard binding on one port: each host name gets its certificate and its site', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const fallback = authority.issue('default', ['default.example.test']);
  const port = await freePort();
  const httpPort = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [
        { name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`, `127.0.0.1:${httpPort}:`] },
        { name: 'Fallback', id: 2, bindings: [`https/*:${port}:`] },
      ],
      store: [
        { hostnameport: `www.example.test:${port}`, certfile: www.certFile, keyfile: www.keyFile },
        { ipport: `0.0.0.0:${port}`, certfile: fallback.certFile, keyfile: fallback.keyFile },
      ],
      waitForPort: port,
    },
    after,
  );

  const wwwResponse = await curlHttps('www.example.test', port, '/hello?x=1', authority.caFile);
  assert.equal(wwwResponse.code, 0, wwwResponse.stderr);
  assert.equal(wwwResponse.status, 200);
  assert.equal(wwwResponse.body, 'Www https /hello?x=1', 'routed by Host to the SNI site; the app sees https');

  const otherResponse = await curlHttps('default.example.test', port, '/', authority.caFile);
  assert.equal(otherResponse.code, 0, otherResponse.stderr);
  assert.equal(otherResponse.body, 'Fallback https /');

  // The same site over its http binding says http.
  assert.equal((await httpRequest({ port: httpPort, path: '/plain' })).text, 'Www http /plain');

  const sni = await serverCertificate(port, 'www.example.test', authority.caFile);
  assert.equal(sni.subjectCn, 'www.example.test');
  assert.equal(sni.serial, www.serial);
  assert.ok(sni.connected, sni.output);
  const unknownName = await serverCertificate(port, 'nobody.example.test', authority.caFile);
  assert.equal(unknownName.subjectCn, 'default.example.test', 'no hostnameport entry: the IP:port wildcard');
  const noSni = await serverCertificate(port, null, authority.caFile);
  assert.equal(noSni.serial, fallback.serial, 'a client without SNI gets the 0.0.0.0 entry');

  assert.equal(poolhost.processes().filter((info) => info.role === 'httpsys').length, 1);

  // appcmd shows https bindings as IIS does.
  const listed = await appcmd(['list', 'sites'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile } });
  assert.match(listed.stdout, new RegExp(`SITE "Www" \\(id:1,bindings:https/\\*:${port}:www\\.example\\.test,http/127\\.0\\.0\\.1:${httpPort}:,state:Started\\)`));
});

test('no certificate matches: the handshake fails, nothing is routed, each cause is logged once, no descriptor leaks', async () => {
  const authority = newAuthority();
  const only = authority.issue('only', ['only.example.test']);
  const port = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Only', id: 1, bindings: [`https/*:${port}:only.example.test#1`] }],
      store: [{ hostnameport: `only.example.test:${port}`, certfile: only.certFile, keyfile: only.keyFile }],
      waitForPort: port,
      webLimits: { headerWaitTimeout: '00:00:02' },
    },
    after,
  );
  const ok = await curlHttps('only.example.test', port, '/', authority.caFile);
  assert.equal(ok.body, 'Only https /', ok.stderr);
  const httpsys = poolhost.processes().find((info) => info.role === 'httpsys')!;
  const descriptors = (): number => readdirSync(`/proc/${httpsys.pid}/fd`).length;
  const before = descriptors();

  for (let i = 0; i < 20; i++) {
    const noSni = await serverCertificate(port, null, authority.caFile);
    assert.equal(noSni.serial, null, 'no certificate without SNI (no ipport entry)');
    const otherName = await serverCertificate(port, 'other.example.test', authority.caFile);
    assert.equal(otherName.serial, null);
  }
  // Plain HTTP and garbage on the https port: no response, no crash.
  for (let i = 0; i < 10; i++) {
    assert.equal(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: only.example.test\r\n\r\n'), '');
    assert.equal(await rawExchange(port, Buffer.alloc(600, 0x41)), '');
  }
  // A client that connects and never speaks is cut at HeaderWaitTimeout (2 s here).
  const stalled = connect(port, '127.0.0.1');
  const closedAt = await new Promise<number>((resolve) => {
    const opened = Date.now();
    stalled.on('error', () => undefined);
    stalled.on('close', () => resolve(Date.now() - opened));
  });
  assert.ok(closedAt < 10_000, `stalled handshake closed after ${closedAt} ms`);

  // ClientClosed, if logged, is the start-up probe's connect-and-close (a FIN before any ClientHello).
  const reasons = () => failureLines(poolhost.logLines).map((line) => line.reason).filter((reason) => reason !== 'ClientClosed');
  await waitFor('one log line per cause', () => reasons().length >= 4);
  assert.deepEqual(reasons().sort(), ['HttpRequest', 'NoCertificate', 'NotTls', 'Timer_HeaderWait']);
  assert.match(String(failureLines(poolhost.logLines).find((line) => line.reason === 'NoCertificate')!.msg), /no SSL store entry for/);

  // Still serving, and every failed handshake's socket is gone.
  assert.equal((await curlHttps('only.example.test', port, '/', authority.caFile)).body, 'Only https /');
  await waitFor('descriptors back to where they were', () => descriptors() <= before + 2, 5_000);
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsys.pid, 'httpsys never restarted');
});

function failureLines(lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('TLS handshake failed'));
}

/** Sends bytes, returns what comes back before the server closes (5 s at most). */
function rawExchange(port: number, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
}

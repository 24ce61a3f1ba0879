// A hostile TLS corpus against an https binding: garbage before a real ClientHello, handshakes that stall
// halfway (cut at headerWaitTimeout and counted), oversized ClientHellos and records, and client-initiated
// renegotiation. Each fails alone; httpsys keeps serving, keeps its pid and its descriptors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readdirSync, readFileSync } from 'node:fs';
import { connectControlSocket, socketPath, type ListenerCounters } from '@poolhost/protocol';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

async function listenerCounters(runDirectory: string): Promise<ListenerCounters> {
  const channel = await connectControlSocket(socketPath(runDirectory, 'httpsys'), { peer: 'httpsys', handlers: {} });
  try {
    return (await channel.request({ type: 'GetListenerCounters' }, 10_000)) as ListenerCounters;
  } finally {
    channel.close();
  }
}

/** Connects, sends `data`, resolves with the ms until the server closed (the client never closes first). */
function sendAndWaitClose(port: number, data: Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    const opened = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => {
      for (const chunk of data) socket.write(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Date.now() - opened));
    socket.resume();
  });
}

const record = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, 3, 1, body.length >> 8, body.length & 0xff]), body]);

test('hostile TLS: garbage before ClientHello, stalls cut at headerWaitTimeout, oversized hellos, renegotiation — httpsys keeps serving', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const port = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`] }],
      store: [{ hostnameport: `www.example.test:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: port,
      webLimits: { headerWaitTimeout: '00:00:02' },
    },
    after,
  );
  const ok = async (): Promise<void> => assert.equal((await curlHttps('www.example.test', port, '/ok', authority.caFile)).body, 'Www https /ok');
  await ok();
  const httpsys = poolhost.processes().find((info) => info.role === 'httpsys')!;
  const descriptors = (): number => readdirSync(`/proc/${httpsys.pid}/fd`).length;
  const rssKb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${httpsys.pid}/status`, 'utf8'))![1]);
  const before = { descriptors: descriptors(), rssKb: rssKb() };

  // 1. Garbage, then a real client's ClientHello on the same connection: no session.
  for (let i = 0; i < 5; i++) {
    const outcome = await new Promise<string>((resolve) => {
      const raw = connect(port, '127.0.0.1', () => {
        raw.write(Buffer.from('\x00\x01garbage\xff\xfe'.repeat(10), 'latin1'));
        const tls = tlsConnect({ socket: raw, servername: 'www.example.test', ca: readFileSync(authority.caFile) });
        tls.on('secureConnect', () => resolve('secure'));
        tls.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      raw.on('error', () => undefined);
    });
    assert.notEqual(outcome, 'secure');
  }

  // 2. Handshakes that stall: a record header and part of a ClientHello, then nothing. Cut at 2 s.
  const partialHello = Buffer.from([0x16, 3, 1, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03, 1, 2, 3, 4]);
  // Counted from a quiet moment (the start-up probe's connect-and-close is a ClientClosed failure, counted at once).
  await waitFor('no handshake in progress', async () => (await listenerCounters(poolhost.runDirectory)).tlsHandshakesInProgress === 0, 10_000, 100);
  const stalledBefore = (await listenerCounters(poolhost.runDirectory)).tlsHandshakeFailures.Timer_HeaderWait ?? 0;
  const stalls = await Promise.all(Array.from({ length: 6 }, () => sendAndWaitClose(port, [partialHello])));
  for (const closedAfter of stalls) assert.ok(closedAfter >= 1_500 && closedAfter < 15_000, `a stalled handshake closed after ${closedAfter} ms`);

  // 3. Oversized: a ClientHello claiming 16 MB, and a record longer than TLS allows (both refused at their header).
  const hugeHello = record(0x16, Buffer.concat([Buffer.from([0x01, 0xff, 0xff, 0xff]), Buffer.alloc(16_000)]));
  const hugeRecord = Buffer.concat([Buffer.from([0x16, 3, 1, 0xff, 0xff]), Buffer.alloc(65_535)]);
  // Refused at once is shown by the reason each is counted under (OversizedHandshake, NotTls), and by no more
  // Timer_HeaderWait counts than the six stalls (below), not by a wall-clock bound a loaded machine can miss.
  const refusedBefore = (await listenerCounters(poolhost.runDirectory)).tlsHandshakeFailures;
  for (let i = 0; i < 5; i++) {
    await sendAndWaitClose(port, [hugeHello, Buffer.alloc(512 * 1024)]);
    await sendAndWaitClose(port, [hugeRecord]);
  }
  await waitFor('the oversized handshakes to be counted', async () => {
    const failures = (await listenerCounters(poolhost.runDirectory)).tlsHandshakeFailures;
    return (failures.OversizedHandshake ?? 0) >= (refusedBefore.OversizedHandshake ?? 0) + 5 && (failures.NotTls ?? 0) >= (refusedBefore.NotTls ?? 0) + 5;
  });
  const refused = (await listenerCounters(poolhost.runDirectory)).tlsHandshakeFailures;
  assert.equal(refused.OversizedHandshake, (refusedBefore.OversizedHandshake ?? 0) + 5, 'each oversized ClientHello is refused at its header');
  assert.equal(refused.NotTls, (refusedBefore.NotTls ?? 0) + 5, 'each oversized record is refused at its header');
  assert.equal(refused.Timer_HeaderWait, stalledBefore + 6, 'none of them waited for headerWaitTimeout');

  // 4. Client-initiated renegotiation (TLS 1.2): refused with an alert; no second handshake is done.
  const renegotiation = await new Promise<{ first: string; renegotiate: string }>((resolve) => {
    const tls = tlsConnect({ port, host: '127.0.0.1', servername: 'www.example.test', ca: readFileSync(authority.caFile), maxVersion: 'TLSv1.2' }, () => {
      tls.write('GET /first HTTP/1.1\r\nHost: www.example.test\r\n\r\n');
      tls.once('data', (chunk: Buffer) => {
        const first = chunk.toString('latin1');
        tls.removeAllListeners('error');
        tls.on('error', (error: NodeJS.ErrnoException) => resolve({ first, renegotiate: error.code ?? error.message }));
        tls.renegotiate({}, (error) => {
          tls.destroy();
          resolve({ first, renegotiate: error ? ((error as NodeJS.ErrnoException).code ?? error.message) : 'renegotiated' });
        });
      });
    });
    // Node reports the refused renegotiation as the socket's error (its callback is not called then).
    tls.on('error', (error: NodeJS.ErrnoException) => resolve({ first: '', renegotiate: error.code ?? error.message }));
  });
  assert.match(renegotiation.first, /^HTTP\/1\.1 200 OK[\s\S]*Www https \/first$/);
  assert.equal(renegotiation.renegotiate, 'ERR_SSL_NO_RENEGOTIATION');

  // Counted by reason (each reason logged once), still serving, same process, descriptors and memory back.
  await waitFor('the counters', async () => {
    const failures = (await listenerCounters(poolhost.runDirectory)).tlsHandshakeFailures;
    return (failures.Timer_HeaderWait ?? 0) >= stalledBefore + 6 && (failures.OversizedHandshake ?? 0) >= 5 && (failures.NotTls ?? 0) >= 10;
  });
  const counters = await listenerCounters(poolhost.runDirectory);
  assert.equal(counters.tlsHandshakeFailures.Timer_HeaderWait, stalledBefore + 6, 'one count per stalled handshake');
  assert.equal(counters.tlsHandshakesInProgress, 0);
  const reasons = poolhost.logLines.filter((line) => String(line.msg).startsWith('TLS handshake failed')).map((line) => line.reason);
  // ClientClosed, if logged, is the start-up probe's connect-and-close (a FIN before any ClientHello).
  assert.deepEqual(reasons.filter((reason) => reason !== 'ClientClosed').sort(), ['NotTls', 'OversizedHandshake', 'Timer_HeaderWait']);
  await ok();
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsys.pid, 'httpsys never restarted');
  await waitFor('descriptors back to where they were', () => descriptors() <= before.descriptors + 2, 5_000);
  assert.ok(rssKb() - before.rssKb < 64 * 1024, `httpsys RSS grew by ${rssKb() - before.rssKb} kB`);
});

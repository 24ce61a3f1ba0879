// The TLS front counts each completed handshake by outcome, version and ALPN protocol: real handshakes
// from Node's TLS client against a TlsFront on a loopback socket, with a certificate made by openssl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync, readdirSync } from 'node:fs';
import { createServer, connect as connectTcp, type AddressInfo } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { TlsHandshakeCount } from '@poolhost/protocol';
import { SslConfiguration } from '../../src/ssl/ssl-configuration.js';
import { HandshakeFailures } from '../../src/ssl/handshake-failures.js';
import { HandshakeCompletions } from '../../src/ssl/handshake-completions.js';
import { TlsFront, type AcceptedTcpHandle } from '../../src/ssl/tls-front.js';

const folder = mkdtempSync(join(tmpdir(), 'poolhost-tls-front-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const cert = join(folder, 'www.pem');
const key = join(folder, 'www.key');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=www.example.test'], { stdio: 'ignore' });
chmodSync(key, 0o600);

async function startFront(options: { viaHandle?: () => void } = {}): Promise<{
  port: number;
  completions: HandshakeCompletions;
  failures: HandshakeFailures;
  front: TlsFront;
  /** How each secured connection closed: with an error or not. */
  closes: Array<{ hadError: boolean; errored: Error | null }>;
  close(): void;
}> {
  // As EndpointSet opens its listening sockets: half-open connections allowed (HTTP's half-close).
  const server = createServer({ noDelay: true, allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const store = join(folder, `sslcert-${port}.json`);
  writeFileSync(store, JSON.stringify({ sslcert: [{ ipport: `0.0.0.0:${port}`, certfile: cert, keyfile: key }] }));
  const ssl = new SslConfiguration(store, pino({ level: 'silent' }));
  ssl.refresh();
  const completions = new HandshakeCompletions();
  const failures = new HandshakeFailures(pino({ level: 'silent' }));
  // A secured connection stays open until the client leaves: a TLS 1.3 server sends its tickets after the handshake.
  const secured = new Set<TLSSocket>();
  const closes: Array<{ hadError: boolean; errored: Error | null }> = [];
  const front = new TlsFront(ssl, failures, completions, (socket) => {
    secured.add(socket);
    socket.once('close', (hadError: boolean) => closes.push({ hadError, errored: socket.errored }));
    socket.on('close', () => secured.delete(socket)).on('error', () => undefined).on('end', () => socket.end()).resume();
  }, () => true);
  if (options.viaHandle) {
    // As EndpointSet does for an https endpoint: the listening handle's connections, with no net.Socket.
    const onClose = options.viaHandle;
    const handle = (server as unknown as { _handle: { onconnection: (status: number, client: AcceptedTcpHandle) => void } })._handle;
    handle.onconnection = (status, client) => front.acceptHandle(client, `*:${port}`, onClose);
  } else {
    server.on('connection', (socket) => front.accept(socket, `*:${port}`));
  }
  const close = () => {
    front.destroyAll();
    for (const socket of secured) socket.destroy();
    server.close();
  };
  return { port, completions, failures, front, closes, close };
}

/**
 * One handshake; resolves with the session to resume next time: TLS 1.2's is known when the handshake
 * completes, TLS 1.3's ticket arrives just after it (the 'session' event).
 */
function handshake(port: number, options: ConnectionOptions): Promise<{ session: Buffer | undefined; reused: boolean; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'www.example.test', rejectUnauthorized: false, ...options });
    // end(), not destroy(): a reset could discard the client's last handshake message before the server reads it.
    const done = (session: Buffer | undefined) => {
      const result = { session, reused: socket.isSessionReused(), protocol: socket.getProtocol() };
      socket.once('close', () => resolve(result)).end();
    };
    socket.once('secureConnect', () => {
      if (socket.getProtocol() === 'TLSv1.3' && !socket.isSessionReused()) socket.once('session', done);
      else done(socket.getSession());
    });
    socket.on('error', reject);
  });
}

/** The server side of a handshake may finish after the client's (a resumed TLS 1.2 one): wait for it, 10 s at most (a loaded machine). */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 1000 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
}

const total = (completions: HandshakeCompletions) => completions.snapshot().reduce((sum, entry) => sum + entry.count, 0);

const countOf = (counts: TlsHandshakeCount[], outcome: string, version: string, alpn: string) =>
  counts.find((entry) => entry.outcome === outcome && entry.version === version && entry.alpn === alpn)?.count;

test('completed handshakes are counted full or resumed, by version and ALPN protocol', async () => {
  const { port, completions, failures, front, close } = await startFront();
  after(close);
  assert.equal(completions.snapshot().length, 12, 'every combination, zeros included');
  assert.ok(completions.snapshot().every((entry) => entry.count === 0));

  const tls12 = await handshake(port, { maxVersion: 'TLSv1.2' });
  assert.deepEqual([tls12.reused, tls12.protocol], [false, 'TLSv1.2']);
  const tls12Again = await handshake(port, { maxVersion: 'TLSv1.2', session: tls12.session });
  assert.deepEqual([tls12Again.reused, tls12Again.protocol], [true, 'TLSv1.2'], 'the client resumed');

  const tls13 = await handshake(port, { ALPNProtocols: ['h2', 'http/1.1'] });
  assert.equal(tls13.protocol, 'TLSv1.3');
  const tls13Again = await handshake(port, { ALPNProtocols: ['http/1.1'], session: tls13.session });
  assert.equal(tls13Again.reused, true);

  await until(() => total(completions) >= 4);
  const counts = completions.snapshot();
  assert.equal(countOf(counts, 'full', 'TLSv1.2', 'none'), 1);
  assert.equal(countOf(counts, 'resumed', 'TLSv1.2', 'none'), 1);
  assert.equal(countOf(counts, 'full', 'TLSv1.3', 'h2'), 1);
  assert.equal(countOf(counts, 'resumed', 'TLSv1.3', 'http/1.1'), 1);
  assert.equal(total(completions), 4, 'nothing else counted');
  assert.deepEqual(failures.snapshot(), {});
  assert.equal(front.handshakesInProgress, 0);
});

test('a handshake that fails is a failure by reason, not a completion', async () => {
  const { port, completions, failures, close } = await startFront();
  after(close);
  await assert.rejects(handshake(port, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }));
  await until(() => Object.keys(failures.snapshot()).length > 0);
  assert.deepEqual(failures.snapshot(), { UnsupportedProtocol: 1 });
  assert.equal(total(completions), 0);
});

test('a client that connects and closes before its ClientHello is a ClientClosed failure at once, not a handshake in progress', async () => {
  const { port, completions, failures, front, close } = await startFront();
  after(close);
  const client = connectTcp(port, '127.0.0.1');
  after(() => client.destroy());
  await new Promise<void>((resolve) => client.once('connect', () => client.end(resolve)));
  await until(() => front.handshakesInProgress === 0 && Object.keys(failures.snapshot()).length > 0);
  assert.equal(front.handshakesInProgress, 0, 'the descriptor is not held until headerWaitTimeout');
  assert.deepEqual(failures.snapshot(), { ClientClosed: 1 });
  assert.equal(total(completions), 0);
});

test('a client that resets its connection closes the socket without an error (no stack to format); during the handshake it is a ClientClosed failure', async () => {
  const { port, completions, failures, front, closes, close } = await startFront();
  after(close);
  // Established: the client's TCP socket is reset (SO_LINGER 0) once the server has finished its handshake
  // (a TLS 1.3 server sends its tickets after reading the client's Finished: the 'session' event).
  const raw = connectTcp(port, '127.0.0.1');
  after(() => raw.destroy());
  await new Promise<void>((resolve, reject) => {
    const secure = connect({ socket: raw, servername: 'www.example.test', rejectUnauthorized: false });
    secure.on('error', () => undefined);
    secure.once('session', () => {
      raw.resetAndDestroy();
      resolve();
    });
    raw.once('error', reject);
  });
  await until(() => closes.length === 1);
  assert.deepEqual(closes, [{ hadError: false, errored: null }], 'ECONNRESET/EPIPE end the socket as a close');
  assert.equal(total(completions), 1);

  // During the handshake: a ClientHello's first bytes, then a reset.
  const early = connectTcp(port, '127.0.0.1');
  after(() => early.destroy());
  await new Promise<void>((resolve) => early.once('connect', resolve));
  early.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  early.resetAndDestroy();
  await until(() => front.handshakesInProgress === 0 && Object.keys(failures.snapshot()).length > 0);
  assert.equal(front.handshakesInProgress, 0);
  assert.deepEqual(failures.snapshot(), { ClientClosed: 1 });
});

test('a connection accepted as a bare TCP handle (no net.Socket under the TLS socket) completes its handshake, resumes, and closes its descriptor once', async () => {
  let handleCloses = 0;
  const { port, completions, failures, front, closes, close } = await startFront({ viaHandle: () => handleCloses++ });
  after(close);
  const descriptors = () => readdirSync('/proc/self/fd').length;
  const before = descriptors();
  const first = await handshake(port, { ALPNProtocols: ['http/1.1'] });
  const again = await handshake(port, { ALPNProtocols: ['http/1.1'], session: first.session });
  assert.equal(again.reused, true);
  await until(() => handleCloses === 2 && closes.length === 2);
  assert.equal(handleCloses, 2, 'onClose once per connection');
  assert.deepEqual(closes, [{ hadError: false, errored: null }, { hadError: false, errored: null }]);
  assert.equal(countOf(completions.snapshot(), 'full', 'TLSv1.3', 'http/1.1'), 1);
  assert.equal(countOf(completions.snapshot(), 'resumed', 'TLSv1.3', 'http/1.1'), 1);
  assert.deepEqual(failures.snapshot(), {});
  assert.equal(front.handshakesInProgress, 0);
  await until(() => descriptors() === before);
  assert.equal(descriptors(), before, 'no descriptor left open');
});

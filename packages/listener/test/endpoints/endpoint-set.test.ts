import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { EndpointSet } from '../../src/endpoints/endpoint-set.js';
import type { ListenSocketSource } from '../../src/endpoints/listen-socket-source.js';
import type { AcceptedTcpHandle } from '../../src/ssl/tls-front.js';

/** A source whose every socket is taken by another process, recording the order of what httpsys asks. */
function refusingSource(log: string[]): ListenSocketSource {
  return {
    acquire: (endpoint) =>
      new Promise((_, reject) => {
        log.push(`acquire ${endpoint.ip}:${endpoint.port}`);
        setImmediate(() => reject(Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' })));
      }),
    applied: async (endpoints) => {
      log.push(`applied [${endpoints.join(', ')}]`);
    },
  };
}

test('a socket the source cannot open is reported by name, and the source is told what httpsys listens on', async () => {
  const log: string[] = [];
  const endpoints = new EndpointSet(() => undefined, pino({ level: 'silent' }), refusingSource(log));
  const failures = await endpoints.apply([{ ip: '127.0.0.1', port: 80 }]);
  assert.deepEqual(failures, [{ endpoint: '127.0.0.1:80', code: 'EADDRINUSE', message: '127.0.0.1:80 is being used by another process' }]);
  assert.deepEqual(log, ['acquire 127.0.0.1:80', 'applied []']);
});

test('reconciliations run one after the other, so two ApplyUrlGroups never ask for one endpoint at once', async () => {
  const log: string[] = [];
  const endpoints = new EndpointSet(() => undefined, pino({ level: 'silent' }), refusingSource(log));
  await Promise.all([endpoints.apply([{ ip: '*', port: 80 }]), endpoints.apply([{ ip: '::1', port: 81 }])]);
  assert.deepEqual(log, ['acquire *:80', 'applied []', 'acquire ::1:81', 'applied []']);
});

test('paused (a drained host), it listens nowhere, whatever the configuration asks meanwhile; resume listens where it says last', async () => {
  const log: string[] = [];
  const endpoints = new EndpointSet(() => undefined, pino({ level: 'silent' }), refusingSource(log));
  await endpoints.pause();
  await endpoints.apply([{ ip: '127.0.0.1', port: 80 }]);
  await endpoints.apply([{ ip: '127.0.0.1', port: 81 }]);
  assert.deepEqual(log, ['applied []', 'applied []', 'applied []'], 'no socket asked for while paused');
  await endpoints.resume();
  assert.deepEqual(log.slice(3), ['acquire 127.0.0.1:81', 'applied []']);
});

/** A refusing source whose poolhost answers CloseUnusedListenSockets only when the test says so. */
function answeringSource(log: string[]) {
  const unanswered: Array<() => void> = [];
  let asked: (() => void) | null = null;
  const source: ListenSocketSource = {
    ...refusingSource(log),
    applied: (endpoints) => {
      log.push(`applied [${endpoints.join(', ')}]`);
      asked?.();
      return new Promise((resolve) => unanswered.push(resolve));
    },
  };
  /** Answers the oldest request, once there is one. */
  const answer = async (): Promise<void> => {
    if (unanswered.length === 0) await new Promise<void>((resolve) => (asked = resolve));
    asked = null;
    unanswered.shift()!();
  };
  return { source, answer };
}

test('pause() resolves only once poolhost answers that its copies are closed; the next reconciliation waits for that answer', async () => {
  const log: string[] = [];
  const { source, answer } = answeringSource(log);
  const endpoints = new EndpointSet(() => undefined, pino({ level: 'silent' }), source);
  const applied = endpoints.apply([{ ip: '127.0.0.1', port: 80 }]);
  await answer();
  await applied;
  let paused = false;
  const pausing = endpoints.pause().then(() => (paused = true));
  const resumed = endpoints.resume();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['acquire 127.0.0.1:80', 'applied []', 'applied []'], 'resume() asks for no socket before the pause is answered');
  assert.equal(paused, false, 'until poolhost answers, the kernel may complete handshakes into its copy');
  await answer();
  await pausing;
  await answer();
  await resumed;
  assert.deepEqual(log.slice(3), ['acquire 127.0.0.1:80', 'applied []']);
});

test("an https endpoint's connections go from the listening handle to the TLS front, with no net.Socket; http and PROXY-protocol endpoints' to 'connection'; each is counted", async () => {
  const viaSocket: string[] = [];
  const viaHandle: Array<{ endpoint: string; handle: AcceptedTcpHandle; onClose: () => void }> = [];
  const endpoints = new EndpointSet(
    (socket, endpoint, secure, proxyProtocol) => {
      viaSocket.push(`${endpoint} secure=${secure} proxy=${proxyProtocol}`);
      socket.destroy();
    },
    pino({ level: 'silent' }),
    null,
    (handle, endpoint, onClose) => viaHandle.push({ endpoint, handle, onClose }),
  );
  after(() => endpoints.closeAll());
  assert.deepEqual(
    await endpoints.apply([
      { ip: '127.0.0.1', port: 0, secure: true },
      { ip: '127.0.0.3', port: 0, secure: true, proxyProtocol: true },
      { ip: '127.0.0.2', port: 0 },
    ]),
    [],
  );
  const connectTo = (host: string, key: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(endpoints.address(key)!, host, () => resolve(socket)).on('error', reject);
    });
  const clients = [await connectTo('127.0.0.1', '127.0.0.1:0'), await connectTo('127.0.0.3', '127.0.0.3:0'), await connectTo('127.0.0.2', '127.0.0.2:0')];
  after(() => clients.forEach((client) => client.destroy()));
  for (let tries = 0; tries < 1000 && viaHandle.length + viaSocket.length < 3; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(viaHandle.map((entry) => entry.endpoint), ['127.0.0.1:0']);
  assert.deepEqual(viaSocket.sort(), ['127.0.0.2:0 secure=false proxy=false', '127.0.0.3:0 secure=true proxy=true']);
  const counted = () => endpoints.counters().find((entry) => entry.endpoint === '127.0.0.1:0');
  assert.deepEqual(counted(), { endpoint: '127.0.0.1:0', currentConnections: 1, totalConnections: 1 });
  const closed = new Promise<void>((resolve) => clients[0]!.once('close', () => resolve()));
  viaHandle[0]!.handle.close();
  viaHandle[0]!.onClose();
  await closed;
  assert.deepEqual(counted(), { endpoint: '127.0.0.1:0', currentConnections: 0, totalConnections: 1 });
});

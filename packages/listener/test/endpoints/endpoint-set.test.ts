import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { EndpointSet } from '../../src/endpoints/endpoint-set.js';
import type { ListenSocketSource } from '../../src/endpoints/listen-socket-source.js';

/** A source whose every socket is taken by another process, recording the order of what httpsys asks. */
function refusingSource(log: string[]): ListenSocketSource {
  return {
    acquire: (endpoint) =>
      new Promise((_, reject) => {
        log.push(`acquire ${endpoint.ip}:${endpoint.port}`);
        setImmediate(() => reject(Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' })));
      }),
    applied: (endpoints) => log.push(`applied [${endpoints.join(', ')}]`),
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

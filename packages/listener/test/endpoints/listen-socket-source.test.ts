// httpsys' side of the listen-socket hand-off, on a fake Node IPC channel with poolhost's end in the test:
// applied() resolves on poolhost's answer, after it closed its copies; with poolhost gone it does not wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { ControlChannel, createIpcTransport, type IpcEndpoint } from '@poolhost/protocol';
import { listenSocketsFromPoolhost } from '../../src/endpoints/listen-socket-source.js';

type FakeEnd = EventEmitter & IpcEndpoint & { connected: boolean };

/** Two ends of a fake Node IPC channel; `disconnect()` closes both, as the parent's exit does. */
function ipcPair(): [FakeEnd, FakeEnd] {
  const make = () => Object.assign(new EventEmitter(), { connected: true }) as FakeEnd;
  const [a, b] = [make(), make()];
  for (const [from, to] of [[a, b], [b, a]] as const) {
    from.send = (message, handle, callback) => {
      setImmediate(() => to.emit('message', JSON.parse(JSON.stringify(message)), handle));
      callback(null);
      return true;
    };
    from.disconnect = () => {
      for (const end of [a, b]) {
        end.connected = false;
        end.emit('disconnect');
      }
    };
  }
  return [a, b];
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("applied() asks poolhost to close the other endpoints' sockets and resolves only on its answer", async () => {
  const [httpsysEnd, poolhostEnd] = ipcPair();
  const asked: string[][] = [];
  let answer!: () => void;
  new ControlChannel(createIpcTransport(poolhostEnd), {
    peer: 'httpsys',
    handlers: {
      CloseUnusedListenSockets: (message) => {
        asked.push(message.endpoints);
        return new Promise((resolve) => (answer = () => resolve({ type: 'Acknowledged' })));
      },
    },
  });
  const source = listenSocketsFromPoolhost(httpsysEnd, pino({ level: 'silent' }))!;
  let done = false;
  const applied = source.applied(['127.0.0.1:80']).then(() => (done = true));
  await settle();
  assert.deepEqual(asked, [['127.0.0.1:80']]);
  assert.equal(done, false);
  answer();
  await applied;
  assert.equal(done, true);
});

test('poolhost gone (its copies closed with it): a pending applied() resolves when the channel closes, a later one at once, without a warning', async () => {
  const [httpsysEnd, poolhostEnd] = ipcPair();
  new ControlChannel(createIpcTransport(poolhostEnd), {
    peer: 'httpsys',
    handlers: { CloseUnusedListenSockets: () => new Promise(() => undefined) },
  });
  const warnings: string[] = [];
  const source = listenSocketsFromPoolhost(httpsysEnd, pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }))!;
  const pending = source.applied(['127.0.0.1:80']);
  await settle();
  poolhostEnd.disconnect!();
  await pending;
  await source.applied([]);
  assert.deepEqual(warnings, []);
});

test('poolhost failing to close a socket is logged, and applied() still resolves', async () => {
  const [httpsysEnd, poolhostEnd] = ipcPair();
  new ControlChannel(createIpcTransport(poolhostEnd), {
    peer: 'httpsys',
    handlers: {
      CloseUnusedListenSockets: () => {
        throw Object.assign(new Error('close EBADF'), { code: 'EBADF' });
      },
    },
  });
  const warnings: string[] = [];
  const source = listenSocketsFromPoolhost(httpsysEnd, pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) }))!;
  await source.applied([]);
  assert.deepEqual(warnings, ['poolhost did not confirm it closed the sockets of the endpoints httpsys no longer listens on: close EBADF']);
});

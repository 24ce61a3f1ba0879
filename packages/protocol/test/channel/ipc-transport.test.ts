import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ControlChannel, createIpcTransport, type IpcEndpoint } from '../../src/index.js';

/** Two ends of a fake Node IPC channel: what one sends (JSON and handle apart) the other receives. */
function ipcPair(): [IpcEndpoint & { sent: unknown[] }, IpcEndpoint & { sent: unknown[] }] {
  const make = () => Object.assign(new EventEmitter(), { connected: true, sent: [] as unknown[] }) as EventEmitter & IpcEndpoint & { sent: unknown[] };
  const [a, b] = [make(), make()];
  for (const [from, to] of [[a, b], [b, a]] as const) {
    from.send = (message, handle, callback) => {
      from.sent.push(JSON.parse(JSON.stringify(message)));
      setImmediate(() => to.emit('message', JSON.parse(JSON.stringify(message)), handle));
      callback(null);
      return true;
    };
  }
  return [a, b];
}

test('a reply\'s handle travels beside its JSON and is put back on the message', async () => {
  const [httpsysEnd, poolhostEnd] = ipcPair();
  const handle = { fd: 21 };
  new ControlChannel(createIpcTransport(poolhostEnd), {
    peer: 'httpsys',
    handlers: { OpenListenSocket: (message) => ({ type: 'ListenSocket', endpoint: `${message.ip}:${message.port}`, openedBy: 'poolhost', handle }) },
  });
  const httpsys = new ControlChannel(createIpcTransport(httpsysEnd), { peer: 'poolhost', handlers: {} });
  const reply = await httpsys.request({ type: 'OpenListenSocket', ip: '127.0.0.1', port: 80 });
  assert.equal(reply.handle, handle);
  assert.equal(reply.endpoint, '127.0.0.1:80');
  // The handle was never serialised into the message.
  assert.deepEqual(poolhostEnd.sent, [{ re: 1, message: { type: 'ListenSocket', endpoint: '127.0.0.1:80', openedBy: 'poolhost' } }]);
});

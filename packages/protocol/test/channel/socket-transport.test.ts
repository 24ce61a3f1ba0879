import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ControlChannel, createSocketTransport } from '../../src/index.js';

/** Both ends of a connected Unix stream socket, as was and a w3wp hold their control connection. */
async function socketPair(): Promise<{ near: Socket; far: Socket; close(): Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-socket-transport-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(folder, 'control.sock'), resolve));
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const near = connect(join(folder, 'control.sock'));
  await once(near, 'connect');
  const [far] = await accepted;
  return {
    near,
    far,
    async close() {
      near.destroy();
      far.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

test('a message written before the other end has its transport waits in the socket and is delivered once it has', async () => {
  const { near, far, close } = await socketPair();
  try {
    // was writes to a worker whose transport does not read yet (its modules are still loading).
    const was = new ControlChannel(createSocketTransport(far), { peer: 'w3wp', handlers: {} });
    const stopped = was.request({ type: 'StopWorker', reason: 'early', shutdownTimeLimit: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const received: unknown[] = [];
    new ControlChannel(createSocketTransport(near), {
      peer: 'was',
      handlers: {
        StopWorker: (message) => {
          received.push(message);
          return { type: 'Acknowledged' };
        },
        ListWorkerRequests: () => ({ type: 'WorkerRequestList', requests: [] }),
      },
    });
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(received, [{ type: 'StopWorker', reason: 'early', shutdownTimeLimit: 1000 }]);
    assert.deepEqual(await stopped, { type: 'Acknowledged' });
    assert.deepEqual(await was.request({ type: 'ListWorkerRequests' }), { type: 'WorkerRequestList', requests: [] });
  } finally {
    await close();
  }
});

test('the peer closing the connection closes the channel and rejects what is pending; a socket already destroyed is closed at once', async () => {
  const { near, far, close } = await socketPair();
  try {
    const worker = new ControlChannel(createSocketTransport(near), { peer: 'was', handlers: {} });
    const closed = new Promise<void>((resolve) => worker.onClose(resolve));
    const pending = worker.request({ type: 'PingWorker' });
    far.end();
    await closed;
    await assert.rejects(pending, /the control channel to was is closed/);
    assert.equal(worker.closed, true);

    // A peer gone before the transport existed: its 'close' event has passed, the channel is closed anyway.
    const late = new ControlChannel(createSocketTransport(near), { peer: 'was', handlers: {} });
    assert.equal(late.closed, true);
  } finally {
    await close();
  }
});

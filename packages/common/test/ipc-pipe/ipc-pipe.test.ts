import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcPipe } from '../../src/ipc-pipe/ipc-pipe.js';

function listen(server: Server, target: string | number): Promise<void> {
  return new Promise((resolve) => server.listen(target as never, () => resolve()));
}

test('IpcPipe passes TCP sockets over a plain Unix socket (connected on one side, adopted on the other), each with its own line, and lines both ways', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'ipc-pipe-'));
  const path = join(folder, 'handover.sock');
  const received: Array<{ line: string; socket: Socket | null }> = [];
  let receiver: IpcPipe | null = null;
  const handoverServer = createServer({ pauseOnConnect: true }, (connection) => {
    receiver = IpcPipe.adopt(connection, (line, socket) => {
      received.push({ line, socket });
      // The receiving side serves the socket as an echo with its line as a prefix.
      if (socket) socket.on('data', (data) => socket.write(`${line}:${data.toString()}`));
    });
  });
  await listen(handoverServer, path);
  const fromReceiver: string[] = [];
  const sender = await IpcPipe.connect(path, (line) => fromReceiver.push(line));

  // Client sockets accepted paused, as the activator accepts them, each sent at once (the pipe queues them until acknowledged).
  const accepted: Socket[] = [];
  const tcpServer = createServer({ pauseOnConnect: true }, (socket) => accepted.push(socket));
  await listen(tcpServer, 0);
  const port = (tcpServer.address() as { port: number }).port;
  const clients = await Promise.all(Array.from({ length: 5 }, () => new Promise<Socket>((resolve) => {
    const client = connect(port, '127.0.0.1', () => resolve(client));
  })));
  while (accepted.length < clients.length) await new Promise((resolve) => setTimeout(resolve, 5));
  const sent = await Promise.all(accepted.map((socket, index) => sender.send(`site-${index}`, socket)));
  assert.deepEqual(sent, [true, true, true, true, true]);
  // Our copies go; the receiver's keep the connections open.
  for (const socket of accepted) socket.destroy();

  // Which client's connection went with which line: each client reads its own server-side prefix back.
  const answers = await Promise.all(clients.map((client, index) => new Promise<string>((resolve) => {
    client.once('data', (data) => resolve(data.toString()));
    client.write(`hello ${index}`);
  })));
  assert.equal(received.length, 5);
  assert.ok(received.every((entry) => entry.socket !== null), 'every line came with its socket');
  assert.deepEqual(new Set(answers.map((answer) => answer.replace(/^site-\d+:/, ''))), new Set(clients.map((_, index) => `hello ${index}`)));

  assert.equal(await receiver!.send('closed'), true);
  while (fromReceiver.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(fromReceiver, ['closed'], 'acknowledgements are not lines');

  const closed = new Promise<void>((resolve) => sender.onClose(resolve));
  receiver!.close();
  await closed;
  assert.equal(await sender.send('late', null), false, 'a closed pipe sends nothing');
  for (const client of clients) client.destroy();
  for (const entry of received) entry.socket?.destroy();
  tcpServer.close();
  handoverServer.close();
  t.after(() => rmSync(folder, { recursive: true, force: true }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { connectUnixSocket, type Envelope, type Transport } from '@poolhost/protocol';
import { waitForAssignment } from '../../src/spare-worker/spare-worker.js';

/** The spare's control connection to was, in memory: what the spare sends, and a way to send it messages or close it. */
class FakeControl implements Transport {
  readonly sent: Array<Record<string, unknown>> = [];
  private readonly envelopeListeners: Array<(envelope: Envelope) => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private closed = false;
  send(envelope: Envelope): void {
    if (!this.closed) this.sent.push(envelope as unknown as Record<string, unknown>);
  }
  onEnvelope(listener: (envelope: Envelope) => void): void {
    this.envelopeListeners.push(listener);
  }
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }
  close(): void {
    this.disconnect();
  }
  deliver(envelope: unknown): void {
    for (const listener of this.envelopeListeners) listener(envelope as Envelope);
  }
  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }
}

async function setup() {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-spare-'));
  const accepted: Socket[] = [];
  const server = createServer((socket) => void accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(join(folder, 'data.sock'), resolve));
  const dataSocket = await connectUnixSocket(join(folder, 'data.sock'));
  const control = new FakeControl();
  const exits: number[] = [];
  const lines: string[] = [];
  const logger = createLogger({ service: 'w3wp', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
  const close = async () => {
    dataSocket.destroy();
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  };
  const waitForExit = async () => {
    for (let i = 0; i < 1000 && exits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { control, dataSocket, accepted, exits, lines, logger, close, waitForExit, exit: (code: number) => void exits.push(code) };
}

test('a spare says SpareWorkerReady, and AssignSpareWorker gives it the pool\'s environment, arguments and title before it goes on; a second assignment is refused', async () => {
  const { control, dataSocket, exits, lines, logger, close, exit } = await setup();
  process.env.POOLHOST_SPARE = '1';
  const argvBefore = process.argv.length;
  const assignment = waitForAssignment({ control, dataSocket, logger, exit });
  assert.deepEqual(control.sent[0], { message: { type: 'SpareWorkerReady', pid: process.pid } });

  control.deliver({ seq: 1, message: { type: 'AssignSpareWorker', applicationPool: 'PoolA', workerId: '9', arguments: ['-ap', 'PoolA', '-h', '/tmp/PoolA.config'], environment: { APP_POOL_ID: 'PoolA', SECRET_A: 'alpha' } } });
  const assigned = await assignment;
  assert.equal(assigned.applicationPool, 'PoolA');
  assert.equal(assigned.dataSocket, dataSocket);
  const reply = control.sent[1] as { re: number; message: { type: string; uid: number; gid: number } };
  assert.equal(reply.re, 1);
  assert.deepEqual(reply.message, { type: 'SpareWorkerAssigned', uid: process.getuid!(), gid: process.getgid!(), groups: process.getgroups!() });
  assert.equal(process.env.APP_POOL_ID, 'PoolA');
  assert.equal(process.env.SECRET_A, 'alpha');
  assert.equal(process.env.POOLHOST_SPARE, undefined);
  assert.deepEqual(process.argv.slice(argvBefore), ['-ap', 'PoolA', '-h', '/tmp/PoolA.config']);
  assert.match(lines.join(''), /"pool":"PoolA".*spare worker assigned to application pool 'PoolA'/);

  control.deliver({ seq: 2, message: { type: 'AssignSpareWorker', applicationPool: 'PoolB', workerId: '10', arguments: [], environment: { SECRET_B: 'bravo' } } });
  const refusal = control.sent[2] as { re: number; error: { message: string } };
  assert.equal(refusal.re, 2);
  assert.match(refusal.error.message, /already assigned to an application pool; it never serves another \(asked for 'PoolB'\)/);
  assert.equal(process.env.SECRET_B, undefined);
  // Once assigned, the connection and the channel are the worker's: losing them no longer ends the spare here.
  control.disconnect();
  assert.deepEqual(exits, []);
  await close();
});

test('a spare that loses its data connection to httpsys before it is assigned exits 75; one that loses was exits 0', async () => {
  const first = await setup();
  void waitForAssignment({ control: first.control, dataSocket: first.dataSocket, logger: first.logger, exit: first.exit });
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const socket of first.accepted) socket.destroy();
  await first.waitForExit();
  assert.equal(first.exits[0], 75);
  await first.close();

  const second = await setup();
  void waitForAssignment({ control: second.control, dataSocket: second.dataSocket, logger: second.logger, exit: second.exit });
  second.control.disconnect();
  await second.waitForExit();
  assert.deepEqual(second.exits, [0]);
  await second.close();
});

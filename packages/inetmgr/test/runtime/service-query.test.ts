// inetmgr's questions to the services: one control connection per service, kept open between
// questions, and opened again after the service closed it (a restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenControlSocket, socketPath, type ControlChannel } from '@poolhost/protocol';
import { createServiceQuery } from '../../src/runtime/service-query.js';

async function fakeW3svc(runDirectory: string) {
  const channels: ControlChannel[] = [];
  let answered = 0;
  const server = await listenControlSocket(
    socketPath(runDirectory, 'w3svc'),
    () => ({ peer: 'inetmgr', handlers: { ListSites: () => ({ type: 'SiteList', sites: [{ id: 1, name: `answer ${++answered}`, state: 'Started', bindings: [] }] }) as never } }),
    (channel) => channels.push(channel),
  );
  return { server, channels, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('questions share one connection; after the service closes it, the next question connects again; a stopped service is unavailable', async () => {
  const runDirectory = mkdtempSync(join(tmpdir(), 'pq-'));
  const query = createServiceQuery(runDirectory, 1_000);
  try {
    const w3svc = await fakeW3svc(runDirectory);
    const [first, second] = await Promise.all([query.ask('w3svc', { type: 'ListSites' }), query.ask('w3svc', { type: 'ListSites' })]);
    const third = await query.ask('w3svc', { type: 'ListSites' });
    assert.deepEqual([first, second, third].map((reply) => reply.sites[0]!.name).sort(), ['answer 1', 'answer 2', 'answer 3']);
    assert.equal(w3svc.channels.length, 1, 'three questions, one connection');

    // The service restarts: its end of the connection closes, and it listens again.
    for (const channel of w3svc.channels) channel.close();
    await w3svc.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const restarted = await fakeW3svc(runDirectory);
    assert.equal((await query.ask('w3svc', { type: 'ListSites' })).sites[0]!.name, 'answer 1');
    assert.equal(restarted.channels.length, 1);

    // Stopped: nobody listens, and the question fails instead of waiting.
    for (const channel of restarted.channels) channel.close();
    await restarted.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(query.ask('w3svc', { type: 'ListSites' }));
  } finally {
    query.close?.();
    rmSync(runDirectory, { recursive: true, force: true });
  }
});

test('after close, no question is sent', async () => {
  const runDirectory = mkdtempSync(join(tmpdir(), 'pq-'));
  const w3svc = await fakeW3svc(runDirectory);
  const query = createServiceQuery(runDirectory, 1_000);
  try {
    await query.ask('w3svc', { type: 'ListSites' });
    query.close!();
    await assert.rejects(query.ask('w3svc', { type: 'ListSites' }), /stopping/);
    // The service sees the close once its end has read it: waited for (a fixed 50 ms can be outrun on a
    // loaded machine), with a deadline that fails the test if the connection is kept.
    const deadline = Date.now() + 10_000;
    while (!w3svc.channels[0]!.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(w3svc.channels[0]!.closed, true, 'the kept connection was closed');
  } finally {
    await w3svc.close();
    rmSync(runDirectory, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChannelClosedError,
  ChannelTimeoutError,
  RemoteError,
  connectControlSocket,
  listenControlSocket,
  type ControlChannel,
} from '../../src/index.js';

async function withSocket(
  handlers: Parameters<typeof listenControlSocket>[1],
  body: (client: ControlChannel, serverChannels: ControlChannel[]) => Promise<void>,
): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'poolhost-channel-'));
  const path = join(directory, 'test.sock');
  const serverChannels: ControlChannel[] = [];
  const server = await listenControlSocket(path, handlers, (channel) => serverChannels.push(channel));
  const client = await connectControlSocket(path, { peer: 'server', handlers: {} });
  try {
    await body(client, serverChannels);
  } finally {
    client.close();
    for (const channel of serverChannels) channel.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}

test('a request is answered with the reply its handler returns', async () => {
  await withSocket(
    () => ({
      peer: 'client',
      handlers: {
        ListSites: () => ({ type: 'SiteList', sites: [{ id: 1, name: 'Default Web Site', state: 'Started', applicationPools: ['DefaultAppPool'] }] }),
      },
    }),
    async (client) => {
      const reply = await client.request({ type: 'ListSites' });
      assert.deepEqual(reply, { type: 'SiteList', sites: [{ id: 1, name: 'Default Web Site', state: 'Started', applicationPools: ['DefaultAppPool'] }] });
    },
  );
});

test('a handler that returns nothing acknowledges; one that throws sends its code and message back', async () => {
  await withSocket(
    () => ({
      peer: 'client',
      handlers: {
        StartSite: () => ({ type: 'Acknowledged' }),
        StopSite: (message) => {
          throw Object.assign(new Error(`The site "${message.name}" does not exist.`), { code: 'SiteNotFound' });
        },
      },
    }),
    async (client) => {
      assert.deepEqual(await client.request({ type: 'StartSite', name: 'a' }), { type: 'Acknowledged' });
      await assert.rejects(client.request({ type: 'StopSite', name: 'nope' }), (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(error.code, 'SiteNotFound');
        assert.equal(error.message, 'The site "nope" does not exist.');
        return true;
      });
    },
  );
});

test('a message with no handler is refused by name, and async handlers reply when they settle', async () => {
  await withSocket(
    () => ({
      peer: 'client',
      handlers: {
        ListApplicationPools: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { type: 'ApplicationPoolList', applicationPools: [] };
        },
      },
    }),
    async (client) => {
      await assert.rejects(client.request({ type: 'ListSites' }), /ListSites is not accepted here/);
      assert.deepEqual(await client.request({ type: 'ListApplicationPools' }), { type: 'ApplicationPoolList', applicationPools: [] });
    },
  );
});

test('a request times out with the peer and message named, and closing rejects what is pending', async () => {
  await withSocket(
    () => ({ peer: 'client', handlers: { ListSites: () => new Promise<never>(() => undefined) } }),
    async (client, serverChannels) => {
      await assert.rejects(client.request({ type: 'ListSites' }, 50), (error: unknown) => {
        assert.ok(error instanceof ChannelTimeoutError);
        assert.equal(error.message, 'server did not answer ListSites within 50 ms');
        return true;
      });
      const pending = client.request({ type: 'ListSites' }, 5_000);
      serverChannels[0]!.close();
      await assert.rejects(pending, ChannelClosedError);
      await assert.rejects(client.request({ type: 'ListSites' }), ChannelClosedError);
    },
  );
});

test('events flow both ways without replies', async () => {
  const seen: string[] = [];
  await withSocket(
    () => ({
      peer: 'client',
      handlers: {
        WorkerDemanded: (message) => {
          seen.push(`${message.applicationPool}:${message.reason}`);
        },
      },
    }),
    async (client) => {
      client.notify({ type: 'WorkerDemanded', applicationPool: 'DefaultAppPool', reason: 'NoWorker', queuedRequests: 1, attachedWorkers: 0 });
      const deadline = Date.now() + 10_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(seen, ['DefaultAppPool:NoWorker']);
    },
  );
});

test('control sockets are created with mode 0600', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'poolhost-channel-'));
  const path = join(directory, 'mode.sock');
  const server = await listenControlSocket(path, () => ({ peer: 'x', handlers: {} }));
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
});

test('handle() replaces the handler table: the next message finds the new handlers, the old ones are gone', async () => {
  await withSocket(
    () => ({ peer: 'client', handlers: { ListSites: () => ({ type: 'SiteList', sites: [] }) } }),
    async (client, serverChannels) => {
      assert.deepEqual(await client.request({ type: 'ListSites' }), { type: 'SiteList', sites: [] });
      serverChannels[0]!.handle({ PingWorker: () => ({ type: 'WorkerHealth', requestsServed: 7, requestsInFlight: 0, counters: {} as never }) });
      assert.equal((await client.request({ type: 'PingWorker' })).requestsServed, 7);
      await assert.rejects(client.request({ type: 'ListSites' }), (error: RemoteError) => error.code === 'UnknownMessage');
    },
  );
});

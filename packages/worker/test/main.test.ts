// w3wp's own start, as was spawns it: the control connection on POOLHOST_CONTROL_FD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { ControlChannel, createSocketTransport, executablePath, type ControlMessage } from '@poolhost/protocol';

test('a w3wp started without its pool says WorkerStartupFailed on its control connection, naming what it needs, and exits 1', async () => {
  const { APP_POOL_ID: _pool, APP_POOL_CONFIG: _poolConfig, POOLHOST_CONFIG: _config, ...env } = process.env;
  const child = spawn(process.execPath, [executablePath('w3wp')], { env: { ...env, POOLHOST_CONTROL_FD: '3', POOLHOST_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const received: ControlMessage[] = [];
  new ControlChannel(createSocketTransport(child.stdio[3] as Socket), {
    peer: `w3wp ${child.pid}`,
    handlers: { WorkerStartupFailed: (message) => void received.push(message) },
  });
  // 'close': the process has exited and its stdio, the control connection included, has been read to the end.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 1);
  assert.equal(received.length, 1);
  assert.match((received[0] as { message: string }).message, /w3wp needs -ap "<pool>" \(or APP_POOL_ID\)/);
});

// One pool serving the streaming app under a chosen minBytesPerSecond, warmed by a first request:
// the setup shared by the slow-reader and pipelined-flood tests.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost, type PoolhostInstance } from '../../support/poolhost-instance.js';
import { singlePoolConfig } from '../../support/config-builder.js';
import { freePort, httpRequest } from '../../support/http.js';
import { streamingApp } from '../../support/apps.js';

export async function startStreamingInstance(minBytesPerSecond: number): Promise<{ port: number; poolhost: PoolhostInstance }> {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: singlePoolConfig(port, { name: 'A' }, { webLimits: { minBytesPerSecond: String(minBytesPerSecond) } }),
      files: { 'app/server.js': streamingApp },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);
  return { port, poolhost };
}

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { streamingApp } from '../support/apps.js';

const mebibyte = 1024 * 1024;

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

test('a 100 MiB upload and a 100 MiB download stream through with bounded memory in httpsys and w3wp', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Streams' }],
        sites: [{ name: 'Big', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Streams', physicalPath: '{{root}}/app' }] }],
      }),
      // Above IIS's default maxAllowedContentLength (30000000 bytes), as an IIS site taking 100 MiB uploads would set it.
      files: {
        'app/server.js': streamingApp,
        'app/web.config': '<configuration><system.webServer><security><requestFiltering><requestLimits maxAllowedContentLength="4294967295" /></requestFiltering></security></system.webServer></configuration>',
      },
      waitForPort: port,
    },
    after,
  );
  await httpRequest({ port, path: '/warm' });
  const listener = poolhost.processes().find((info) => info.role === 'httpsys')!;
  const [worker] = poolhost.workers('Streams');
  const watched = [listener.pid, worker!.pid];
  const baseline = watched.map(rssBytes);
  const peak = [...baseline];
  const sampler = setInterval(() => watched.forEach((pid, index) => (peak[index] = Math.max(peak[index]!, rssBytes(pid)))), 20);

  try {
    // Upload: 100 MiB written as fast as the client can, checked by length and hash on the far side.
    const total = 100 * mebibyte;
    const chunk = Buffer.alloc(mebibyte, 7);
    const expected = createHash('sha256');
    for (let sent = 0; sent < total; sent += chunk.length) expected.update(chunk);
    const uploadResult = await new Promise<string>((resolve, reject) => {
      const upload = request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', headers: { 'content-length': total } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (part: string) => (text += part)).on('end', () => resolve(text));
      });
      upload.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!upload.write(chunk)) {
            upload.once('drain', pump);
            return;
          }
        }
        upload.end();
      };
      pump();
    });
    assert.deepEqual(JSON.parse(uploadResult), { bytes: total, sha256: expected.digest('hex') });

    // Download: 100 MiB read slowly at first, so the listener must hold the worker back.
    const received = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/download?mb=100' }, (response) => {
        let bytes = 0;
        response.pause();
        setTimeout(() => response.resume(), 500);
        response.on('data', (part: Buffer) => (bytes += part.length));
        response.on('end', () => resolve(bytes));
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(received, total);
  } finally {
    clearInterval(sampler);
  }
  const growth = peak.map((value, index) => value - baseline[index]!);
  assert.ok(growth[0]! < 50 * mebibyte, `httpsys RSS grew by ${(growth[0]! / mebibyte).toFixed(1)} MiB`);
  assert.ok(growth[1]! < 50 * mebibyte, `w3wp RSS grew by ${(growth[1]! / mebibyte).toFixed(1)} MiB`);
});

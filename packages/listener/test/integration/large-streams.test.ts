// 100 MiB up and 100 MiB down through httpsys and w3wp while both stay small: per-stream flow control
// means neither side holds more than a window or two of the body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { Harness, request } from './harness.js';

const SIZE = 100 * 1024 * 1024;
const harness = new Harness([
  {
    name: 'StreamPool',
    files: {
      // Above IIS's default maxAllowedContentLength (30000000 bytes).
      'web.config': '<configuration><system.webServer><security><requestFiltering><requestLimits maxAllowedContentLength="4294967295" /></requestFiltering></security></system.webServer></configuration>',
      'server.js': `
const http = require('http');
let peakRss = 0;
setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20).unref();
http.createServer((req, res) => {
  if (req.url === '/rss') return res.end(JSON.stringify({ rss: process.memoryUsage().rss, peakRss }));
  if (req.method === 'POST') {
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    req.on('end', () => res.end(String(bytes)));
    return;
  }
  // Download: write 64 KiB chunks, honouring backpressure.
  const chunk = Buffer.alloc(64 * 1024, 120);
  let left = ${SIZE};
  res.setHeader('Content-Length', String(left));
  const pump = () => {
    while (left > 0) {
      left -= chunk.length;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}).listen(process.env.PORT);
`,
    },
  },
]);

let peakListenerRss = 0;
const sampler = setInterval(() => {
  peakListenerRss = Math.max(peakListenerRss, process.memoryUsage().rss);
}, 20);

before(async () => {
  await harness.start();
  await harness.startWorker('StreamPool');
});
after(async () => {
  clearInterval(sampler);
  await harness.stop();
});

function generated(size: number): Readable {
  let left = size;
  const chunk = Buffer.alloc(64 * 1024, 97);
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

test('100 MiB upload and download stream through with bounded memory on both sides', async () => {
  const baseline = process.memoryUsage().rss;
  const uploaded = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: harness.port, path: '/upload', method: 'POST', headers: { host: 'localhost', 'content-length': String(SIZE) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    generated(SIZE).pipe(req);
  });
  assert.equal(Number(uploaded), SIZE);

  const downloaded = await new Promise<number>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: harness.port, path: '/download', headers: { host: 'localhost' } }, (res) => {
      let bytes = 0;
      // A slowish reader: pause now and then so backpressure reaches the worker.
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes % (8 * 1024 * 1024) < chunk.length) {
          res.pause();
          setTimeout(() => res.resume(), 20);
        }
      });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(downloaded, SIZE);

  const worker = JSON.parse((await request(harness.port, '/rss')).body.toString()) as { rss: number; peakRss: number };
  const listenerGrowth = peakListenerRss - baseline;
  // Reported by the test for the record; the bound is generous (a leak would be ~100 MiB or more).
  console.log(`# RSS: httpsys+client peak growth ${(listenerGrowth / 1048576).toFixed(1)} MiB, w3wp peak ${(worker.peakRss / 1048576).toFixed(1)} MiB`);
  assert.ok(listenerGrowth < 64 * 1024 * 1024, `httpsys (+client) grew by ${listenerGrowth} bytes`);
  assert.ok(worker.peakRss < 120 * 1024 * 1024, `w3wp peaked at ${worker.peakRss} bytes`);
});

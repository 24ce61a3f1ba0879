import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';
import { readHttpErr } from './support/raw-client.js';
import { startStreamingInstance } from './support/streaming-instance.js';
import { slowReader } from './support/slow-clients.js';

// High, so that a reader is noticed within seconds: the kernel takes the first ~4 MiB of a response at
// once on loopback and, as in HTTP.SYS, those bytes count as sent (see reliability.md).
const MIN_BYTES_PER_SECOND = 2_000_000;


test('a reader below minBytesPerSecond is cut off with Timer_MinBytesPerSecond; other clients are unaffected', async () => {
  const { port, poolhost } = await startStreamingInstance(MIN_BYTES_PER_SECOND);
  const load = getLoad(port, 4, (client, sequence) => `/other/${client}-${sequence}`);
  after(() => load.stop().then(() => undefined));
  const started = Date.now();
  // 2 KB every 100 ms = 20 KB/s of a 200 MiB download. The readers are cut within seconds on a quiet
  // machine; the limit here only says when the test gives up waiting for the cut.
  const readersDone = Promise.all(Array.from({ length: 4 }, () => slowReader(port, '/download?mb=200', 2_000, 100, 60_000)));
  // Meanwhile fast clients download 20 MiB each, one after the other: never cut.
  let fastDownloads = 0;
  let running = true;
  const fast = (async () => {
    while (running) {
      const response = await httpRequest({ port, path: '/download?mb=20', timeoutMs: 10_000 });
      assert.equal(response.status, 200);
      assert.equal(response.text.length, 20 * 1024 * 1024, 'a fast 20 MiB download was not cut');
      fastDownloads++;
    }
  })();
  const readers = await readersDone;
  const starved = load.starved(started, Date.now(), 2);
  running = false;
  await fast;
  const loadResult = await load.stop();

  for (const reader of readers) {
    assert.ok(reader.closedByServer, `reader ${reader.clientPort} was cut off (${reader.bytesReceived} bytes read in ${reader.elapsedMs} ms)`);
    assert.match(reader.response, /^HTTP\/1\.1 200 /);
  }
  const logDirectory = join(poolhost.root, 'logs', 'HTTPERR');
  await waitFor('Timer_MinBytesPerSecond lines', () => readHttpErr(logDirectory).filter((entry) => entry.reason === 'Timer_MinBytesPerSecond').length >= readers.length, 5_000);
  const lines = readHttpErr(logDirectory).filter((entry) => entry.reason === 'Timer_MinBytesPerSecond');
  assert.deepEqual(new Set(lines.map((entry) => entry.clientPort)), new Set(readers.map((reader) => reader.clientPort)));
  console.log(`slow readers: cut after ${readers.map((reader) => `${reader.elapsedMs} ms/${reader.bytesReceived} B`).join(', ')}; ${loadResult.total} other requests and ${fastDownloads} fast 20 MiB downloads meanwhile, max ${loadResult.maxLatencyMs} ms`);
  assert.deepEqual(loadResult.failures, [], statusSummary(loadResult));
  assert.ok(fastDownloads >= 1, 'a fast 20 MiB download completed while the slow readers were connected');
  assert.deepEqual(starved, [], `other clients kept being served while the slow readers were connected (${loadResult.total} requests)`);
});

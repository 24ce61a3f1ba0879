// httpsys' end of a worker's data connection, spoken to in raw frames by a stand-in worker: a response head
// offered to the kernel cache on a stream httpsys has already ended still gets its CacheStoreVerdict when
// the worker asked for one (a traced request), so the worker never waits for a verdict that cannot come.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  FrameDecoder,
  FrameType,
  FrameWriter,
  KernelCacheFlags,
  KernelCachePolicyType,
  decodeCacheStoreVerdict,
  socketPath,
} from '@poolhost/protocol';
import { Harness, until } from '../integration/harness.js';

interface Frame {
  type: number;
  streamId: number;
  payload: Buffer;
}

const harness = new Harness([{ name: 'LatePool', files: {} }]);
let socket: Socket;
let writer: FrameWriter;
const frames: Frame[] = [];

before(async () => {
  await harness.start();
  socket = connect(socketPath(harness.runDirectory, 'httpsys-data'));
  await new Promise((resolve) => socket.once('connect', resolve));
  writer = new FrameWriter(socket);
  const decoder = new FrameDecoder({ onFrame: (type, _flags, streamId, payload) => void frames.push({ type, streamId, payload: Buffer.from(payload) }) });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  writer.attach(process.pid, 4, 'LatePool', 'late-1');
  writer.flush();
  await until('ATTACHED', () => frames.some((frame) => frame.type === FrameType.Attached));
});

after(async () => {
  socket.destroy();
  await harness.stop();
});

/** A client asks for `url` and resets its connection once the request is on the worker: httpsys ends it (ABORT). Returns its stream. */
async function requestEndedByClient(url: string): Promise<number> {
  const seen = frames.length;
  const client = connect(harness.port, '127.0.0.1');
  client.on('error', () => undefined);
  client.write(`GET ${url} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  await until(`${url} on the worker`, () => frames.slice(seen).some((frame) => frame.type === FrameType.RequestHead));
  const streamId = frames.slice(seen).find((frame) => frame.type === FrameType.RequestHead)!.streamId;
  // A reset, not a FIN: after a FIN httpsys still answers the request it has (half-close).
  client.resetAndDestroy();
  await until(`the ABORT of ${url}`, () => frames.some((frame) => frame.type === FrameType.Abort && frame.streamId === streamId));
  return streamId;
}

/** The worker's response, written after httpsys ended the request (it had not seen the ABORT yet). */
function lateResponse(streamId: number, flags: number): void {
  const policy = { policy: KernelCachePolicyType.TimeToLive, secondsToLive: 30, flags, file: '' };
  writer.responseHead(streamId, 200, 'OK', ['Content-Length', '5'], 0, policy);
  writer.data(FrameType.ResponseBody, streamId, Buffer.from('hello'));
  writer.empty(FrameType.ResponseEnd, streamId);
  writer.flush();
}

test("a late offer is refused as REQUEST_ENDED: counted, and told to the worker only when it asked (ReportStore)", async () => {
  const untraced = await requestEndedByClient('/untraced.txt');
  const traced = await requestEndedByClient('/traced.txt');
  lateResponse(untraced, 0);
  lateResponse(traced, KernelCacheFlags.ReportStore);
  // Frames are handled in order: once the traced verdict is in, the untraced head has been handled too.
  await until('the verdict of the traced response', () => frames.some((frame) => frame.type === FrameType.CacheStoreVerdict));
  const verdicts = frames.filter((frame) => frame.type === FrameType.CacheStoreVerdict);
  assert.deepEqual(
    verdicts.map((frame) => `${frame.streamId} ${decodeCacheStoreVerdict(frame.payload)}`),
    [`${traced} REQUEST_ENDED`],
  );
  assert.deepEqual(harness.httpSys.counters().responseCache!.storeRefusals, { REQUEST_ENDED: 2 });
  assert.equal(harness.httpSys.kernelCache.store.size, 0);
  // The connection is still up and serving: the late frames were no protocol error.
  assert.equal(socket.destroyed, false);
});

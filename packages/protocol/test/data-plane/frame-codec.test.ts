import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  FrameDecoder,
  FrameWriter,
  FrameType,
  RequestFlags,
  AbortReason,
  MAX_DATA_FRAME_PAYLOAD,
  decodeRequestHead,
  decodeResponseHead,
  decodeAttach,
  decodeRejected,
  decodeAbortReason,
  decodeWindowUpdate,
  decodeTrailers,
  type FrameSink,
} from '../../src/index.js';

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A sink that collects what the writer hands the socket. */
function collectingSink(): FrameSink & { bytes(): Buffer; writes: number } {
  const chunks: Buffer[] = [];
  return {
    writes: 0,
    destroyed: false,
    write(chunk: Buffer) {
      chunks.push(Buffer.from(chunk));
      this.writes++;
      return true;
    },
    cork() {},
    uncork() {},
    bytes: () => Buffer.concat(chunks),
  };
}

/** Payload lengths of the frames in `bytes`, in order (read from the headers). */
function payloadLengths(bytes: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < bytes.length; at += 10 + bytes.readUInt32LE(at)) lengths.push(bytes.readUInt32LE(at));
  return lengths;
}

function decodeAll(bytes: Buffer, chunkSizes: (index: number) => number = () => bytes.length): Frame[] {
  const frames: Frame[] = [];
  const frameLengths = payloadLengths(bytes);
  let pieceLeft = 0;
  const decoder = new FrameDecoder({
    onFrame(type, flags, streamId, payload) {
      // A body frame straddling chunks arrives in pieces: put each frame back together (the writer cuts
      // bodies into MAX_DATA_FRAME_PAYLOAD frames, and the sample writes each body once).
      const last = frames[frames.length - 1];
      const body = type === FrameType.RequestBody || type === FrameType.ResponseBody || type === FrameType.UpgradeData;
      if (body && pieceLeft > 0 && last && last.type === type && last.streamId === streamId) {
        last.payload = Buffer.concat([last.payload, payload]);
        pieceLeft -= payload.length;
        return;
      }
      pieceLeft = body ? Math.max(0, frameLengths.shift()! - payload.length) : 0;
      if (!body) frameLengths.shift();
      frames.push({ type, flags, streamId, payload: Buffer.from(payload) });
    },
  });
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, chunkSizes(index++));
    decoder.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  assert.equal(decoder.bufferedBytes, 0);
  return frames;
}

function writeSample(writer: FrameWriter, body: Buffer): void {
  writer.attach(4242, 1000, 'DefaultAppPool', 'w-7');
  writer.empty(FrameType.Attached, 0);
  writer.requestHead(
    1,
    RequestFlags.HasBody | RequestFlags.KeepAlive,
    3,
    'POST',
    '/app/caf\xe9?x=1',
    1,
    1,
    ['Host', 'Example.COM:8080', 'X-Empty', '', 'Content-Type', 'text/plain; charset=latin1'],
    '::ffff:127.0.0.1',
    51234,
    '127.0.0.1',
    8080,
    '/app/é',
  );
  writer.data(FrameType.RequestBody, 1, body);
  writer.empty(FrameType.RequestEnd, 1);
  writer.responseHead(1, 404, 'Not Found', ['Content-Length', '0', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  writer.dataString(FrameType.ResponseBody, 1, 'héllo wörld', 'utf8');
  writer.empty(FrameType.ResponseEnd, 1);
  writer.windowUpdate(1, 65536);
  writer.abort(2, AbortReason.ClientGone);
  writer.rejected('unknown application pool "x"');
  writer.empty(FrameType.Detach, 0);
}

function checkSample(frames: Frame[], body: Buffer): void {
  const types = frames.map((f) => f.type);
  const bodyFrames = Math.max(1, Math.ceil(body.length / MAX_DATA_FRAME_PAYLOAD));
  assert.deepEqual(types, [
    FrameType.Attach,
    FrameType.Attached,
    FrameType.RequestHead,
    ...Array(bodyFrames).fill(FrameType.RequestBody),
    FrameType.RequestEnd,
    FrameType.ResponseHead,
    FrameType.ResponseBody,
    FrameType.ResponseEnd,
    FrameType.WindowUpdate,
    FrameType.Abort,
    FrameType.Rejected,
    FrameType.Detach,
  ]);
  assert.deepEqual(decodeAttach(frames[0]!.payload), { pid: 4242, capacity: 1000, applicationPool: 'DefaultAppPool', workerId: 'w-7' });
  const head = frames[2]!;
  assert.equal(head.streamId, 1);
  assert.equal(head.flags, RequestFlags.HasBody | RequestFlags.KeepAlive);
  assert.deepEqual(decodeRequestHead(head.payload), {
    siteId: 3,
    method: 'POST',
    url: '/app/caf\xe9?x=1',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    rawHeaders: ['Host', 'Example.COM:8080', 'X-Empty', '', 'Content-Type', 'text/plain; charset=latin1'],
    clientIp: '::ffff:127.0.0.1',
    clientPort: 51234,
    localIp: '127.0.0.1',
    localPort: 8080,
    applicationPath: '/app/é',
  });
  const received = Buffer.concat(frames.filter((f) => f.type === FrameType.RequestBody).map((f) => f.payload));
  assert.ok(received.equals(body));
  let index = 3 + bodyFrames + 1;
  assert.deepEqual(decodeResponseHead(frames[index++]!.payload), {
    statusCode: 404,
    reason: 'Not Found',
    headers: ['Content-Length', '0', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'],
  });
  assert.equal(frames[index++]!.payload.toString('utf8'), 'héllo wörld');
  index++;
  assert.equal(decodeWindowUpdate(frames[index++]!.payload), 65536);
  const abort = frames[index++]!;
  assert.equal(abort.streamId, 2);
  assert.equal(decodeAbortReason(abort.payload), AbortReason.ClientGone);
  assert.equal(decodeRejected(frames[index++]!.payload), 'unknown application pool "x"');
}

test('frames round-trip through one flush as a single write', () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  const body = Buffer.from('small body');
  writeSample(writer, body);
  writer.flush();
  assert.equal(sink.writes, 1, 'small frames are batched into one slab segment');
  checkSample(decodeAll(sink.bytes()), body);
});

test('frames split across chunks of every size still decode', () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  const body = randomBytes(3000);
  writeSample(writer, body);
  writer.flush();
  const bytes = sink.bytes();
  for (const size of [1, 2, 3, 7, 10, 11, 64, 1000]) checkSample(decodeAll(bytes, () => size), body);
  checkSample(decodeAll(bytes, (i) => (i * 7919) % 97), body);
});

test('a large body is cut into data frames and reassembled without loss', () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  const body = randomBytes(5 * 1024 * 1024 + 17);
  writeSample(writer, body);
  writer.flush();
  const bytes = sink.bytes();
  checkSample(decodeAll(bytes), body);
  checkSample(decodeAll(bytes, (i) => 65536 + (i % 3) * 1000), body);
});

test('writes are batched per event-loop turn and callbacks run after the flush', async () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  let called = 0;
  writer.data(FrameType.ResponseBody, 9, Buffer.from('a'), () => called++);
  writer.dataString(FrameType.ResponseBody, 9, 'b', 'latin1', () => called++);
  assert.equal(sink.writes, 0);
  assert.equal(called, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.writes, 1);
  assert.equal(called, 2);
  const frames = decodeAll(sink.bytes());
  assert.deepEqual(frames.map((f) => f.payload.toString()), ['a', 'b']);
});

test('a frame larger than the decoder limit is refused', () => {
  const decoder = new FrameDecoder({ onFrame() {} }, 100);
  const header = Buffer.alloc(10);
  header.writeUInt32LE(101, 0);
  assert.throws(() => decoder.push(header), /exceeds the 100-byte limit/);
});

test('a body frame straddling chunks is handed on in pieces, as views of the received chunks', () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  const body = randomBytes(64 * 1024);
  writer.data(FrameType.RequestBody, 9, body);
  writer.empty(FrameType.RequestEnd, 9);
  writer.flush();
  const bytes = sink.bytes();
  const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000, 40_000), bytes.subarray(40_000)];
  const seen: { type: number; streamId: number; payload: Buffer }[] = [];
  const decoder = new FrameDecoder({ onFrame: (type, _flags, streamId, payload) => seen.push({ type, streamId, payload }) });
  for (const chunk of chunks) decoder.push(chunk);
  assert.deepEqual(
    seen.map((frame) => [frame.type, frame.streamId, frame.payload.length]),
    [
      [FrameType.RequestBody, 9, 990],
      [FrameType.RequestBody, 9, 39_000],
      [FrameType.RequestBody, 9, 64 * 1024 - 39_990],
      [FrameType.RequestEnd, 9, 0],
    ],
  );
  assert.equal(seen[1]!.payload.buffer, chunks[1]!.buffer, 'no copy');
  assert.ok(Buffer.concat(seen.slice(0, 3).map((frame) => frame.payload)).equals(body));
  assert.equal(decoder.bufferedBytes, 0);
});

test('trailer fields round-trip in a TRAILERS frame, none or many, split at any byte', () => {
  const sink = collectingSink();
  const writer = new FrameWriter(sink);
  const fields = ['grpc-status', '0', 'X-Checksum', 'sha256=ab\xe9', 'x-empty', ''];
  writer.trailers(5, fields);
  writer.trailers(6, []);
  writer.empty(FrameType.ResponseEnd, 5);
  writer.flush();
  const bytes = sink.bytes();
  for (const size of [1, 3, bytes.length]) {
    const frames = decodeAll(bytes, () => size);
    assert.deepEqual(frames.map((f) => [f.type, f.streamId]), [[FrameType.Trailers, 5], [FrameType.Trailers, 6], [FrameType.ResponseEnd, 5]]);
    assert.deepEqual(decodeTrailers(frames[0]!.payload), fields);
    assert.deepEqual(decodeTrailers(frames[1]!.payload), []);
  }
});

// A skeleton worker: the lower bound of a demand start (docs/performance.md, "The lower bound: a worker that
// does no IIS work"). It does what a w3wp must do to serve a demand-started request and nothing else — no
// configuration, no module, no pipeline, no logger, no code cache: it takes the data connection to httpsys
// that was hands it (POOLHOST_DATA_FD), writes ATTACH, answers the requests httpsys dispatches with the
// application's response as RESPONSE frames (docs/data-plane.md), and tells was WorkerReady on its control
// connection (POOLHOST_CONTROL_FD). A bench tool only, never a worker: it runs one application whose
// handler calls `res.end(body)` and nothing else (scripts/bench/applications.ts' hello).
//
// was runs it in place of w3wp through the profiling variable, which puts its words before w3wp's path on
// the worker's `node` command line — node runs the first path it is given as the script, so w3wp.js and its
// arguments become this script's arguments:
//
//   POOLHOST_DEBUG_NODE_FLAGS_W3WP=/path/to/scripts/bench/skeleton-worker.cjs
//   POOLHOST_SKELETON_APP=/path/to/the/app/server.js   (optional: without it, `require('node:http')` and a
//                                                       canned 'hello world')
//
// scripts/bench/demand-start-wall.ts takes both per tree: `skeleton=/tree,POOLHOST_DEBUG_NODE_FLAGS_W3WP=…`.
'use strict';
const { appendFileSync } = require('node:fs');

const traceFile = process.env.POOLHOST_STARTUP_TRACE || undefined;
/** The startup trace's mark (@poolhost/common's startup-trace), with the real worker's labels where it has them. */
function mark(label, at) {
  if (traceFile !== undefined) appendFileSync(traceFile, `${(performance.timeOrigin + (at ?? performance.now())).toFixed(3)} ${process.pid} ${label}\n`);
}
mark('w3wp process start', 0);
mark('w3wp loader');

const { Socket } = require('node:net');
const http = require('node:http');

// The application, loaded as a worker hosts it: its `listen()` captured (nothing binds), its server fed
// with 'request' events.
let server = null;
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function captured() {
  server = this;
  return this;
};
if (process.env.POOLHOST_SKELETON_APP) require(process.env.POOLHOST_SKELETON_APP);
http.Server.prototype.listen = listen;
mark('w3wp skeleton application loaded');

const argv = process.argv;
const pool = argv[argv.indexOf('-ap') + 1] ?? process.env.APP_POOL_ID ?? '';
const workerId = process.env.POOLHOST_WORKER_ID ?? String(process.pid);
const capacity = Number(process.env.POOLHOST_WORKER_CAPACITY ?? 1000) || 1000;

const control = process.env.POOLHOST_CONTROL_FD ? new Socket({ fd: Number(process.env.POOLHOST_CONTROL_FD), readable: true, writable: true }) : null;
const data = new Socket({ fd: Number(process.env.POOLHOST_DATA_FD ?? 3), readable: true, writable: true });

// Frames: u32 payload length, u8 type, u8 flags, u32 stream id, payload (docs/data-plane.md).
const ATTACH = 1, ATTACHED = 2, REJECTED = 3, REQUEST_HEAD = 4, RESPONSE_HEAD = 7, RESPONSE_BODY = 8, RESPONSE_END = 9, DETACH = 13;
function frame(type, flags, stream, payload) {
  const header = Buffer.allocUnsafe(10);
  header.writeUInt32LE(payload.length, 0);
  header[4] = type;
  header[5] = flags;
  header.writeUInt32LE(stream, 6);
  return payload.length === 0 ? header : Buffer.concat([header, payload]);
}

function attachFrame() {
  const poolBytes = Buffer.from(pool, 'utf8');
  const idBytes = Buffer.from(workerId, 'utf8');
  const payload = Buffer.allocUnsafe(12 + poolBytes.length + idBytes.length);
  payload.writeUInt32LE(process.pid, 0);
  payload.writeUInt32LE(capacity, 4);
  payload.writeUInt16LE(poolBytes.length, 8);
  poolBytes.copy(payload, 10);
  payload.writeUInt16LE(idBytes.length, 10 + poolBytes.length);
  idBytes.copy(payload, 12 + poolBytes.length);
  return frame(ATTACH, process.env.POOLHOST_STANDBY === '1' ? 1 : 0, 0, payload);
}

/** RESPONSE_HEAD: u16 status, u16+reason, u16 header count, per header u16+name, u32+value (latin1). */
function responseHead(stream, status, reason, headers) {
  let size = 2 + 2 + reason.length + 2;
  for (let i = 0; i < headers.length; i += 2) size += 6 + headers[i].length + headers[i + 1].length;
  const payload = Buffer.allocUnsafe(size);
  let at = payload.writeUInt16LE(status, 0);
  at = payload.writeUInt16LE(reason.length, at);
  at += payload.write(reason, at, 'latin1');
  at = payload.writeUInt16LE(headers.length / 2, at);
  for (let i = 0; i < headers.length; i += 2) {
    at = payload.writeUInt16LE(headers[i].length, at);
    at += payload.write(headers[i], at, 'latin1');
    at = payload.writeUInt32LE(headers[i + 1].length, at);
    at += payload.write(headers[i + 1], at, 'latin1');
  }
  return frame(RESPONSE_HEAD, 0, stream, payload);
}

/** The request line's fields the application sees (REQUEST_HEAD: docs/data-plane.md). */
function requestOf(payload) {
  let at = 10; // site id, HTTP major and minor, client and local ports
  const methodLength = payload[at];
  const method = payload.latin1Slice(at + 1, at + 1 + methodLength);
  at += 1 + methodLength;
  at += 1 + payload[at]; // client ip
  at += 1 + payload[at]; // local ip
  at += 2 + payload.readUInt16LE(at); // application path
  const urlLength = payload.readUInt32LE(at);
  const url = payload.latin1Slice(at + 4, at + 4 + urlLength);
  return { method, url, headers: {} };
}

let out = [];
function answer(stream, payload) {
  const request = requestOf(payload);
  const response = {
    statusCode: 200,
    end(body) {
      const bytes = Buffer.from(body ?? '', 'latin1');
      out.push(responseHead(stream, this.statusCode, 'OK', ['Content-Length', String(bytes.length)]));
      if (bytes.length > 0) out.push(frame(RESPONSE_BODY, 0, stream, bytes));
      out.push(frame(RESPONSE_END, 0, stream, Buffer.alloc(0)));
    },
  };
  if (server !== null) server.emit('request', request, response);
  else response.end('hello world');
}

let attached = false;
let ready = false;
let pending = Buffer.alloc(0);
data.on('data', (chunk) => {
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  while (pending.length >= 10) {
    const length = pending.readUInt32LE(0);
    if (pending.length < 10 + length) break;
    const type = pending[4];
    const stream = pending.readUInt32LE(6);
    const payload = pending.subarray(10, 10 + length);
    pending = pending.subarray(10 + length);
    if (type === ATTACHED) attached = true;
    else if (type === REJECTED) process.exit(1);
    else if (type === REQUEST_HEAD) {
      mark('w3wp skeleton request');
      answer(stream, payload);
    } else if (type === DETACH) {
      data.end();
      process.exit(0);
    }
  }
  // The answers to one read go out at its end, in one write (the real worker's flush of the read that
  // brought ATTACHED), and WorkerReady after them.
  if (out.length > 0) {
    data.write(out.length === 1 ? out[0] : Buffer.concat(out));
    out = [];
    mark('w3wp skeleton answered');
  }
  if (attached && !ready) {
    ready = true;
    control?.write(`${JSON.stringify({ message: { type: 'WorkerReady', pid: process.pid, capacity } })}\n`);
  }
});
data.on('close', () => process.exit(75));
data.on('error', () => undefined);

// was's StopWorker is acknowledged and the worker leaves (DETACH, echoed above, then exit 0); its other
// requests (a ping, 30 s after the start) go unanswered. The control connection's close (was gone) ends
// the worker.
if (control !== null) {
  let lines = '';
  control.setEncoding('utf8');
  control.on('data', (chunk) => {
    lines += chunk;
    for (let newline = lines.indexOf('\n'); newline !== -1; newline = lines.indexOf('\n')) {
      const envelope = JSON.parse(lines.slice(0, newline));
      lines = lines.slice(newline + 1);
      if (envelope.seq === undefined || envelope.message?.type !== 'StopWorker') continue;
      control.write(`${JSON.stringify({ re: envelope.seq, message: { type: 'Acknowledged' } })}\n`);
      data.write(frame(DETACH, 0, 0, Buffer.alloc(0)));
    }
  });
  control.on('close', () => process.exit(0));
  control.on('error', () => undefined);
}

mark('w3wp ATTACH');
data.write(attachFrame());

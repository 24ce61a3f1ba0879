// Tiny Node applications the e2e suite hosts, as CommonJS sources written into each instance's folder.

/** Answers with the PID of the worker that served it; `?delay=ms` makes it slow. */
export const pidApp = `
module.exports = (req, res) => {
  const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') || 0);
  setTimeout(() => {
    res.setHeader('content-type', 'text/plain');
    res.end(String(process.pid));
  }, delay);
};
`;

/**
 * pidApp, plus `?mark=NAME`: writes {{root}}/NAME as the request reaches the application (before its delay),
 * so a test acts once a request is in flight in a worker rather than after a guessed pause.
 */
export const markingPidApp = `
const { writeFileSync } = require('node:fs');
const root = ${JSON.stringify('{{root}}')};
module.exports = (req, res) => {
  const query = new URL(req.url, 'http://x').searchParams;
  const mark = query.get('mark');
  if (mark) writeFileSync(root + '/' + mark, '');
  setTimeout(() => {
    res.setHeader('content-type', 'text/plain');
    res.end(String(process.pid));
  }, Number(query.get('delay') || 0));
};
`;

/** Like pidApp, but `/boom` makes the worker exit with code 3 (a crash). */
export const crashingApp = `
module.exports = (req, res) => {
  if (req.url.endsWith('/boom')) {
    res.end('going down');
    setTimeout(() => process.exit(3), 50);
    return;
  }
  res.end(String(process.pid));
};
`;

/** Echoes the request body's byte count and a checksum; `/download?mb=N` streams N MiB. */
export const streamingApp = `
const crypto = require('node:crypto');
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.endsWith('/download')) {
    const total = Number(url.searchParams.get('mb') || 1) * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', String(total));
    const pump = () => {
      while (sent < total) {
        const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!res.write(piece)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
    return;
  }
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; hash.update(chunk); });
  req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
};
`;

/** Blocks its worker for `ms` while loading, so requests pile up in the pool's queue meanwhile. */
export const slowStartingApp = (ms: number): string => `
const until = Date.now() + ${ms};
while (Date.now() < until) {}
module.exports = (req, res) => res.end(String(process.pid));
`;

/** The first worker to load it exits during start-up (before it attaches); later ones serve. */
export const crashOnFirstStartApp = `
const fs = require('node:fs');
const path = require('node:path');
const marker = path.join(__dirname, 'started-once');
if (!fs.existsSync(marker)) {
  fs.writeFileSync(marker, String(process.pid));
  const until = Date.now() + 500;
  while (Date.now() < until) {}
  process.exit(4);
}
module.exports = (req, res) => res.end(String(process.pid));
`;

/** Never finishes loading: the worker cannot become ready. */
export const neverReadyApp = `
const until = Date.now() + 60_000;
while (Date.now() < until) {}
module.exports = (req, res) => res.end('unreachable');
`;

/** `/allocate?mb=N` keeps N MiB of touched memory (private bytes); `/reserve?mb=N` reserves N MiB of address space it never touches (virtual bytes). Otherwise answers its PID. */
export const memoryApp = `
const kept = [];
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  const mb = Number(url.searchParams.get('mb') || 0);
  if (url.pathname.endsWith('/allocate')) kept.push(Buffer.alloc(mb * 1024 * 1024, 1));
  if (url.pathname.endsWith('/reserve')) kept.push(new SharedArrayBuffer(mb * 1024 * 1024));
  res.end(String(process.pid));
};
`;

/** `/events` is a server-sent event stream that never ends by itself (one event every 200 ms); anything else answers the PID. */
export const eventStreamApp = `
module.exports = (req, res) => {
  if (req.url.endsWith('/events')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: ' + process.pid + '\\n\\n');
    const timer = setInterval(() => res.write('data: tick\\n\\n'), 200);
    req.on('close', () => clearInterval(timer));
    return;
  }
  res.end(String(process.pid));
};
`;

/** Serves from its first worker; every later worker fails while loading (so a recycle cannot overlap). */
export const failAfterFirstStartApp = `
const fs = require('node:fs');
const path = require('node:path');
const marker = path.join(__dirname, 'first-worker');
// A later worker dies while starting (a throw would only fail this application: 500.1001, worker up).
if (fs.existsSync(marker)) process.exit(1);
fs.writeFileSync(marker, String(process.pid));
module.exports = (req, res) => res.end(String(process.pid));
`;

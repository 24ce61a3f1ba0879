// A preload for the floor's `node app.js` (demand-start-wall.ts --floor-marks): the startup trace's marks of a
// plain Node start, so that a demand start's parts can be set against the floor's own — the process start,
// its first line, the server listening and the request. Costs the floor ≈0.5 ms of its own
// (perf_hooks' first use and four appends), so the floor's total is read without it.
'use strict';
const { appendFileSync } = require('node:fs');
const traceFile = process.env.POOLHOST_STARTUP_TRACE;
function mark(label, at) {
  appendFileSync(traceFile, `${(performance.timeOrigin + (at ?? performance.now())).toFixed(3)} ${process.pid} ${label}\n`);
}
mark('floor process start', 0);
mark('floor first line');
const http = require('node:http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function marked(...args) {
  this.once('listening', () => mark('floor listening'));
  this.prependListener('request', () => mark('floor request'));
  return listen.apply(this, args);
};

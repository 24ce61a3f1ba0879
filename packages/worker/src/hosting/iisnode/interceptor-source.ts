// poolhost's interceptor: the script each Node process of an iisnode application runs first, in place
// of iisnode's interceptor.js (the `interceptor` attribute's default), written once per worker to the
// run directory. Like iisnode's it drops itself from process.argv, runs the application as the main
// module, and reports an uncaught exception on stderr before the process ends (exit code 1).
// Beyond iisnode: the application's first http.Server listens on the socket in PORT whatever port it
// asked for, and an application that exports a request listener (a function, an Express, Koa or
// Fastify app, { handler }, an http.Server) instead of listening is served from one. A process whose
// w3wp has gone (its IPC channel closed) ends.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const INTERCEPTOR = String.raw`'use strict';
const Module = require('node:module');
const http = require('node:http');
const net = require('node:net');
const { pathToFileURL } = require('node:url');

const entry = process.argv[2];
process.argv.splice(1, 1);
const port = process.env.PORT;

if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.exit(0));
}

let served = false;
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (served || !(this instanceof http.Server)) return listen.apply(this, args);
  served = true;
  const callback = args.findLast((argument) => typeof argument === 'function');
  return callback ? listen.call(this, port, callback) : listen.call(this, port);
};

process.on('uncaughtException', (error) => {
  if (process.listeners('uncaughtException').length === 1) {
    process.stderr.write('Application has thrown an uncaught exception and is terminated:\n' + ((error && error.stack) || String(error)) + '\n');
    process.exit(1);
  }
});

async function targetOf(value, depth) {
  if (!value || depth > 2) return null;
  if (value instanceof http.Server) return value;
  if (typeof value === 'function') return http.createServer(value);
  if (typeof value !== 'object') return null;
  if (value.server instanceof http.Server) {
    if (typeof value.ready === 'function') await value.ready();
    return value.server;
  }
  if (typeof value.callback === 'function' && typeof value.use === 'function') return http.createServer(value.callback());
  if (typeof value.handler === 'function') return http.createServer(value.handler);
  if ('default' in value) return targetOf(value.default, depth + 1);
  return null;
}

async function serveExport() {
  if (served) return;
  const loaded = require.cache[entry];
  let namespace = loaded ? loaded.exports : undefined;
  if (namespace === undefined) {
    try {
      namespace = await import(pathToFileURL(entry).href);
    } catch {
      return;
    }
  }
  if (served) return;
  for (const candidate of [namespace && namespace.default, namespace && namespace.handler, namespace && namespace.app, namespace && namespace.server, namespace]) {
    const server = await targetOf(candidate, 0);
    if (server && !served) {
      server.listen();
      return;
    }
  }
}

process.argv[1] = entry;
Module.runMain();
setImmediate(() => {
  serveExport().catch((error) => {
    process.stderr.write(String((error && error.stack) || error) + '\n');
    process.exit(1);
  });
});
`;

/** Writes the interceptor into `directory` and returns its path. */
export function writeInterceptor(directory: string): string {
  const file = join(directory, 'iisnode-interceptor.cjs');
  writeFileSync(file, INTERCEPTOR);
  return file;
}

// The applications every server runs, written to the bench's work folder. Each is an ordinary Node
// script that calls listen(process.env.PORT): poolhost captures the listen(), plain Node, cluster and
// PM2 bind the port, and behind nginx PORT is a Unix socket path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export type ApplicationName = 'hello' | 'express' | 'stream' | 'upload' | 'static' | 'crash' | 'bulk' | 'echo';

const HELLO = `const server = require('http').createServer((req, res) => { res.end('hello world'); });
server.keepAliveTimeout = 120000; // the idle-connections scenario holds connections open
server.listen(process.env.PORT);
`;

const EXPRESS = (expressPath: string) => `const express = require(${JSON.stringify(expressPath)});
const app = express();
app.get('/', (req, res) => { res.send('hello world'); });
app.listen(process.env.PORT);
`;

// 1 MiB in 16 writes of 64 KiB, no Content-Length (chunked to the client), with backpressure.
const STREAM = `const chunk = Buffer.alloc(64 * 1024, 120);
require('http').createServer((req, res) => {
  res.setHeader('Content-Type', 'application/octet-stream');
  let left = 16;
  const pump = () => {
    while (left > 0) {
      left--;
      if (left === 0) return res.end(chunk);
      if (!res.write(chunk)) return res.once('drain', pump);
    }
  };
  pump();
}).listen(process.env.PORT);
`;

// Reads the whole request body, answers with its size.
const UPLOAD = `require('http').createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => { res.end(String(bytes)); });
}).listen(process.env.PORT);
`;

// Static file server for plain Node (poolhost's application has no script: its static file handler serves the folder).
const STATIC = `const fs = require('fs');
const path = require('path');
require('http').createServer((req, res) => {
  const file = path.join(__dirname, decodeURIComponent(req.url.split('?')[0]));
  fs.stat(file, (error, stat) => {
    if (error || !stat.isFile()) { res.statusCode = 404; return res.end(); }
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': stat.size, 'Last-Modified': stat.mtime.toUTCString() });
    fs.createReadStream(file).pipe(res);
  });
}).listen(process.env.PORT);
`;

// GET /crash ends the process (as an unhandled bug would); anything else answers with the PID.
const CRASH = `require('http').createServer((req, res) => {
  if (req.url.startsWith('/crash')) process.exit(1);
  res.end(String(process.pid));
}).listen(process.env.PORT);
`;

// GET /?bytes=N streams N bytes (reused buffer, backpressure); POST consumes the body and answers its size.
const BULK = `const chunk = Buffer.alloc(64 * 1024, 120);
require('http').createServer((req, res) => {
  if (req.method === 'POST') {
    let bytes = 0;
    req.on('data', (data) => { bytes += data.length; });
    req.on('end', () => res.end(String(bytes)));
    return;
  }
  let left = Number(new URL(req.url, 'http://x').searchParams.get('bytes'));
  res.setHeader('Content-Length', left);
  const pump = () => {
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (left === 0) return res.end(part);
      if (!res.write(part)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}).listen(process.env.PORT);
`;

// A raw TCP echo server (the tcp-echo scenario): a plain net.Server on PORT; under poolhost a net.tcp application.
const ECHO = `require('net').createServer({ noDelay: true }, (socket) => { socket.on('error', () => socket.destroy()); socket.pipe(socket); }).listen(process.env.PORT);
`;

export const STATIC_FILE = 'page.html';
export const STATIC_FILE_BYTES = 50 * 1024;

/** Writes every application under `root/apps/<name>/` and returns the folders. */
export function writeApplications(root: string): Record<ApplicationName, string> {
  const expressPath = require.resolve('express');
  const sources: Record<Exclude<ApplicationName, 'static'>, string> = {
    hello: HELLO,
    express: EXPRESS(expressPath),
    stream: STREAM,
    upload: UPLOAD,
    crash: CRASH,
    bulk: BULK,
    echo: ECHO,
  };
  const folders = {} as Record<ApplicationName, string>;
  for (const [name, source] of Object.entries(sources)) {
    const folder = join(root, 'apps', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'server.js'), source);
    folders[name as ApplicationName] = folder;
  }
  // 1 GiB uploads are over IIS's default maxAllowedContentLength (30,000,000): raised as an IIS
  // administrator raises it for such an application.
  writeFileSync(
    join(folders.bulk, 'web.config'),
    '<?xml version="1.0"?>\n<configuration><system.webServer><security><requestFiltering><requestLimits maxAllowedContentLength="4294967295" /></requestFiltering></security></system.webServer></configuration>\n',
  );
  // static: the content folder (no script, so poolhost serves it with its static file handler) and,
  // beside it, the plain-Node server for the alternatives.
  const content = join(root, 'apps', 'static');
  mkdirSync(content, { recursive: true });
  const line = '<p>poolhost static file benchmark: fifty kilobytes of HTML.</p>\n';
  writeFileSync(join(content, STATIC_FILE), line.repeat(Math.ceil(STATIC_FILE_BYTES / line.length)).slice(0, STATIC_FILE_BYTES));
  folders.static = content;
  const staticServer = join(root, 'apps', 'static-node');
  mkdirSync(staticServer, { recursive: true });
  writeFileSync(join(staticServer, 'server.js'), STATIC.replace('__dirname', JSON.stringify(content)));
  return folders;
}

/** The script plain Node / cluster / PM2 / nginx's backend runs for an application. */
export function scriptOf(folders: Record<ApplicationName, string>, name: ApplicationName): string {
  return name === 'static' ? join(folders.static, '..', 'static-node', 'server.js') : join(folders[name], 'server.js');
}

// A plain TCP client for the net.tcp tests: connect, send, read lines or bytes, see how it ends.
import { connect, type Socket } from 'node:net';
import { waitFor } from '../../support/wait.js';

export interface TcpClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the next line (without its newline), within `timeoutMs`. */
  line(timeoutMs?: number): Promise<string>;
  /** Resolves when the connection is closed, with the error that closed it (ECONNRESET …) if any. */
  closed: Promise<{ error: NodeJS.ErrnoException | null }>;
  write(text: string): void;
  end(): void;
}

export async function tcpConnect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
  const socket = connect({ port, host });
  let buffer = '';
  let consumed = 0;
  let failure: NodeJS.ErrnoException | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (buffer += chunk));
  const closed = new Promise<{ error: NodeJS.ErrnoException | null }>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error));
    socket.on('close', () => resolve({ error: failure }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => buffer,
    async line(timeoutMs = 20_000) {
      await waitFor('a line from the server', () => buffer.indexOf('\n', consumed) >= 0 || socket.destroyed, timeoutMs);
      const newline = buffer.indexOf('\n', consumed);
      if (newline < 0) throw new Error(`the connection closed before a line came (received ${JSON.stringify(buffer.slice(consumed))})`);
      const text = buffer.slice(consumed, newline);
      consumed = newline + 1;
      return text;
    },
    closed,
    write: (text) => void socket.write(text),
    end: () => void socket.end(),
  };
}

/** A net.tcp application: an echo server on process.env.PORT. */
export const echoApp = `
require('node:net').createServer((socket) => socket.pipe(socket)).listen(process.env.PORT);
`;

/** A line protocol: PID answers the worker's pid, PEER the client address the app sees, anything else comes back upper-cased. */
export const lineApp = `
const net = require('node:net');
net.createServer((socket) => {
  socket.setEncoding('utf8');
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line === 'PID') socket.write(process.pid + '\\n');
      else if (line === 'PEER') socket.write(socket.remoteAddress + ' ' + (socket instanceof net.Socket) + '\\n');
      else if (line === 'QUIT') socket.end('BYE\\n');
      else socket.write(line.toUpperCase() + '\\n');
    }
  });
}).listen(process.env.PORT);
`;

/** Connects and waits for the server to close the connection: the error code it closed with (ECONNRESET), or null for a plain close. */
export function tcpRefusal(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let code: string | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection to ${host}:${port} was still open after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => (code = error.code ?? 'error'));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.resume();
  });
}

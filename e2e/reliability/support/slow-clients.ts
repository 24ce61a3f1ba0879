// Hostile slow clients: a slowloris that dribbles its head one byte at a time, a reader that takes a
// response at a trickle, and a pipeliner that sends thousands of requests without reading.
import { connect, type Socket } from 'node:net';

export interface SlowClientResult {
  clientPort: number;
  /** The server closed the connection (rather than the client giving up). */
  closedByServer: boolean;
  /** Time from connect to the server's close (or to giving up). */
  elapsedMs: number;
  bytesSent: number;
  bytesReceived: number;
  response: string;
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends a head that never ends, one byte every `intervalMs`, until the server closes or `giveUpMs` passes. */
export async function slowloris(port: number, intervalMs: number, giveUpMs: number): Promise<SlowClientResult> {
  const socket = await connected(port);
  const started = Date.now();
  const clientPort = socket.localPort ?? 0;
  const head = Buffer.from(`GET /slowloris-${clientPort} HTTP/1.1\r\nHost: localhost\r\n${'X-Slow: ' + 'a'.repeat(100_000)}`, 'latin1');
  let sent = 0;
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearInterval(dribble);
      clearTimeout(giveUp);
      socket.destroy();
      const response = Buffer.concat(chunks).toString('latin1');
      resolve({ clientPort, closedByServer, elapsedMs: Date.now() - started, bytesSent: sent, bytesReceived: response.length, response });
    };
    const dribble = setInterval(() => {
      if (socket.destroyed || sent >= head.length) return;
      socket.write(head.subarray(sent, sent + 1));
      sent++;
    }, intervalMs);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('end', () => finish(true));
  });
}

/** Requests `path` and then reads `bytesPerTick` bytes every `tickMs` (the socket paused in between). */
export async function slowReader(port: number, path: string, bytesPerTick: number, tickMs: number, giveUpMs: number): Promise<SlowClientResult> {
  const socket = await connected(port);
  const started = Date.now();
  const clientPort = socket.localPort ?? 0;
  // A tiny receive window: the kernel buffers as little as it will.
  socket.setNoDelay(true);
  const request = `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  socket.write(request);
  let received = 0;
  let head = '';
  return new Promise((resolve) => {
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearInterval(tick);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ clientPort, closedByServer, elapsedMs: Date.now() - started, bytesSent: request.length, bytesReceived: received, response: head });
    };
    socket.pause();
    const tick = setInterval(() => {
      let chunk: Buffer | null;
      let taken = 0;
      while (taken < bytesPerTick && (chunk = socket.read(Math.min(bytesPerTick - taken, 16_384)) as Buffer | null) !== null) {
        if (head.length < 512) head += chunk.toString('latin1', 0, Math.min(chunk.length, 512));
        taken += chunk.length;
      }
      received += taken;
    }, tickMs);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('end', () => finish(true));
  });
}

/** Writes `count` pipelined GETs on one connection without reading anything; resolves when all are written or the server closes. */
export async function pipelineFlood(port: number, path: string, count: number, giveUpMs: number): Promise<SlowClientResult & { requestsWritten: number }> {
  const socket = await connected(port);
  const started = Date.now();
  const clientPort = socket.localPort ?? 0;
  socket.pause();
  let sent = 0;
  let written = 0;
  return new Promise((resolve) => {
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ clientPort, closedByServer, elapsedMs: Date.now() - started, bytesSent: sent, bytesReceived: 0, response: '', requestsWritten: written });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const pump = (): void => {
      while (written < count && !socket.destroyed) {
        const request = `GET ${path}${path.includes('?') ? '&' : '?'}n=${written} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
        written++;
        sent += request.length;
        if (!socket.write(request)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

// A raw HTTP/2 client for attack tests: frames written by hand over TLS (ALPN h2), so a test can send
// what no well-behaved client library would — floods, endless CONTINUATION, HPACK bombs.
import { connect, type TLSSocket } from 'node:tls';

export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** RFC 7541 §5.1 integer with an N-bit prefix; `first` carries the bits above the prefix. */
export function hpackInteger(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const bytes = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(bytes.length, 7), bytes]);
}

/** A literal field without indexing (new name). */
export function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00]), hpackString(name), hpackString(value)]);
}

/** A literal field with incremental indexing (new name): it enters the dynamic table. */
export function indexedLiteral(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x40]), hpackString(name), hpackString(value)]);
}

/** `GET <path>` over https to `authority`, as a header block. */
export function getBlock(path: string, authority: string): Buffer {
  // :method GET (2), :scheme https (7) from the static table; :path and :authority as literals.
  return Buffer.concat([Buffer.from([0x82, 0x87]), literal(':path', path), literal(':authority', authority)]);
}

export interface RawSession {
  socket: TLSSocket;
  /** Resolves when the server closes the connection (or it errors). */
  closed: Promise<void>;
  /** Every byte received so far. */
  received(): Buffer;
  /** The GOAWAY error code the server sent, if any. */
  goawayCode(): number | null;
}

/** `preface`: what the client opens with (default: the connection preface and an empty SETTINGS). */
export async function rawSession(port: number, servername: string, options: { read?: boolean; preface?: Buffer } = {}): Promise<RawSession> {
  const socket = connect({ host: '127.0.0.1', port, servername, ALPNProtocols: ['h2'], rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  if (socket.alpnProtocol !== 'h2') throw new Error(`ALPN chose ${String(socket.alpnProtocol)}`);
  const chunks: Buffer[] = [];
  if (options.read !== false) socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(options.preface ?? Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0)]));
  return {
    socket,
    closed,
    received: () => Buffer.concat(chunks),
    goawayCode: () => {
      const data = Buffer.concat(chunks);
      for (let at = 0; at + 9 <= data.length; ) {
        const length = data.readUIntBE(at, 3);
        if (data[at + 3] === FrameType.GOAWAY && at + 9 + 8 <= data.length) return data.readUInt32BE(at + 9 + 4);
        at += 9 + length;
      }
      return null;
    },
  };
}

/** Writes `data` in pieces while the socket takes them; stops quietly once the server has closed it. */
export async function writeAll(socket: TLSSocket, pieces: Buffer[]): Promise<void> {
  for (const piece of pieces) {
    if (socket.destroyed || !socket.writable) return;
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
}

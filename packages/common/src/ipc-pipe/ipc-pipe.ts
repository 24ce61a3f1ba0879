// A Unix-socket connection that carries descriptors (SCM_RIGHTS) between two processes that are not
// parent and child. Node sends a socket to another process only over its child_process IPC channel; that
// channel is libuv's IPC pipe, and `process.binding('pipe_wrap')` opens one on any Unix socket: by
// connecting to a path, or on the descriptor of an accepted connection. Messages are text lines; a line
// may carry one TCP socket. The receiver acknowledges every socket ('\x06' line) before the next is sent,
// as Node's own IPC channel does: the kernel delivers a descriptor with the bytes of the write that sent
// it, and libuv hands one over per read, so one in flight keeps each socket with its own line.
import { Socket } from 'node:net';

interface RawPipe {
  open(fd: number): number;
  connect(request: object, path: string): number;
  readStart(): number;
  writeUtf8String(request: object, text: string, handle?: object): number;
  close(callback?: () => void): void;
  ref(): void;
  unref(): void;
  onread: ((arrayBuffer: ArrayBuffer | undefined) => void) | null;
  pendingHandle?: object | null;
  fd: number;
}

interface PipeBinding {
  Pipe: new (type: number) => RawPipe;
  PipeConnectWrap: new () => { oncomplete: (status: number) => void };
  constants: { IPC: number };
}

interface StreamBinding {
  WriteWrap: new () => { handle: RawPipe; oncomplete: (status: number) => void; async: boolean };
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

const binding = process as unknown as { binding(name: string): unknown };
const pipes = binding.binding('pipe_wrap') as PipeBinding;
const streams = binding.binding('stream_wrap') as StreamBinding;

const ACK = '\x06';

interface Outgoing {
  line: string;
  socket: Socket | null;
  sent: (ok: boolean) => void;
}

export class IpcPipe {
  private readonly pipe: RawPipe;
  private received = '';
  private readonly outgoing: Outgoing[] = [];
  /** A socket was written and its acknowledgement has not come yet. */
  private awaitingAck = false;
  private writing = false;
  private closedFlag = false;
  private readonly closeListeners: Array<() => void> = [];
  /** A received socket whose line has not come whole yet. */
  private orphan: Socket | null = null;
  /** The accepted connection whose descriptor this pipe reuses: kept, never closed itself (the pipe closes the descriptor). */
  private readonly owner: Socket | null;

  private constructor(pipe: RawPipe, owner: Socket | null, private readonly onLine: (line: string, socket: Socket | null) => void) {
    this.pipe = pipe;
    this.owner = owner;
    pipe.onread = (arrayBuffer) => this.read(arrayBuffer);
  }

  /** Connects to a Unix socket path; resolves once connected. */
  static connect(path: string, onLine: (line: string, socket: Socket | null) => void): Promise<IpcPipe> {
    const pipe = new pipes.Pipe(pipes.constants.IPC);
    return new Promise((resolve, reject) => {
      const request = new pipes.PipeConnectWrap();
      request.oncomplete = (status) => {
        if (status < 0) {
          pipe.close();
          reject(Object.assign(new Error(`connect ${path} failed (${status})`), { errno: status }));
          return;
        }
        const ipc = new IpcPipe(pipe, null, onLine);
        pipe.readStart();
        resolve(ipc);
      };
      const error = pipe.connect(request, path);
      if (error < 0) {
        pipe.close();
        reject(Object.assign(new Error(`connect ${path} failed (${error})`), { errno: error }));
      }
    });
  }

  /**
   * Takes over an accepted connection (its server must accept with pauseOnConnect, so that nothing has
   * read from it): the connection's descriptor becomes an IPC pipe.
   */
  static adopt(connection: Socket, onLine: (line: string, socket: Socket | null) => void): IpcPipe {
    const fd = (connection as unknown as { _handle: { fd: number } })._handle.fd;
    const pipe = new pipes.Pipe(pipes.constants.IPC);
    const error = pipe.open(fd);
    if (error < 0) throw new Error(`cannot open descriptor ${fd} as an IPC pipe (${error})`);
    const ipc = new IpcPipe(pipe, connection, onLine);
    pipe.readStart();
    return ipc;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  onClose(listener: () => void): void {
    if (this.closedFlag) listener();
    else this.closeListeners.push(listener);
  }

  /** Sends a line (no newline in it), with a TCP socket or none. Resolves true once written; false if the pipe is gone. */
  send(line: string, socket: Socket | null = null): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(false);
    return new Promise((sent) => {
      this.outgoing.push({ line, socket, sent });
      this.flush();
    });
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.pipe.close();
    for (const pending of this.outgoing.splice(0)) pending.sent(false);
    for (const listener of this.closeListeners.splice(0)) listener();
    // The adopted connection's descriptor was closed with the pipe: its own handle is left as it is.
    void this.owner;
  }

  private flush(): void {
    while (!this.writing && !this.closedFlag && this.outgoing.length > 0) {
      const next = this.outgoing[0]!;
      if (next.socket && this.awaitingAck) return;
      this.outgoing.shift();
      const handle = next.socket ? (next.socket as unknown as { _handle: object | null })._handle : undefined;
      if (next.socket && !handle) {
        next.sent(false);
        continue;
      }
      const request = new streams.WriteWrap();
      request.handle = this.pipe;
      request.async = false;
      this.writing = true;
      if (next.socket) this.awaitingAck = true;
      const done = (status: number): void => {
        this.writing = false;
        if (status < 0) {
          next.sent(false);
          this.close();
          return;
        }
        next.sent(true);
        this.flush();
      };
      request.oncomplete = done;
      const error = handle ? this.pipe.writeUtf8String(request, `${next.line}\n`, handle) : this.pipe.writeUtf8String(request, `${next.line}\n`);
      if (error < 0) done(error);
      else if (!streams.streamBaseState[streams.kLastWriteWasAsync]) done(0);
    }
  }

  private read(arrayBuffer: ArrayBuffer | undefined): void {
    const handle = this.pipe.pendingHandle ?? null;
    this.pipe.pendingHandle = null;
    const nread = streams.streamBaseState[streams.kReadBytesOrError]!;
    if (nread < 0 || !arrayBuffer) {
      this.close();
      return;
    }
    if (nread === 0) return;
    const offset = streams.streamBaseState[streams.kArrayBufferOffset]!;
    this.received += Buffer.from(arrayBuffer, offset, nread).toString('utf8');
    let socket = handle ? new Socket({ handle, readable: true, writable: true } as unknown as ConstructorParameters<typeof Socket>[0]) : this.orphan;
    this.orphan = null;
    let newline: number;
    while ((newline = this.received.indexOf('\n')) >= 0) {
      const line = this.received.slice(0, newline);
      this.received = this.received.slice(newline + 1);
      if (line === ACK) {
        this.awaitingAck = false;
        this.flush();
        continue;
      }
      // One socket in flight: it belongs to the first line that is not an acknowledgement.
      const carried = socket;
      socket = null;
      if (carried) void this.send(ACK);
      this.onLine(line, carried);
    }
    // A socket whose line has not come whole yet waits with the rest of it.
    if (socket) this.orphan = socket;
  }
}

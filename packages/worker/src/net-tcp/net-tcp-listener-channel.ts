// The worker's side of the net.tcp data plane: it listens on two Unix sockets of its own (in the pool's
// temp folder), attaches to its pool's connection queue in the net.tcp activator over its persistent
// connection (fd 4 from was), and gives each connection to the application's captured net.Server with
// `emit('connection')`. On the handover socket the activator passes the client's TCP socket itself
// (SCM_RIGHTS; the worker says when it closes one); on the relay socket each connection is a Unix
// connection whose first line names the client's addresses, the client's bytes after it.
import { createServer, Socket, type Server } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { IpcPipe } from '@poolhost/common';
import { ControlChannel, createSocketTransport } from '@poolhost/protocol';
import type { ApplicationTable } from '../hosting/application-table.js';
import { listenForReal } from '../hosting/listen-capture.js';
import type { ExecutingRequest } from '@poolhost/protocol';

interface OpenNetTcpConnection {
  id: number;
  siteId: number;
  applicationPath: string;
  receivedAt: number;
  /** The handover pipe it came over (null: relayed): its close is reported on that pipe only. */
  pipe: IpcPipe | null;
}

/** How long a worker tries to re-attach to a restarted activator before it gives up (exit 75). */
const reattachTimeLimitMs = 60_000;
const reattachRetryMs = 200;

/** The header line is short (two addresses, two ports, a site id); a longer one is not the activator's. */
const maxHeaderBytes = 256;

export class NetTcpListenerChannel {
  private server: Server | null = null;
  private handoverServer: Server | null = null;
  private handover: IpcPipe | null = null;
  private channel: ControlChannel | null = null;
  /** Open connections, with when each arrived and its site and application (`list requests`). */
  private readonly open = new Map<Socket, OpenNetTcpConnection>();
  private nextConnectionId = 0;
  readonly socketPath = join(tmpdir(), `w3wp-${process.pid}.net-tcp.sock`);
  readonly handoverSocketPath = join(tmpdir(), `w3wp-${process.pid}.net-tcp-handover.sock`);
  connectionsServed = 0;
  private attachment: { applicationPool: string; workerId: string } | null = null;
  private closing = false;
  private reattaching = false;

  /**
   * `reconnect`: opens a new connection to the activator's `net-tcp-data` socket after the activator died
   * and poolhost restarted it (null: the worker cannot reach it, `lost` is called at once).
   */
  constructor(
    private readonly applications: ApplicationTable,
    private readonly logger: Logger,
    private readonly lost: () => void,
    private readonly reconnect: (() => Promise<Socket>) | null = null,
  ) {}

  get openConnections(): number {
    return this.open.size;
  }

  /**
   * The open connections as IIS's executing requests (`appcmd list requests`): verb `net.tcp`, the URL
   * `net.tcp://<local address>:<port><application path>`, the age since the worker received it. The id
   * is the pid and a connection number with the top bit set, apart from HTTP request ids.
   */
  executingRequests(now: number, into: ExecutingRequest[]): void {
    for (const [socket, connection] of this.open) {
      const local = socket.localAddress ?? '';
      into.push({
        requestId: `${process.pid.toString(16).padStart(8, '0')}${(0x80000000 + (connection.id % 0x80000000)).toString(16)}`,
        siteId: connection.siteId,
        verb: 'net.tcp',
        url: `net.tcp://${local.includes(':') ? `[${local}]` : local}:${socket.localPort ?? 0}${connection.applicationPath}`,
        clientIp: socket.remoteAddress ?? '',
        stage: 'ExecuteRequestHandler',
        module: 'NetTcpListenerChannel',
        elapsedMs: now - connection.receivedAt,
      });
    }
  }

  async attach(activator: Socket, applicationPool: string, workerId: string): Promise<void> {
    this.server = await this.listen(this.socketPath, { allowHalfOpen: true }, (socket) => this.accept(socket));
    // The handover socket takes one connection, the activator's; nothing reads it before it is an IPC pipe.
    this.handoverServer = await this.listen(this.handoverSocketPath, { pauseOnConnect: true }, (socket) => {
      if (this.handover && !this.handover.closed) {
        socket.destroy();
        return;
      }
      this.handover = IpcPipe.adopt(socket, (line, handedOver) => {
        if (handedOver) this.deliver(handedOver, Number(line), null);
      });
    });
    this.attachment = { applicationPool, workerId };
    await this.attachOver(activator);
    this.logger.info({ socket: this.socketPath }, 'attached to the net.tcp connection queue');
  }

  private async attachOver(activator: Socket): Promise<void> {
    const { applicationPool, workerId } = this.attachment!;
    const channel = new ControlChannel(createSocketTransport(activator), {
      peer: 'nettcpactivator',
      handlers: {},
      onProtocolError: (error) => this.logger.warn({ err: error }, `net.tcp control message rejected: ${error.message}`),
    });
    this.channel = channel;
    channel.onClose(() => {
      if (this.channel === channel) this.activatorLost();
    });
    await channel.request(
      { type: 'AttachNetTcpListenerChannel', applicationPool, pid: process.pid, workerId, socketPath: this.socketPath, handoverSocketPath: this.handoverSocketPath },
      5_000,
    );
  }

  /**
   * The activator died (poolhost restarts it). The connections already handed over are this worker's own
   * sockets and stay open; relayed ones went with the activator. The worker re-attaches to the restarted
   * activator, which connects to the same handover socket again; only when that fails does it end.
   */
  private activatorLost(): void {
    // A channel opened by reattach() that closes again is retried by reattach() itself.
    if (this.closing || this.reattaching) return;
    this.handover?.close();
    if (!this.reconnect) return this.lost();
    this.logger.warn({ connections: this.open.size }, `lost the net.tcp activator; keeping ${this.open.size} open connection(s) and re-attaching`);
    void this.reattach(this.reconnect);
  }

  private async reattach(reconnect: () => Promise<Socket>): Promise<void> {
    this.reattaching = true;
    try {
      await this.reattachWithin(reconnect, Date.now() + reattachTimeLimitMs);
    } finally {
      this.reattaching = false;
    }
  }

  private async reattachWithin(reconnect: () => Promise<Socket>, deadline: number): Promise<void> {
    let lastError: unknown = null;
    while (!this.closing && Date.now() < deadline) {
      try {
        const socket = await reconnect();
        if (this.closing) {
          socket.destroy();
          return;
        }
        await this.attachOver(socket);
        this.logger.info({ connections: this.open.size }, 'attached again to the restarted net.tcp activator');
        return;
      } catch (error) {
        lastError = error;
        // An attach left unanswered: that connection is given up before the next one is tried.
        if (this.channel && !this.channel.closed) this.channel.close();
        const code = (error as NodeJS.ErrnoException).code;
        // Not allowed to reach the run directory (a SpecificUser identity): nothing to wait for.
        if (code === 'EACCES' || code === 'EPERM') break;
        await new Promise((resolve) => setTimeout(resolve, reattachRetryMs).unref());
      }
    }
    if (this.closing) return;
    this.logger.error({ err: lastError }, 'could not re-attach to the net.tcp activator');
    this.lost();
  }

  /** No new connection comes (stop, recycle); the open ones stay until they end or close(). */
  async detach(): Promise<void> {
    const channel = this.channel;
    if (!channel || channel.closed) return;
    try {
      await channel.request({ type: 'DetachNetTcpListenerChannel' }, 2_000);
    } catch (error) {
      this.logger.warn({ err: error }, 'the net.tcp activator did not confirm the detach');
    }
  }

  /** Resolves when every open connection has ended, or at `deadline` (ms since the epoch). */
  async drain(deadline: number): Promise<void> {
    while (this.open.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        timer.unref();
        for (const socket of this.open.keys()) socket.once('close', () => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): void {
    this.closing = true;
    for (const socket of this.open.keys()) socket.destroy();
    this.server?.close();
    this.handoverServer?.close();
    this.handover?.close();
    this.channel?.close();
    rmSync(this.socketPath, { force: true });
    rmSync(this.handoverSocketPath, { force: true });
  }

  private async listen(path: string, options: { allowHalfOpen?: boolean; pauseOnConnect?: boolean }, onConnection: (socket: Socket) => void): Promise<Server> {
    rmSync(path, { force: true });
    const server = createServer(options, onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      listenForReal(server, path, () => {
        server.off('error', reject);
        chmodSync(path, 0o600);
        resolve();
      });
    });
    return server;
  }

  // One header line, then the client's bytes: `remoteAddress remotePort localAddress localPort siteId`.
  private accept(socket: Socket): void {
    let header: Buffer = Buffer.alloc(0);
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        header = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
        const newline = header.indexOf(10);
        if (newline < 0) {
          if (header.length > maxHeaderBytes) socket.destroy();
          continue;
        }
        socket.removeListener('readable', onReadable);
        const rest = header.subarray(newline + 1);
        if (rest.length > 0) socket.unshift(rest);
        const [remoteAddress = '', remotePort = '0', localAddress = '', localPort = '0', siteId = '0'] = header.subarray(0, newline).toString('latin1').split(' ');
        this.deliver(socket, Number(siteId), { remoteAddress, remotePort, localAddress, localPort });
        return;
      }
    };
    socket.on('readable', onReadable);
    socket.on('error', () => undefined);
  }

  /** `relayed`: the client's addresses from the relay's header line; null for a handed-over socket, which has its own. */
  private deliver(socket: Socket, siteId: number, relayed: { remoteAddress: string; remotePort: string; localAddress: string; localPort: string } | null): void {
    const application = this.applications.netTcp.get(siteId);
    const server = application?.tcpServer;
    if (!server) {
      this.logger.warn({ siteId }, `a net.tcp connection for site ${siteId} arrived and no application of this worker listens for it`);
      socket.destroy();
      if (!relayed) void this.handover?.send(`closed ${siteId}`);
      return;
    }
    if (relayed) {
      // The application sees the TCP client's addresses, as under a plain net.Server.
      const { remoteAddress, remotePort, localAddress, localPort } = relayed;
      Object.defineProperties(socket, {
        remoteAddress: { value: remoteAddress, configurable: true },
        remotePort: { value: Number(remotePort), configurable: true },
        remoteFamily: { value: remoteAddress.includes(':') ? 'IPv6' : 'IPv4', configurable: true },
        localAddress: { value: localAddress, configurable: true },
        localPort: { value: Number(localPort), configurable: true },
      });
    } else {
      socket.on('error', () => undefined);
      const noDelay = (server as Server & { noDelay?: boolean }).noDelay;
      if (noDelay) socket.setNoDelay(true);
    }
    socket.allowHalfOpen = (server as Server & { allowHalfOpen?: boolean }).allowHalfOpen ?? false;
    this.open.set(socket, { id: this.nextConnectionId++, siteId, applicationPath: application?.path ?? '/', receivedAt: Date.now(), pipe: relayed ? null : this.handover });
    this.connectionsServed++;
    socket.once('close', () => {
      const pipe = this.open.get(socket)?.pipe;
      this.open.delete(socket);
      // Told to the activator that gave it; one restarted since never counted it.
      if (pipe && pipe === this.handover && !pipe.closed) void pipe.send(`closed ${siteId}`);
    });
    server.emit('connection', socket);
  }
}

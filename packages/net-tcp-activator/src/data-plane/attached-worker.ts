// A worker attached to a pool's net.tcp connections and the connections given to it. With a handover
// connection (the default), each client's TCP socket itself is passed to the worker (SCM_RIGHTS) and the
// activator keeps no copy. Without one, each TCP connection gets its own Unix-socket connection to the
// worker, opened with one header line (the client's and the binding's addresses) and then raw bytes both
// ways, with backpressure (stream.pipe) and half-close carried through.
import { createConnection, type Socket } from 'node:net';
import type { IpcPipe } from '@poolhost/common';
import type { ControlChannel } from '@poolhost/protocol';

export class AttachedWorker {
  /** Connections relayed to this worker and still open. */
  openConnections = 0;
  /** The same, by site id (counters: current connections per site). */
  readonly openBySite = new Map<number, number>();
  connectionsServed = 0;
  /** Detached (stopping or recycled): takes no new connection; its open ones stay until they end. */
  detached = false;
  /**
   * The worker's handover connection: each client socket itself goes over it (SCM_RIGHTS) and the
   * activator is out of the byte path; the worker sends a line for every connection it closes.
   */
  handover: IpcPipe | null = null;

  constructor(
    readonly applicationPool: string,
    readonly pid: number,
    readonly workerId: string,
    readonly socketPath: string,
    readonly channel: ControlChannel,
  ) {}

  /**
   * Relays `client` to this worker. Resolves true once the worker's socket accepted the connection;
   * false when it could not be reached (it died): the client is untouched and can go to another worker.
   */
  relay(client: Socket, siteId: number): Promise<boolean> {
    // Counted at once, so least-connections sees the connections still being relayed.
    this.opened(siteId);
    if (this.handover && !this.handover.closed) return this.handOver(this.handover, client, siteId);
    return new Promise((resolve) => {
      const upstream = createConnection({ path: this.socketPath, allowHalfOpen: true });
      upstream.once('error', () => {
        this.closed(siteId);
        resolve(false);
      });
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        this.connectionsServed++;
        upstream.write(`${client.remoteAddress ?? ''} ${client.remotePort ?? 0} ${client.localAddress ?? ''} ${client.localPort ?? 0} ${siteId}\n`);
        let closed = false;
        const close = (): void => {
          if (closed) return;
          closed = true;
          this.closed(siteId);
          client.destroy();
          upstream.destroy();
        };
        // A worker that dies takes its connections with it; a client that goes away ends the worker's side.
        upstream.on('error', close).on('close', close);
        client.on('error', close).on('close', close);
        client.pipe(upstream);
        upstream.pipe(client);
        resolve(true);
      });
    });
  }

  /** The client's socket goes to the worker; the activator's copy is closed once it is on its way. */
  private async handOver(handover: IpcPipe, client: Socket, siteId: number): Promise<boolean> {
    const sent = await handover.send(String(siteId), client);
    if (!sent) {
      this.closed(siteId);
      return false;
    }
    this.connectionsServed++;
    client.destroy();
    return true;
  }

  /** The worker closed a handed-over connection: its line is `closed <siteId>`. */
  handedOverConnectionClosed(line: string): void {
    if (this.openConnections > 0) this.closed(Number(line.slice(7)));
  }

  private opened(siteId: number): void {
    this.openConnections++;
    this.openBySite.set(siteId, (this.openBySite.get(siteId) ?? 0) + 1);
  }

  private closed(siteId: number): void {
    this.openConnections--;
    const open = this.openBySite.get(siteId);
    if (open !== undefined && open > 0) this.openBySite.set(siteId, open - 1);
  }
}

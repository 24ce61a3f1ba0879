// The listening sockets: one per distinct (ip, port) of the bindings. Reconciled on each ApplyUrlGroups:
// new endpoints are opened, unneeded ones stop listening, and no other endpoint's connections are touched.
// With a socket source (poolhost) the sockets are the source's, and outlive this process.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { listenEndpointKey, type ListenSocketHandle } from '@poolhost/protocol';
import type { ListenEndpoint } from '../routing/routing-table.js';
import type { ListenSocketSource } from './listen-socket-source.js';
import type { AcceptedTcpHandle } from '../ssl/tls-front.js';

/** An https endpoint's accepted connection, taken from the listening handle before net.Server wraps it in a `net.Socket`. */
export type SecureHandleAcceptor = (handle: AcceptedTcpHandle, endpoint: string, onClose: () => void) => void;

type OnConnection = (this: unknown, status: number, clientHandle?: AcceptedTcpHandle) => void;

/** Connections of one listening socket (HTTP Service Url Groups' CurrentConnections, by endpoint). */
export interface EndpointCounters {
  endpoint: string;
  currentConnections: number;
  totalConnections: number;
}

interface OpenEndpoint {
  key: string;
  server: Server;
  /** https: accepted sockets go through the TLS front. Flipped in place when the bindings change protocol. */
  secure: boolean;
  /** proxyProtocol="required": accepted sockets open with a PROXY header. Flipped in place as `secure` is. */
  proxyProtocol: boolean;
  currentConnections: number;
  totalConnections: number;
}

export interface EndpointFailure {
  endpoint: string;
  code: string;
  message: string;
}

export function endpointKey(endpoint: ListenEndpoint): string {
  return listenEndpointKey(endpoint.ip, endpoint.port);
}

export class EndpointSet {
  private readonly open = new Map<string, OpenEndpoint>();
  /** Reconciliations run one after the other: two at once would open the same endpoint twice. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly onConnection: (socket: Socket, endpoint: string, secure: boolean, proxyProtocol: boolean) => void,
    private readonly logger: Logger,
    private readonly source: ListenSocketSource | null = null,
    /**
     * https endpoints without a PROXY header: connections go straight from the listening handle to the TLS
     * front, with no `net.Socket` (tls-front.ts, acceptHandle). Others take net.Server's 'connection'.
     */
    private readonly onSecureHandle: SecureHandleAcceptor | null = null,
  ) {}

  /** The bindings' endpoints, kept while paused so that resume() listens where the configuration says. */
  private wanted: readonly ListenEndpoint[] = [];
  private paused = false;

  /** Opens what is missing, closes what is no longer wanted; failures (port in use…) are reported, not thrown. */
  apply(wanted: readonly ListenEndpoint[]): Promise<EndpointFailure[]> {
    this.wanted = wanted;
    return this.enqueue(this.paused ? [] : wanted);
  }

  /**
   * A drained host listens nowhere, whatever the configuration changes meanwhile. Resolves once no copy of
   * a listening socket is left open, here or in poolhost: from then on a connect is refused.
   */
  pause(): Promise<EndpointFailure[]> {
    this.paused = true;
    return this.enqueue([]);
  }

  resume(): Promise<EndpointFailure[]> {
    this.paused = false;
    return this.enqueue(this.wanted);
  }

  private enqueue(wanted: readonly ListenEndpoint[]): Promise<EndpointFailure[]> {
    const applied = this.applying.then(() => this.reconcile(wanted));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  private async reconcile(wanted: readonly ListenEndpoint[]): Promise<EndpointFailure[]> {
    const wantedKeys = new Map(wanted.map((endpoint) => [endpointKey(endpoint), endpoint]));
    for (const [key, endpoint] of this.open) {
      const wantedEndpoint = wantedKeys.get(key);
      if (wantedEndpoint) {
        if ((wantedEndpoint.secure === true) !== endpoint.secure) {
          endpoint.secure = wantedEndpoint.secure === true;
          this.logger.info({ endpoint: key }, `${key} now serves ${endpoint.secure ? 'https' : 'http'}`);
        }
        if ((wantedEndpoint.proxyProtocol === true) !== endpoint.proxyProtocol) {
          endpoint.proxyProtocol = wantedEndpoint.proxyProtocol === true;
          this.logger.info({ endpoint: key }, `${key} ${endpoint.proxyProtocol ? 'now requires' : 'no longer reads'} a PROXY protocol header on each connection`);
        }
        continue;
      }
      this.open.delete(key);
      // Closes the listening descriptor now (libuv's uv_close); the callback would wait for the connections.
      endpoint.server.close();
      this.logger.info({ endpoint: key }, `stopped listening on ${key}`);
    }
    const failures: EndpointFailure[] = [];
    await Promise.all(
      [...wantedKeys].map(async ([key, endpoint]) => {
        if (this.open.has(key)) return;
        try {
          const { server, openedBy } = await this.listen(endpoint);
          const entry: OpenEndpoint = {
            key,
            server,
            secure: endpoint.secure === true,
            proxyProtocol: endpoint.proxyProtocol === true,
            currentConnections: 0,
            totalConnections: 0,
          };
          // One listener per endpoint, not a `once` closure per connection (~250 B each with 10,000 idle
          // connections; docs/performance.md).
          const onSocketClose = (): void => {
            entry.currentConnections--;
          };
          server.on('connection', (socket: Socket) => {
            entry.currentConnections++;
            entry.totalConnections++;
            socket.on('close', onSocketClose);
            this.onConnection(socket, key, entry.secure, entry.proxyProtocol);
          });
          const listenHandle = (server as unknown as { _handle: { onconnection: OnConnection } | null })._handle;
          const onSecureHandle = this.onSecureHandle;
          if (listenHandle && onSecureHandle) {
            const nodeOnConnection = listenHandle.onconnection;
            // Node's own onconnection still takes errors, http and PROXY-protocol endpoints (read per
            // connection: `secure` and `proxyProtocol` flip in place).
            listenHandle.onconnection = function onconnection(status, clientHandle) {
              if (status !== 0 || !clientHandle || !entry.secure || entry.proxyProtocol) {
                nodeOnConnection.call(this, status, clientHandle);
                return;
              }
              entry.currentConnections++;
              entry.totalConnections++;
              onSecureHandle(clientHandle, key, onSocketClose);
            };
          }
          server.on('error', (error) => this.logger.error({ err: error, endpoint: key }, `listener ${key} failed`));
          this.open.set(key, entry);
          this.logger.info(
            { endpoint: key, openedBy, secure: endpoint.secure },
            `listening on ${key}${endpoint.secure ? ' (https)' : ''}${endpoint.proxyProtocol ? ' (PROXY protocol required)' : ''}${openedBy === 'httpsys' ? '' : ` (socket held by poolhost, opened by ${openedBy})`}`,
          );
        } catch (error) {
          const failure = error as NodeJS.ErrnoException;
          const message =
            failure.code === 'EADDRINUSE'
              ? `${key} is being used by another process`
              : failure.code === 'EACCES'
                ? `${key}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)`
                : `${key}: ${failure.message}`;
          this.logger.error({ err: error, endpoint: key }, `cannot listen on ${message}`);
          failures.push({ endpoint: key, code: failure.code ?? 'Error', message });
        }
      }),
    );
    // poolhost closes its copies of the others before it answers: until then the kernel still completes
    // handshakes into them, so a reconciliation (and pause()) ends only after that.
    await this.source?.applied([...this.open.keys()]);
    return failures;
  }

  private async listen(endpoint: ListenEndpoint): Promise<{ server: Server; openedBy: string }> {
    if (this.source) {
      const { handle, openedBy } = await this.source.acquire(endpoint);
      return { server: await listenOn(handle), openedBy };
    }
    if (endpoint.ip !== '*') return { server: await listenOn({ host: endpoint.ip, port: endpoint.port }), openedBy: 'httpsys' };
    try {
      // `*` on a dual-stack host: one IPv6 socket takes IPv4 too.
      return { server: await listenOn({ host: '::', port: endpoint.port }), openedBy: 'httpsys' };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') return { server: await listenOn({ host: '0.0.0.0', port: endpoint.port }), openedBy: 'httpsys' };
      throw error;
    }
  }

  /** The port actually bound (for endpoints opened with port 0 in tests). */
  address(key: string): number | null {
    const address = this.open.get(key)?.server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  counters(): EndpointCounters[] {
    return [...this.open.values()].map((entry) => ({
      endpoint: entry.key,
      currentConnections: entry.currentConnections,
      totalConnections: entry.totalConnections,
    }));
  }

  async closeAll(): Promise<void> {
    const servers = [...this.open.values()].map((entry) => entry.server);
    this.open.clear();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

const LISTEN_BACKLOG = 65_535;

/** Listens on (host, port), or on a socket someone else opened (its handle; listen(2) again is harmless). */
function listenOn(target: { host: string; port: number } | ListenSocketHandle): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Half-open: a client that sends FIN after its request still gets the response (ClientConnection).
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    server.once('error', reject);
    const listening = (): void => {
      server.off('error', reject);
      resolve(server);
    };
    // HTTP.SYS accepts on its own; with Node's 511 a burst of connects overflowed the accept queue and
    // clients whose handshake was dropped believed they were connected. The kernel caps it (somaxconn).
    if ('host' in target) server.listen({ host: target.host, port: target.port, ipv6Only: false, backlog: LISTEN_BACKLOG }, listening);
    else server.listen(target, LISTEN_BACKLOG, listening);
  });
}

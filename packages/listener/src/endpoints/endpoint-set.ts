// The listening sockets: one per distinct (ip, port) of the bindings. Reconciled on each ApplyUrlGroups:
// new endpoints are opened, unneeded ones stop listening, and no other endpoint's connections are touched.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenEndpoint } from '../routing/routing-table.js';
import type { EndpointCounters } from '../counters/listener-counters.js';

interface OpenEndpoint {
  key: string;
  server: Server;
  currentConnections: number;
  totalConnections: number;
}

export interface EndpointFailure {
  endpoint: string;
  code: string;
  message: string;
}

export function endpointKey(endpoint: ListenEndpoint): string {
  return endpoint.ip === '*' ? `*:${endpoint.port}` : endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}

export class EndpointSet {
  private readonly open = new Map<string, OpenEndpoint>();

  constructor(private readonly onConnection: (socket: Socket) => void, private readonly logger: Logger) {}

  /** Opens what is missing, closes what is no longer wanted; failures (port in use…) are reported, not thrown. */
  async apply(wanted: readonly ListenEndpoint[]): Promise<EndpointFailure[]> {
    const wantedKeys = new Map(wanted.map((endpoint) => [endpointKey(endpoint), endpoint]));
    for (const [key, endpoint] of this.open) {
      if (wantedKeys.has(key)) continue;
      this.open.delete(key);
      endpoint.server.close();
      this.logger.info({ endpoint: key }, `stopped listening on ${key}`);
    }
    const failures: EndpointFailure[] = [];
    await Promise.all(
      [...wantedKeys].map(async ([key, endpoint]) => {
        if (this.open.has(key)) return;
        try {
          const server = await this.listen(endpoint);
          const entry: OpenEndpoint = { key, server, currentConnections: 0, totalConnections: 0 };
          // One listener per endpoint, not a `once` closure per connection (~250 B each with 10,000 idle
          // connections; docs/performance.md).
          const onSocketClose = (): void => {
            entry.currentConnections--;
          };
          server.on('connection', (socket: Socket) => {
            entry.currentConnections++;
            entry.totalConnections++;
            socket.on('close', onSocketClose);
            this.onConnection(socket);
          });
          server.on('error', (error) => this.logger.error({ err: error, endpoint: key }, `listener ${key} failed`));
          this.open.set(key, entry);
          this.logger.info({ endpoint: key }, `listening on ${key}`);
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
    return failures;
  }

  private async listen(endpoint: ListenEndpoint): Promise<Server> {
    if (endpoint.ip !== '*') return listenOn(endpoint.ip, endpoint.port, false);
    try {
      // `*` on a dual-stack host: one IPv6 socket takes IPv4 too.
      return await listenOn('::', endpoint.port, false);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') return listenOn('0.0.0.0', endpoint.port, false);
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

function listenOn(host: string, port: number, ipv6Only: boolean): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Half-open: a client that sends FIN after its request still gets the response (ClientConnection).
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    server.once('error', reject);
    // HTTP.SYS accepts on its own; with Node's 511 a burst of connects overflowed the accept queue and
    // clients whose handshake was dropped believed they were connected. The kernel caps it (somaxconn).
    server.listen({ host, port, ipv6Only, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

// The listening sockets of the net.tcp bindings: one per distinct address and port, each routing to its
// site's net.tcp application and so to that application's pool queue. Opened, kept and closed to match
// the site configuration from was, like httpsys's endpoints for http. Connections are accepted paused:
// nothing is read until a worker takes them.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@poolhost/common';
import type { ApplySiteConfiguration } from '@poolhost/protocol';

export interface TcpRoute {
  siteId: number;
  siteName: string;
  /** The site's application that enabled net.tcp; null: connections are refused (no application). */
  applicationPool: string | null;
}

interface Endpoint {
  key: string;
  server: Server;
  route: TcpRoute;
}

export class TcpEndpoints {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Connections refused because the binding's site has no application with net.tcp enabled. */
  refusedNoApplication = 0;

  constructor(private readonly onConnection: (socket: Socket, route: TcpRoute) => void, private readonly logger: Logger) {}

  /** Opens, re-routes and closes listeners to match `configuration`; returns what could not be opened. */
  async apply(configuration: ApplySiteConfiguration): Promise<string[]> {
    const wanted = new Map<string, { host: string; port: number; route: TcpRoute }>();
    for (const site of configuration.sites) {
      if (!site.serverAutoStart) continue;
      const application = site.applications[0];
      const route: TcpRoute = { siteId: site.id, siteName: site.name, applicationPool: application?.applicationPool ?? null };
      for (const binding of site.bindings) {
        const host = binding.ip === '*' ? '::' : binding.ip;
        wanted.set(`${host}|${binding.port}`, { host, port: binding.port, route });
      }
    }
    for (const [key, endpoint] of this.endpoints) {
      if (wanted.has(key)) continue;
      endpoint.server.close();
      this.endpoints.delete(key);
      this.logger.info({ endpoint: key }, `net.tcp endpoint ${key} closed`);
    }
    const problems: string[] = [];
    for (const [key, { host, port, route }] of wanted) {
      const existing = this.endpoints.get(key);
      if (existing) {
        existing.route = route;
        continue;
      }
      try {
        const endpoint: Endpoint = { key, route, server: await this.listen(host, port, () => endpoint.route) };
        this.endpoints.set(key, endpoint);
        this.logger.info({ endpoint: key, site: route.siteName, pool: route.applicationPool }, `net.tcp endpoint ${host === '::' ? '*' : host}:${port} of site '${route.siteName}' listening`);
      } catch (error) {
        const message = `net.tcp binding ${port}:${host === '::' ? '*' : host} of site '${route.siteName}' cannot listen: ${error instanceof Error ? error.message : String(error)}`;
        this.logger.error({ err: error }, message);
        problems.push(message);
      }
    }
    return problems;
  }

  /** The routes of the open endpoints (counters). */
  routes(): TcpRoute[] {
    return [...this.endpoints.values()].map((endpoint) => endpoint.route);
  }

  closeAll(): void {
    for (const endpoint of this.endpoints.values()) endpoint.server.close();
    this.endpoints.clear();
  }

  private listen(host: string, port: number, route: () => TcpRoute): Promise<Server> {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (socket) => {
      const target = route();
      if (target.applicationPool === null) {
        this.refusedNoApplication++;
        socket.resetAndDestroy();
        return;
      }
      this.onConnection(socket, target);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}

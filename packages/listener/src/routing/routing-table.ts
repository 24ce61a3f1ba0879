// Binding -> site with HTTP.SYS host-specifier precedence (reference §4.6 step 2): explicit host name
// (an IP-specific binding before `*`; then IIS 10's wildcard host header `*.parent`) -> IP-bound weak wildcard (the local address the request came in
// on) -> weak wildcard `*`. Built once per ApplyUrlGroups; a lookup is two or three Map probes.
import { SSL_FLAG_DISABLE_TLS13 } from '@poolhost/config';
import type { HstsSettings, UrlGroup } from '@poolhost/protocol';
import { ApplicationMatcher } from './application-matcher.js';
import { SiteCounterTable, type SiteCounters } from '../counters/listener-counters.js';

export interface SiteRoute {
  siteId: number;
  siteName: string;
  /** A stopped site's bindings still answer, with 404. */
  started: boolean;
  connectionTimeout: number;
  maxUrlSegments: number;
  maxConnections: number;
  /** Bytes per second for the site's responses (UINT_MAX: unlimited). */
  maxBandwidth: number;
  applications: ApplicationMatcher;
  /** The Strict-Transport-Security value for the site's https responses (`<hsts enabled>`), null: none. */
  strictTransportSecurity: string | null;
  /** `<hsts redirectHttpToHttps>`: httpsys answers the site's http requests with a 301 to https. */
  redirectHttpToHttps: boolean;
  /** The site's Web Service counters (kept across routing tables). */
  counters: SiteCounters;
}

class PortRoutes {
  /** host -> (binding ip or `*`) -> site */
  readonly explicitHosts = new Map<string, Map<string, SiteRoute>>();
  readonly ipBound = new Map<string, SiteRoute>();
  wildcard: SiteRoute | null = null;
  /** Some binding's host is a wildcard host header (`*.contoso.com`): a name with no exact binding tries its parent's. */
  private wildcardHosts = false;

  add(ip: string, host: string, site: SiteRoute): void {
    if (host) {
      if (host.startsWith('*.')) this.wildcardHosts = true;
      let byIp = this.explicitHosts.get(host);
      if (!byIp) this.explicitHosts.set(host, (byIp = new Map()));
      setPreferringStarted(byIp, ip, site);
    } else if (ip === '*') {
      if (!this.wildcard || !this.wildcard.started) this.wildcard = site;
    } else {
      setPreferringStarted(this.ipBound, ip, site);
    }
  }

  lookup(localAddress: string, host: string): SiteRoute | null {
    if (host) {
      const byIp = this.explicitHosts.get(host);
      if (byIp) {
        const site = byIp.get(localAddress) ?? byIp.get('*');
        if (site) return site;
      }
      if (this.wildcardHosts) {
        const site = this.lookUpWildcardHost(localAddress, host);
        if (site) return site;
      }
    }
    return this.ipBound.get(localAddress) ?? this.wildcard;
  }

  /** IIS 10's wildcard host header: `*.contoso.com` takes `www.contoso.com` (one label, as its certificate would). */
  private lookUpWildcardHost(localAddress: string, host: string): SiteRoute | null {
    const dot = host.indexOf('.');
    if (dot <= 0) return null;
    const byIp = this.explicitHosts.get(`*${host.slice(dot)}`);
    return byIp ? (byIp.get(localAddress) ?? byIp.get('*') ?? null) : null;
  }
}

// Two sites with the same binding cannot both be started (IIS refuses the second); a stopped one may share it.
function setPreferringStarted(map: Map<string, SiteRoute>, key: string, site: SiteRoute): void {
  const existing = map.get(key);
  if (!existing || (!existing.started && site.started)) map.set(key, site);
}

/** `max-age=N[; includeSubDomains][; preload]` (RFC 6797 §6.1). */
function strictTransportSecurity(hsts: HstsSettings): string {
  return `max-age=${hsts.maxAge}${hsts.includeSubDomains ? '; includeSubDomains' : ''}${hsts.preload ? '; preload' : ''}`;
}

/** `sslFlags` bit 4 on an https binding (`disablehttp2=enable` in netsh's words). */
export const SSL_FLAG_DISABLE_HTTP2 = 4;

export interface ListenEndpoint {
  /** `*` or a literal address. */
  ip: string;
  port: number;
  /** An https binding's port: connections are TLS, terminated by httpsys (absent: http). */
  secure?: boolean;
  /** The port's bindings say proxyProtocol="required": each connection opens with a PROXY header. */
  proxyProtocol?: boolean;
}

/** A binding that cannot be served: its port already carries the other protocol. */
export interface BindingConflict {
  siteName: string;
  binding: string;
  reason: string;
}

let tablesBuilt = 0;

export class RoutingTable {
  /** Which table this is (each ApplyUrlGroups builds a new one): what a connection's remembered site was found under. */
  readonly generation = ++tablesBuilt;
  private readonly ports = new Map<number, PortRoutes>();
  /** One protocol per port, as HTTP.SYS: TLS or cleartext is decided before any byte is parsed. */
  private readonly securePorts = new Map<number, boolean>();
  /** https ports and whether their bindings disable TLS 1.3 (sslFlags 32): one answer per listening socket. */
  private readonly tls13DisabledByPort = new Map<number, boolean>();
  /** Ports and whether their connections open with a PROXY protocol header (`proxyProtocol="required"`). */
  private readonly proxyProtocolByPort = new Map<number, boolean>();
  readonly sites: SiteRoute[] = [];
  readonly conflicts: BindingConflict[] = [];
  /** `port|host` of each https binding -> its sslFlags turn HTTP/2 off (bit 4, `disablehttp2`). */
  private readonly http2Disabled = new Map<string, boolean>();

  constructor(urlGroups: readonly UrlGroup[], siteCounters: SiteCounterTable = new SiteCounterTable()) {
    for (const group of urlGroups) {
      const site: SiteRoute = {
        siteId: group.siteId,
        siteName: group.siteName,
        started: group.state === 'Started',
        connectionTimeout: group.connectionTimeout,
        maxUrlSegments: group.maxUrlSegments,
        maxConnections: group.maxConnections,
        maxBandwidth: group.maxBandwidth,
        applications: new ApplicationMatcher(group.applications),
        strictTransportSecurity: group.hsts?.enabled ? strictTransportSecurity(group.hsts) : null,
        redirectHttpToHttps: group.hsts?.enabled === true && group.hsts.redirectHttpToHttps,
        counters: siteCounters.get(group.siteId, group.siteName),
      };
      this.sites.push(site);
      for (const binding of group.bindings) {
        const protocol = binding.protocol.toLowerCase();
        if (protocol !== 'http' && protocol !== 'https') continue;
        const secure = protocol === 'https';
        const portSecure = this.securePorts.get(binding.port);
        if (portSecure === undefined) this.securePorts.set(binding.port, secure);
        else if (portSecure !== secure) {
          this.conflicts.push({
            siteName: group.siteName,
            binding: `${protocol}/${binding.bindingInformation}`,
            reason: `port ${binding.port} already has ${portSecure ? 'https' : 'http'} bindings; one port serves one protocol`,
          });
          continue;
        }
        const proxied = binding.proxyProtocol === 'required';
        const portProxied = this.proxyProtocolByPort.get(binding.port);
        if (portProxied === undefined) this.proxyProtocolByPort.set(binding.port, proxied);
        else if (portProxied !== proxied) {
          // packages/config refuses such a file; a descriptor from elsewhere is refused here the same way.
          this.conflicts.push({
            siteName: group.siteName,
            binding: `${protocol}/${binding.bindingInformation}`,
            reason: `port ${binding.port} already has bindings ${portProxied ? 'with' : 'without'} proxyProtocol="required"; the PROXY header is read per port`,
          });
          continue;
        }
        if (secure) {
          const disableTls13 = ((binding.sslFlags ?? 0) & SSL_FLAG_DISABLE_TLS13) !== 0;
          const portDisables = this.tls13DisabledByPort.get(binding.port);
          if (portDisables === undefined) this.tls13DisabledByPort.set(binding.port, disableTls13);
          else if (portDisables !== disableTls13) {
            // packages/config refuses such a file; a descriptor from elsewhere is refused here the same way.
            this.conflicts.push({
              siteName: group.siteName,
              binding: `${protocol}/${binding.bindingInformation}`,
              reason: `port ${binding.port} already has https bindings ${portDisables ? 'without' : 'with'} TLS 1.3 (sslFlags 32); the TLS version is chosen per port`,
            });
            continue;
          }
          const key = `${binding.port}|${binding.host.toLowerCase()}`;
          const disabled = ((binding.sslFlags ?? 0) & SSL_FLAG_DISABLE_HTTP2) !== 0;
          this.http2Disabled.set(key, (this.http2Disabled.get(key) ?? false) || disabled);
        }
        let port = this.ports.get(binding.port);
        if (!port) this.ports.set(binding.port, (port = new PortRoutes()));
        port.add(binding.ip || '*', binding.host.toLowerCase(), site);
      }
    }
  }

  /** The https ports whose bindings carry sslFlags 32: their handshakes stop at TLS 1.2. */
  tls13DisabledPorts(): Set<number> {
    const ports = new Set<number>();
    for (const [port, disabled] of this.tls13DisabledByPort) if (disabled) ports.add(port);
    return ports;
  }

  /**
   * Whether a TLS handshake on `port` for SNI `serverName` may choose HTTP/2: the binding for that host
   * name decides, else the port's binding without a host name (IIS: sslFlags 4 on the binding).
   */
  http2Allowed(port: number, serverName: string): boolean {
    const exact = serverName === '' ? undefined : this.http2Disabled.get(`${port}|${serverName.toLowerCase()}`);
    if (exact !== undefined) return !exact;
    return this.http2Disabled.get(`${port}|`) !== true;
  }

  /** The site for a request that arrived on `localAddress:localPort` with this host name (lower-cased, no port). */
  findSite(localAddress: string, localPort: number, host: string): SiteRoute | null {
    return this.ports.get(localPort)?.lookup(localAddress, host) ?? null;
  }

  /**
   * The sockets to listen on: one per port when any binding on it is `*` (a wildcard socket also serves
   * IP-bound bindings of that port — Linux would refuse the second bind), else one per address.
   */
  endpoints(): ListenEndpoint[] {
    const result: ListenEndpoint[] = [];
    for (const [port, routes] of this.ports) {
      const secure = this.securePorts.get(port) === true;
      const proxyProtocol = this.proxyProtocolByPort.get(port) === true;
      const wildcard = routes.wildcard !== null || [...routes.explicitHosts.values()].some((byIp) => byIp.has('*'));
      if (wildcard) {
        result.push({ ip: '*', port, secure, proxyProtocol });
        continue;
      }
      const addresses = new Set<string>(routes.ipBound.keys());
      for (const byIp of routes.explicitHosts.values()) for (const ip of byIp.keys()) addresses.add(ip);
      for (const ip of addresses) result.push({ ip, port, secure, proxyProtocol });
    }
    return result;
  }
}

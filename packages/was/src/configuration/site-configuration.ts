// What was tells a listener adapter: the sites of the configuration with the bindings of the adapter's
// protocol and the applications whose enabledProtocols list it, and one request queue per application
// pool with its settings and current enabled state. The same for every adapter (w3svc is `http`).
import { enabledProtocolsOf, listenerProtocolOf, type ApplicationHostConfig } from '@poolhost/config';
import type { ApplySiteConfiguration, ListenerAdapterProtocol, RequestQueueState, SiteDescriptor } from '@poolhost/protocol';

/** `system.webServer/caching@maxCacheSize` (MB) as applicationHost.config sets it; the section is typed and checked where workers read it. */
function maxCacheSizeOf(config: ApplicationHostConfig): number {
  const value = Number(config.webServer?.sections['system.webServer/caching']?.attributes.maxCacheSize ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

export function buildSiteConfiguration(config: ApplicationHostConfig, queueStates: RequestQueueState[], protocol: ListenerAdapterProtocol = 'http'): ApplySiteConfiguration {
  const sites: SiteDescriptor[] = config.sites.map((site) => ({
    id: site.id,
    name: site.name,
    serverAutoStart: site.serverAutoStart,
    bindings: site.bindings
      .filter((binding) => listenerProtocolOf(binding.protocol) === protocol)
      .map((binding) => ({
        protocol: binding.protocol,
        bindingInformation: binding.bindingInformation,
        ip: binding.ip,
        port: binding.port,
        host: binding.host,
        sslFlags: binding.sslFlags,
        ...(binding.proxyProtocol ? { proxyProtocol: binding.proxyProtocol } : {}),
      })),
    applications: site.applications
      .filter((application) => enabledProtocolsOf(application).includes(protocol))
      .map((application) => ({ path: application.path, applicationPool: application.applicationPool })),
    connectionTimeout: site.limits.connectionTimeout,
    maxConnections: site.limits.maxConnections,
    maxUrlSegments: site.limits.maxUrlSegments,
    hsts: site.hsts,
    logFile: site.logFile,
    maxBandwidth: site.limits.maxBandwidth,
  }));
  return {
    type: 'ApplySiteConfiguration',
    protocol,
    sites,
    requestQueues: config.applicationPools.map((pool) => ({
      applicationPool: pool.name,
      queueLength: pool.queueLength,
      loadBalancerCapabilities: pool.failure.loadBalancerCapabilities,
      maxProcesses: Math.max(1, pool.processModel.maxProcesses),
    })),
    queueStates,
    limits: {
      headerWaitTimeout: config.webLimits.headerWaitTimeout,
      connectionTimeout: config.webLimits.connectionTimeout,
      minBytesPerSecond: config.webLimits.minBytesPerSecond,
      maxFieldLength: config.httpSys.maxFieldLength,
      maxRequestBytes: config.httpSys.maxRequestBytes,
      urlSegmentMaxLength: config.httpSys.urlSegmentMaxLength,
      urlSegmentMaxCount: config.httpSys.urlSegmentMaxCount,
      enableErrorLogging: config.httpSys.enableErrorLogging,
      errorLoggingDir: config.httpSys.errorLoggingDir,
      errorLogFileTruncateSize: config.httpSys.errorLogFileTruncateSize,
      enableHttp2Tls: config.httpSys.enableHttp2Tls,
      enableHttp2Cleartext: config.httpSys.enableHttp2Cleartext,
      http2MaxConcurrentStreams: config.httpSys.http2MaxConcurrentStreams,
      http2MaxStreamResetsPerMinute: config.httpSys.http2MaxStreamResetsPerMinute,
      http2HeaderTableSize: config.httpSys.http2HeaderTableSize,
      uriEnableCache: config.httpSys.uriEnableCache,
      uriMaxUriBytes: config.httpSys.uriMaxUriBytes,
      uriScavengerPeriod: config.httpSys.uriScavengerPeriod,
      maxCacheSize: maxCacheSizeOf(config),
    },
  } satisfies ApplySiteConfiguration;
}

// The applications this worker hosts: every application of every site whose applicationPool is ours,
// with its site and its effective system.webServer configuration at the application root (or the
// 500.19 fault that configuration has — the application then answers every request with that page).
// Folders below the root get theirs when first asked for (pipeline/folder-pipelines.ts), from the same cache.
// Applications whose levels bring the same sections (same folder, no location tag of their own) get
// the same WebServerConfig object, which the pipeline compiler shares in turn.
import { applicationServesProtocol, EffectiveConfigCache, getEffectiveWebServerConfig, type ApplicationHostConfig, type ConfigurationFault, type Site, type WebServerConfig } from '@poolhost/config';
import type { Logger } from 'pino';
import { logNotHonoured } from './not-honoured-settings.js';

export interface PoolApplication {
  site: Site;
  siteId: number;
  siteName: string;
  path: string;
  applicationPool: string;
  /** The physical folder of the application's root virtual directory. */
  physicalPath: string;
  virtualDirectories: Array<{ path: string; physicalPath: string }>;
  config: WebServerConfig | null;
  fault: ConfigurationFault | null;
  /** `<handlers><add modules="iisnode" path="…">` from the effective configuration, if any. */
  iisnodeHandlerPath: string | null;
  /** Reachable over net.tcp (enabledProtocols lists it and the site has a net.tcp binding): its net.Server gets the relayed connections. */
  netTcp: boolean;
  /** `<application preloadEnabled>`: Application Initialization warms it before the worker takes traffic. */
  preloadEnabled: boolean;
  /** What the configuration of the application's folders is computed from (FolderPipelines). */
  host: ApplicationHostConfig;
  configCache: EffectiveConfigCache;
}

export function poolApplications(config: ApplicationHostConfig, applicationPool: string, logger: Logger): PoolApplication[] {
  const wanted = applicationPool.toLowerCase();
  const result: PoolApplication[] = [];
  const cache = new EffectiveConfigCache();
  for (const site of config.sites) {
    for (const application of site.applications) {
      if (application.applicationPool.toLowerCase() !== wanted) continue;
      const root = application.virtualDirectories.find((directory) => directory.path === '/') ?? application.virtualDirectories[0];
      if (!root) continue;
      let effectiveConfig: WebServerConfig | null = null;
      let fault: ConfigurationFault | null = null;
      try {
        const effective = getEffectiveWebServerConfig(config, site.name, application.path, { cache });
        logNotHonoured(logger, effective.warnings);
        if (effective.ok) effectiveConfig = effective.config;
        else {
          fault = effective.fault;
          logger.warn({ site: site.name, application: application.path, fault }, `the configuration of ${site.name}${application.path} cannot be used (HTTP 500.19): ${fault.file}:${fault.line}:${fault.column}: ${fault.message}`);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        fault = { httpStatus: 500, subStatus: 19, errorCode: '0x8007000d', message, file: config.file, line: 0, column: 0 };
        logger.warn({ err: error, site: site.name, application: application.path }, 'cannot read the effective configuration (HTTP 500.19)');
      }
      const handler = effectiveConfig?.handlers.handlers.find((entry) => isIisnodeHandler(entry.modules));
      result.push({
        site,
        siteId: site.id,
        siteName: site.name,
        path: application.path,
        applicationPool: application.applicationPool,
        physicalPath: root.physicalPath,
        virtualDirectories: application.virtualDirectories.map((directory) => ({ path: directory.path, physicalPath: directory.physicalPath })),
        config: effectiveConfig,
        fault,
        iisnodeHandlerPath: handler?.path ?? null,
        netTcp: applicationServesProtocol(site, application, 'net.tcp'),
        preloadEnabled: application.preloadEnabled,
        host: config,
        configCache: cache,
      });
    }
  }
  return result;
}

export function isIisnodeHandler(modules: string): boolean {
  // A list walked rather than /(^|,)\s*iisnode\s*(,|$)/i: the same answer (trim() strips what \s matches),
  // without a case-insensitive regular expression to compile in every worker's start.
  return modules.split(',').some((module) => module.trim().toLowerCase() === 'iisnode');
}

// The applications this worker hosts: every application of every site whose applicationPool is ours,
// with what hosting needs from applicationHost.config and the application's effective web.config.
import { getEffectiveWebServerConfig, type ApplicationHostConfig } from '@poolhost/config';
import type { Logger } from 'pino';

export interface PoolApplication {
  siteId: number;
  siteName: string;
  path: string;
  /** The physical folder of the application's root virtual directory. */
  physicalPath: string;
  virtualDirectories: Array<{ path: string; physicalPath: string }>;
  /** `<handlers><add modules="iisnode" path="…">` from the effective configuration, if any. */
  iisnodeHandlerPath: string | null;
  /** Effective `defaultDocument` files (null when disabled or unknown: hosting uses IIS's defaults). */
  defaultDocuments: string[] | null;
}

export function poolApplications(config: ApplicationHostConfig, applicationPool: string, logger: Logger): PoolApplication[] {
  const wanted = applicationPool.toLowerCase();
  const result: PoolApplication[] = [];
  for (const site of config.sites) {
    for (const application of site.applications) {
      if (application.applicationPool.toLowerCase() !== wanted) continue;
      const root = application.virtualDirectories.find((directory) => directory.path === '/') ?? application.virtualDirectories[0];
      if (!root) continue;
      let iisnodeHandlerPath: string | null = null;
      let defaultDocuments: string[] | null = null;
      try {
        const effective = getEffectiveWebServerConfig(config, site.name, application.path);
        if (effective.ok) {
          const handler = effective.config.handlers.handlers.find((entry) => /(^|,)\s*iisnode\s*(,|$)/i.test(entry.modules));
          iisnodeHandlerPath = handler?.path ?? null;
          const documents = effective.config.defaultDocument;
          defaultDocuments = documents.enabled ? documents.files : [];
        } else {
          logger.warn({ site: site.name, application: application.path, fault: effective.fault }, 'the application configuration is not usable; hosting with defaults');
        }
      } catch (error) {
        logger.warn({ err: error, site: site.name, application: application.path }, 'cannot read the effective configuration; hosting with defaults');
      }
      result.push({
        siteId: site.id,
        siteName: site.name,
        path: application.path,
        physicalPath: root.physicalPath,
        virtualDirectories: application.virtualDirectories.map((directory) => ({ path: directory.path, physicalPath: directory.physicalPath })),
        iisnodeHandlerPath,
        defaultDocuments,
      });
    }
  }
  return result;
}

// Applications whose applicationPool names no declared pool: IIS loads the file and WAS ignores just
// those applications, writing 5048 for each (IIS 6's W3SVC 1048, WAS_EVENT_WMS_APPLICATION_APP_POOL_ID_INVALID_ERROR,
// in WAS's 5000 range like every event of that table). Their URLs answer 503 (no request queue).
import type { ApplicationHostConfig } from '@poolhost/config';
import type { EventLog } from '../event-log/event-log.js';

interface IgnoredApplication {
  key: string;
  siteId: number;
  siteName: string;
  path: string;
  applicationPool: string;
}

function ignoredApplications(config: ApplicationHostConfig | null): IgnoredApplication[] {
  if (!config) return [];
  return config.sites.flatMap((site) =>
    site.applications
      .filter((application) => application.applicationPoolUndeclared)
      .map((application) => ({
        key: `${site.id}\u0000${application.path.toLowerCase()}\u0000${application.applicationPool.toLowerCase()}`,
        siteId: site.id,
        siteName: site.name,
        path: application.path,
        applicationPool: application.applicationPool,
      })),
  );
}

/** Writes 5048 for each application `next` ignores that `previous` (the configuration in force before, or null at start) did not. */
export function reportIgnoredApplications(eventLog: EventLog, previous: ApplicationHostConfig | null, next: ApplicationHostConfig): void {
  const before = new Set(ignoredApplications(previous).map((application) => application.key));
  for (const application of ignoredApplications(next)) {
    if (before.has(application.key)) continue;
    eventLog.write(5048, [application.siteId, application.path, application.applicationPool], {
      reason: `application '${application.siteName}${application.path}' ignored: application pool '${application.applicationPool}' is not declared`,
    });
  }
}

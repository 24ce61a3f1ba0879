// Which applications of the pool Application Initialization warms, and with which requests.
import type { Logger } from 'pino';
import type { PoolApplication } from '../configuration/pool-applications.js';
import { applicationInitializationSettings, type WarmUpPlan } from './application-initialization.js';
import type { ApplicationTable } from './application-table.js';

/** The Host header of warm-up requests without a hostName: the site's first binding host name, else localhost. */
function defaultHost(application: PoolApplication): string {
  return application.site.bindings.find((binding) => binding.host !== '')?.host ?? 'localhost';
}

export function warmUpPlans(applications: PoolApplication[], table: ApplicationTable, logger: Logger): WarmUpPlan[] {
  const plans: WarmUpPlan[] = [];
  for (const application of applications) {
    const section = application.config?.sections['applicationInitialization'];
    const where = `${application.siteName}${application.path}`;
    if (!application.preloadEnabled) {
      if (section?.children.some((entry) => entry.name === 'add')) {
        logger.info({ application: where }, `application initialization pages of ${where} run only with <application preloadEnabled="true">`);
      }
      continue;
    }
    const hosted = table.find(application.siteId, application.path);
    if (hosted === null) continue;
    const settings = applicationInitializationSettings(application.path, section, defaultHost(application));
    if (settings.withoutEffect.length > 0) {
      logger.warn({ application: where, attributes: settings.withoutEffect }, `applicationInitialization settings of ${where} that have no effect: ${settings.withoutEffect.join(', ')}`);
    }
    plans.push({ application: hosted, requests: settings.requests });
  }
  return plans;
}

// A web.config was created, edited or deleted. Workers read their applications' effective
// configuration when they start, so the pools of the applications it configures are recycled
// (overlapped, 5080) — unless the new file is broken: then its position is logged and the workers
// keep the configuration they loaded (last known good). Pools with enableConfigurationOverride="false"
// ignore web.config files, as in IIS.
import type { Logger } from '@poolhost/common';
import { getEffectiveWebServerConfig, type ApplicationHostConfig } from '@poolhost/config';
import { applicationsConfiguredBy } from './web-config-scope.js';

/** Pool name (as configured) -> the web.config files that ask for its recycle. */
export function applicationPoolsToRecycle(config: ApplicationHostConfig, files: string[], logger: Logger): Map<string, string[]> {
  const pools = new Map<string, string[]>();
  for (const file of files) {
    const applications = applicationsConfiguredBy(config, file).filter((application) => {
      const pool = config.applicationPools.find((candidate) => candidate.name.toLowerCase() === application.applicationPool.toLowerCase());
      return pool?.enableConfigurationOverride ?? true;
    });
    const faults = applications
      .map((application) => getEffectiveWebServerConfig(config, application.site, `${application.url}/`))
      .flatMap((effective) => (effective.ok ? [] : [effective.fault]));
    const fault = faults[0];
    if (fault) {
      logger.error(
        { configError: { file: fault.file, line: fault.line, column: fault.column, errorCode: fault.errorCode } },
        `The configuration file '${fault.file}' could not be applied; the worker processes keep the configuration they loaded: ${fault.file}:${fault.line}:${fault.column}: ${fault.message}`,
      );
      continue;
    }
    for (const application of applications) {
      const list = pools.get(application.applicationPool) ?? [];
      if (!list.includes(file)) list.push(file);
      pools.set(application.applicationPool, list);
    }
  }
  return pools;
}

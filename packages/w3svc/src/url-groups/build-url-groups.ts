// What w3svc programs into httpsys: one URL group per site (stopped sites included, marked Stopped,
// so httpsys answers their bindings with 404), the request queues and their latest states.
import type { ApplySiteConfiguration, ApplyUrlGroups, RequestQueueState } from '@poolhost/protocol';
import type { SiteTable } from '../sites/site-table.js';

export function buildUrlGroups(
  configuration: ApplySiteConfiguration,
  sites: SiteTable,
  queueStates: ReadonlyMap<string, RequestQueueState>,
): ApplyUrlGroups {
  return {
    type: 'ApplyUrlGroups',
    urlGroups: sites.all.map((site) => ({
      siteId: site.id,
      siteName: site.name,
      state: sites.stateOf(site),
      bindings: site.bindings,
      applications: site.applications,
      connectionTimeout: site.connectionTimeout,
      maxConnections: site.maxConnections,
      maxUrlSegments: site.maxUrlSegments,
      ...(site.hsts ? { hsts: site.hsts } : {}),
      ...(site.logFile ? { logFile: site.logFile } : {}),
      maxBandwidth: site.maxBandwidth,
    })),
    requestQueues: configuration.requestQueues,
    queueStates: [...queueStates.values()],
    limits: configuration.limits,
  } satisfies ApplyUrlGroups;
}

// HTTP Service Url Groups (HTTP.SYS, one instance per URL group; one per site in poolhost) under the names
// windows_exporter's `performancecounter` collector gives them (prometheus-community/windows_exporter,
// internal/collector/performancecounter: `windows_performancecounter_<object>_<counter>`, lower case,
// spaces as `_`). windows_exporter has no built-in collector for this set; an IIS host scraped with the
// configuration in docs/observability.md (`instance_label: site`) yields the same names, labels and types.
import type { UrlGroupCounterSet } from '@poolhost/protocol';
import type { CounterSnapshot } from '../counters/counter-snapshot.js';
import type { MetricFamily } from './metric-family.js';

const prefix = 'windows_performancecounter_http_service_url_groups_';

function perUrlGroup(counter: string, type: 'gauge' | 'counter', help: string, value: (group: UrlGroupCounterSet) => number): MetricFamily {
  return {
    name: prefix + counter.toLowerCase(),
    type,
    help: `${help} (HTTP Service Url Groups\\${counter})`,
    labelNames: ['site'],
    samples: (snapshot: CounterSnapshot) => (snapshot.listener?.urlGroups ?? []).map((group) => ({ labels: { site: group.siteName }, value: value(group) })),
  };
}

// The …Rate counters are cumulative raw counts, as PDH stores them: graph them with rate().
export const urlGroupFamilies: readonly MetricFamily[] = [
  perUrlGroup('BytesSentRate', 'counter', 'Bytes sent by the HTTP service for this site', (group) => group.bytesSent),
  perUrlGroup('BytesReceivedRate', 'counter', 'Bytes received by the HTTP service for this site', (group) => group.bytesReceived),
  perUrlGroup('BytesTransferredRate', 'counter', 'Bytes sent and received by the HTTP service for this site', (group) => group.bytesTransferred),
  perUrlGroup('CurrentConnections', 'gauge', 'Connections now established for this site', (group) => group.currentConnections),
  perUrlGroup('MaxConnections', 'gauge', 'Most connections established at once for this site', (group) => group.maxConnections),
  perUrlGroup('ConnectionAttempts', 'counter', 'Connection attempts made for this site', (group) => group.connectionAttempts),
  perUrlGroup('GetRequests', 'counter', 'GET requests made for this site', (group) => group.getRequests),
  perUrlGroup('HeadRequests', 'counter', 'HEAD requests made for this site', (group) => group.headRequests),
  perUrlGroup('AllRequests', 'counter', 'HTTP requests made for this site', (group) => group.allRequests),
];

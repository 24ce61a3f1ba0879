// Counters kept for `GetListenerCounters`: per site, per request queue, per listening endpoint.
export interface SiteCounters {
  siteId: number;
  requests: number;
  /** Requests answered by httpsys itself (400/404/503/502). */
  errors: number;
}

export interface RequestQueueCounters {
  applicationPool: string;
  enabled: boolean;
  queueLength: number;
  maxQueueLength: number;
  requests: number;
  rejected: number;
  retried: number;
  workers: number;
  inFlight: number;
}

export interface EndpointCounters {
  endpoint: string;
  currentConnections: number;
  totalConnections: number;
}

export interface ListenerCountersSnapshot {
  sites: SiteCounters[];
  requestQueues: RequestQueueCounters[];
  endpoints: EndpointCounters[];
  currentConnections: number;
  /** TLS connections accepted on https endpoints whose handshake has not completed yet. */
  tlsHandshakesInProgress: number;
  /** Handshakes that failed, by reason (`NoCertificate`, `NotTls`, `Timer_HeaderWait` …). */
  tlsHandshakeFailures: Record<string, number>;
}

export class SiteCounterTable {
  private readonly sites = new Map<number, SiteCounters>();

  get(siteId: number): SiteCounters {
    let counters = this.sites.get(siteId);
    if (!counters) this.sites.set(siteId, (counters = { siteId, requests: 0, errors: 0 }));
    return counters;
  }

  snapshot(): SiteCounters[] {
    return [...this.sites.values()].map((counters) => ({ ...counters }));
  }
}

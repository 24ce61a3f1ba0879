// HTTP.SYS' and the Web Service's counters as httpsys keeps them: plain integer fields, one increment
// (or an array slot) per event; snapshots are built only when someone asks (GetListenerCounters).
import { webServiceVerbs, type UrlGroupCounterSet, type WebServiceCounterSet, type WebServiceVerb } from '@poolhost/protocol';

/** `Total <Verb> Requests`: the verb's slot in `webServiceVerbs`; any other verb counts as `other`. */
const verbSlots = new Map<string, number>(webServiceVerbs.map((verb, slot) => [verb, slot]));
const otherVerbSlot = webServiceVerbs.length - 1;
const getSlot = verbSlots.get('GET')!;
const headSlot = verbSlots.get('HEAD')!;

export function verbSlot(method: string): number {
  return verbSlots.get(method) ?? otherVerbSlot;
}

/** Web Service counters of one site. */
export class SiteCounters {
  siteName = '';
  requests = 0;
  /** Requests answered by httpsys itself (400/404/503/502). */
  errors = 0;
  readonly requestsByVerb: number[] = new Array<number>(webServiceVerbs.length).fill(0);
  notFoundErrors = 0;
  lockedErrors = 0;
  currentConnections = 0;
  maximumConnections = 0;
  totalConnectionAttempts = 0;
  /** Bytes of connections that have closed; open connections are added when a snapshot is taken. */
  closedBytesSent = 0;
  closedBytesReceived = 0;

  constructor(readonly siteId: number) {}

  /** A response (httpsys' own or a worker's) left with this status. */
  responded(statusCode: number): void {
    if (statusCode === 404) this.notFoundErrors++;
    else if (statusCode === 423) this.lockedErrors++;
  }

  connectionOpened(): void {
    this.totalConnectionAttempts++;
    if (++this.currentConnections > this.maximumConnections) this.maximumConnections = this.currentConnections;
  }

  /**
   * The connection just counted by connectionOpened() is over the site's limits maxConnections: HTTP.SYS
   * refuses it (503 ConnLimit) and it no longer counts against the site (the attempt stays counted).
   */
  connectionRefused(): void {
    this.currentConnections--;
  }

  connectionClosed(bytesSent: number, bytesReceived: number): void {
    this.currentConnections--;
    this.closedBytesSent += bytesSent;
    this.closedBytesReceived += bytesReceived;
  }

  snapshot(openBytesSent: number, openBytesReceived: number): WebServiceCounterSet {
    const requestsByVerb = {} as Record<WebServiceVerb, number>;
    webServiceVerbs.forEach((verb, slot) => (requestsByVerb[verb] = this.requestsByVerb[slot]!));
    return {
      siteId: this.siteId,
      siteName: this.siteName,
      currentConnections: this.currentConnections,
      maximumConnections: this.maximumConnections,
      totalConnectionAttempts: this.totalConnectionAttempts,
      totalBytesSent: this.closedBytesSent + openBytesSent,
      totalBytesReceived: this.closedBytesReceived + openBytesReceived,
      requestsByVerb,
      notFoundErrors: this.notFoundErrors,
      lockedErrors: this.lockedErrors,
      listenerErrors: this.errors,
    };
  }

  /**
   * HTTP Service Url Groups of this site's URL group. HTTP.SYS counts them where httpsys counts the Web
   * Service set (every request and connection of the site passes the listener), so they are these same
   * fields under HTTP.SYS' names; `webService` is this site's snapshot, bytes of open connections included.
   */
  urlGroupSnapshot(webService: WebServiceCounterSet): UrlGroupCounterSet {
    return {
      siteId: this.siteId,
      siteName: this.siteName,
      bytesSent: webService.totalBytesSent,
      bytesReceived: webService.totalBytesReceived,
      bytesTransferred: webService.totalBytesSent + webService.totalBytesReceived,
      currentConnections: this.currentConnections,
      maxConnections: this.maximumConnections,
      connectionAttempts: this.totalConnectionAttempts,
      getRequests: this.requestsByVerb[getSlot]!,
      headRequests: this.requestsByVerb[headSlot]!,
      allRequests: this.requests,
    };
  }
}

/** Site counters outlive routing tables (a configuration change keeps a site's totals). */
export class SiteCounterTable {
  private readonly sites = new Map<number, SiteCounters>();

  get(siteId: number, siteName?: string): SiteCounters {
    let counters = this.sites.get(siteId);
    if (!counters) this.sites.set(siteId, (counters = new SiteCounters(siteId)));
    if (siteName !== undefined) counters.siteName = siteName;
    return counters;
  }

  all(): IterableIterator<SiteCounters> {
    return this.sites.values();
  }
}

/** HTTPERR lines by reason, listener-wide. */
export class HttpErrCounters {
  private readonly byReason = new Map<string, number>();

  count(reason: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }
}

// The httpsys service: listening sockets, routing, request queues, the worker data plane, HTTPERR.
import { startupMark } from '@poolhost/common/startup-trace';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { sslStorePath, type ConfigurationRedirection } from '@poolhost/config';
import {
  ControlChannel,
  ensureRunDirectory,
  listenControlSocket,
  listenUnixSocket,
  socketPath,
  type ApplyUrlGroups,
  type ListenerLimits,
  type RequestQueueState,
  type WorkerDemanded,
  type RequestQueueActive,
  type StandbyPromoted,
  type ListenerCounters,
  type RequestQueueCounterSet,
  type UrlGroupCounterSet,
  type WebServiceCounterSet,
  RequestFlags,
} from '@poolhost/protocol';
import { RoutingTable } from './routing/routing-table.js';
import { RequestQueue, type DemandReason, type RequestQueueEvents } from './request-queue/request-queue.js';
import { HttpErrLog } from './httperr-log/httperr-log.js';
import { EndpointSet, type EndpointFailure } from './endpoints/endpoint-set.js';
import type { ListenSocketSource } from './endpoints/listen-socket-source.js';
import { RequestIntake } from './requests/request-intake.js';
import { RequestRouter, type RouterState } from './requests/request-router.js';
import { SiteBandwidthTable } from './limits/site-bandwidth.js';
import type { ListenerRequest } from './requests/listener-request.js';
import { OutputBatch } from './data-plane/output-batch.js';
import { ClientConnection } from './connections/client-connection.js';
import { readProxyHeader } from './connections/proxy-protocol.js';
import { normalizeAddress } from './routing/host-header.js';
import { WorkerConnection, type WorkerConnectionHost } from './data-plane/worker-connection.js';
import { defaultListenerLimits, headerWaitMs } from './limits/listener-limits.js';
import { SiteCounterTable } from './counters/listener-counters.js';
import { controlHandlers } from './control/control-handlers.js';
import { SslConfiguration } from './ssl/ssl-configuration.js';
import { HandshakeFailures } from './ssl/handshake-failures.js';
import { HandshakeCompletions } from './ssl/handshake-completions.js';
import { TlsFront } from './ssl/tls-front.js';
import { TicketKeys } from './ssl/ticket-keys.js';
import { SharedTicketKeys } from './ssl/shared-ticket-keys.js';
import { dirname, resolve } from 'node:path';
import { SharedSslStoreCache } from './ssl/shared-ssl-store-cache.js';
import { RedirectionWatch, sameSharedConfiguration, sharedConfigurationOf, type SharedConfiguration } from './shared-configuration/redirection-watch.js';
import { AcmeChallengeAnswers } from './ssl/acme-challenge-answers.js';
import { AcmeTlsAlpnAnswers } from './ssl/acme-tls-alpn-answers.js';
import { Http2Front } from './http2/http2-front.js';
import { KernelCache } from './cache/kernel-cache.js';
import { ListenerDrain, type DrainableListener } from './drain/listener-drain.js';

export interface HttpSysOptions {
  runDirectory: string;
  logger: Logger;
  /** Who holds the listening sockets (poolhost); without one httpsys opens its own. */
  listenSockets?: ListenSocketSource | null;
  /** The SSL store file (`poolhost sslcert`); none: https bindings find no certificate. */
  sslStoreFile?: string;
  /**
   * redirection.config is enabled: the farm's TLS session ticket secret is read from its shared folder
   * (shared-ticket-keys.ts), the local copies go to `cacheFolder` (redirection.config's folder).
   */
  sharedConfiguration?: SharedConfiguration | null;
  /**
   * The local applicationHost.config (POOLHOST_CONFIG) whose redirection.config httpsys follows while it
   * runs (redirection-watch.ts); `sslStoreFollows`: the SSL store is the one redirection.config implies
   * (not named by --ssl-store or POOLHOST_SSL_STORE). Absent: sharedConfiguration stays as started.
   */
  followRedirection?: { localConfigFile: string; sslStoreFollows: boolean; inForce: ConfigurationRedirection | null };
}

const SWEEP_INTERVAL_MS = 250;
/** How often the SSL store and its certificate files are checked for changes. */
const SSL_REFRESH_INTERVAL_MS = 1_000;

export class HttpSys implements RequestQueueEvents<ListenerRequest>, WorkerConnectionHost, DrainableListener {
  /** Client output produced while a worker's packet of frames is decoded leaves once it is decoded. */
  readonly outputBatch = new OutputBatch();
  private readonly state: RouterState;
  private readonly connections = new Set<ClientConnection>();
  private readonly httpErrLog: HttpErrLog;
  private readonly siteCounters = new SiteCounterTable();
  private readonly intake: RequestIntake;
  private readonly router: RequestRouter;
  private readonly endpoints: EndpointSet;
  private readonly workers = new Set<WorkerConnection>();
  private readonly controlChannels = new Set<ControlChannel>();
  /** The channels that program the URL groups (w3svc's): only they hear WorkerDemanded, RequestQueueActive and StandbyPromoted. */
  private readonly activationChannels = new Set<ControlChannel>();
  private controlServer: Server | null = null;
  private dataServer: Server | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sslRefreshTimer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;
  private readonly ssl: SslConfiguration;
  private readonly handshakeFailures: HandshakeFailures;
  private readonly handshakeCompletions = new HandshakeCompletions();
  private readonly tlsFront: TlsFront;
  private readonly http2: Http2Front;
  private readonly startedAt = new Date().toISOString();
  /** `poolhost drain`: its state goes out with the counters, for the health answers. */
  readonly drain: ListenerDrain;
  /** The shared configuration in force (redirection.config), null: none. */
  private sharedConfiguration: SharedConfiguration | null = null;
  private redirectionWatch: RedirectionWatch | null = null;

  constructor(private readonly options: HttpSysOptions) {
    this.logger = options.logger;
    this.state = {
      routing: new RoutingTable([]),
      limits: defaultListenerLimits(),
      queues: new Map(),
      kernelCache: new KernelCache(this.logger.child({ component: 'kernel-cache' })),
    };
    this.httpErrLog = new HttpErrLog(this.logger.child({ component: 'httperr' }));
    this.router = new RequestRouter(this.state, this.httpErrLog, this.logger);
    const bandwidth = new SiteBandwidthTable(this.logger.child({ component: 'bandwidth' }));
    this.http2 = new Http2Front(this.router, bandwidth, this.httpErrLog, this.logger.child({ component: 'http2' }));
    const http2 = this.http2;
    const connections = this.connections;
    const state = this.state;
    // h2c with prior knowledge (httpSys enableHttp2Cleartext): an http connection that opens with the
    // HTTP/2 preface is handed from llhttp to the HTTP/2 front end.
    this.intake = new RequestIntake(this.router, bandwidth, this.httpErrLog, this.outputBatch, (connection, preface) => {
      if (!state.limits.enableHttp2Cleartext || connection.secure) return false;
      const socket = connection.handOff(preface);
      if (socket) http2.accept(socket, connection, false, null);
      return socket !== null;
    });
    const intake = this.intake;
    this.ssl = new SslConfiguration(options.sslStoreFile ?? null, this.logger.child({ component: 'ssl' }));
    this.handshakeFailures = new HandshakeFailures(this.logger.child({ component: 'ssl' }));
    this.tlsFront = new TlsFront(
      this.ssl,
      this.handshakeFailures,
      this.handshakeCompletions,
      (socket, addresses) => {
        if (socket.alpnProtocol === 'h2') {
          http2.accept(socket, addresses, true, addresses.clientCertificate);
          return;
        }
        const connection = new ClientConnection(socket, intake, state.limits.maxRequestBytes, connections, addresses);
        connections.add(connection);
        connection.parseBuffered();
      },
      (localPort, serverName) => state.limits.enableHttp2Tls && state.routing.http2Allowed(localPort, serverName),
    );
    const tlsFront = this.tlsFront;
    this.endpoints = new EndpointSet(
      (socket, endpoint, secure, proxyProtocol) => {
        if (proxyProtocol) this.acceptProxied(socket, endpoint, secure);
        else if (secure) tlsFront.accept(socket, endpoint);
        else connections.add(new ClientConnection(socket, intake, state.limits.maxRequestBytes, connections));
      },
      this.logger.child({ component: 'endpoints' }),
      options.listenSockets ?? null,
      (handle, endpoint, onClose) => tlsFront.acceptHandle(handle, endpoint, onClose),
    );
    this.drain = new ListenerDrain(this, this.logger.child({ component: 'drain' }));
  }

  /**
   * A connection to a port with proxyProtocol="required": its PROXY header first (proxy-protocol.ts),
   * then TLS or HTTP as on any other port, with the client the header named. No valid header within
   * HeaderWait: an HTTPERR line and the connection closed, before any request could exist.
   */
  private acceptProxied(socket: Socket, endpoint: string, secure: boolean): void {
    readProxyHeader(
      socket,
      headerWaitMs(this.state.limits),
      (client) => {
        if (socket.destroyed) return;
        if (secure) {
          this.tlsFront.accept(socket, endpoint, client);
          return;
        }
        const connection = new ClientConnection(socket, this.intake, this.state.limits.maxRequestBytes, this.connections, undefined, client);
        this.connections.add(connection);
        connection.parseBuffered();
      },
      (reason, timedOut) => {
        this.httpErrLog.write({
          clientIp: normalizeAddress(socket.remoteAddress ?? ''),
          ...(socket.remotePort !== undefined ? { clientPort: socket.remotePort } : {}),
          serverIp: normalizeAddress(socket.localAddress ?? ''),
          ...(socket.localPort !== undefined ? { serverPort: socket.localPort } : {}),
          reason: timedOut ? 'Timer_HeaderWait' : 'ProxyProtocol_Invalid',
        });
        this.logger.debug({ endpoint, client: socket.remoteAddress, reason }, 'connection refused: no valid PROXY protocol header');
        socket.destroy();
      },
    );
  }

  async start(): Promise<void> {
    ensureRunDirectory(this.options.runDirectory);
    // Before the store is first loaded, so every certificate's context gets the keys.
    const follow = this.options.followRedirection;
    if (follow) this.redirectionWatch = new RedirectionWatch(follow.localConfigFile, follow.inForce, this.logger.child({ component: 'shared-configuration' }));
    this.useSharedConfiguration(this.options.sharedConfiguration ?? null, this.options.sslStoreFile ?? null, false);
    this.dataServer = await listenUnixSocket(socketPath(this.options.runDirectory, 'httpsys-data'), (socket) => this.onWorkerConnection(socket));
    this.controlServer = await listenControlSocket(
      socketPath(this.options.runDirectory, 'httpsys'),
      () => ({
        peer: 'w3svc',
        handlers: controlHandlers(this),
        onProtocolError: (error) => this.logger.warn({ err: error }, 'control protocol error'),
      }),
      (channel) => {
        this.controlChannels.add(channel);
        channel.onClose(() => this.controlChannels.delete(channel));
      },
    );
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    this.ssl.refresh();
    this.sslRefreshTimer = setInterval(() => {
      this.followRedirection();
      this.ssl.refresh();
    }, SSL_REFRESH_INTERVAL_MS);
    this.sslRefreshTimer.unref();
    this.logger.info({ runDirectory: this.options.runDirectory }, 'httpsys started');
  }

  /**
   * What the shared folder of redirection.config gives httpsys: the SSL store (when it is the folder's), the
   * TLS session ticket secret and the ACME answers. `live`: redirection.config changed while httpsys runs.
   */
  private useSharedConfiguration(shared: SharedConfiguration | null, sslStoreFile: string | null, live: boolean): void {
    this.sharedConfiguration = shared;
    const sharedStore =
      shared && sslStoreFile && resolve(dirname(sslStoreFile)) === resolve(shared.path) ? { cache: new SharedSslStoreCache(shared.cacheFolder), pollingPeriodMs: shared.pollingPeriodMs } : null;
    const keys = shared
      ? new SharedTicketKeys({
          sharedFolder: shared.path,
          cacheFolder: shared.cacheFolder,
          pollingPeriodMs: shared.pollingPeriodMs,
          runDirectory: this.options.runDirectory,
          logger: this.logger.child({ component: 'ssl' }),
        })
      : new TicketKeys(this.options.runDirectory);
    if (live) {
      this.ssl.moveStore(sslStoreFile, sharedStore);
      this.ssl.replaceTicketKeys(keys);
    } else {
      if (sharedStore) this.ssl.useSharedStore(sharedStore.cache, sharedStore.pollingPeriodMs);
      this.ssl.useTicketKeys(keys);
    }
    this.state.acmeChallenges = new AcmeChallengeAnswers(this.options.runDirectory, shared?.path ?? null);
    this.tlsFront.answerAcmeTlsAlpn(new AcmeTlsAlpnAnswers(this.options.runDirectory, shared?.path ?? null));
  }

  /** redirection.config changed (checked with the SSL store, every second): its edit applies, or was refused and logged. */
  private followRedirection(): void {
    const change = this.redirectionWatch?.poll();
    if (change === undefined) return;
    const shared = sharedConfigurationOf(change.redirection);
    if (sameSharedConfiguration(shared, this.sharedConfiguration)) return;
    const follow = this.options.followRedirection!;
    const sslStoreFile = follow.sslStoreFollows ? sslStorePath(follow.localConfigFile, {}, change.redirection) : (this.options.sslStoreFile ?? null);
    this.useSharedConfiguration(shared, sslStoreFile, true);
    this.logger.info(
      { sharedFolder: shared?.path ?? null, sslStore: sslStoreFile },
      shared
        ? `redirection.config changed: the SSL store${sslStoreFile ? ` (${sslStoreFile})` : ''}, TLS session ticket secret and ACME answers now come from the shared folder ${shared.path}`
        : 'redirection.config changed: no shared configuration; the SSL store, TLS session ticket keys and ACME answers are this host\'s own',
    );
  }

  /** The shared configuration in force (redirection.config enabled), else null. */
  get sharedFolder(): string | null {
    return this.sharedConfiguration?.path ?? null;
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.sslRefreshTimer) clearInterval(this.sslRefreshTimer);
    this.tlsFront.destroyAll();
    this.http2.destroyAll();
    this.controlServer?.close();
    this.dataServer?.close();
    for (const channel of this.controlChannels) channel.close();
    for (const worker of this.workers) worker.socket.destroy();
    for (const connection of this.connections) connection.socket.destroy();
    await this.endpoints.closeAll();
    await this.state.kernelCache.close();
    await this.httpErrLog.close();
    this.logger.info('httpsys stopped');
  }

  // --- configuration (from w3svc) ----------------------------------------------------------------

  async applyUrlGroups(message: ApplyUrlGroups): Promise<EndpointFailure[]> {
    this.applyLimits(message.limits);
    const queues = this.state.queues;
    const declared = new Set<string>();
    for (const settings of message.requestQueues) {
      declared.add(settings.applicationPool);
      const queue = this.queueFor(settings.applicationPool);
      queue.settings = { ...settings };
      queue.declared = true;
    }
    for (const [name, queue] of queues) {
      if (declared.has(name)) continue;
      queue.declared = false;
      if (queue.attachedWorkers === 0) {
        this.refuseAll(queue.rejectWaiting('N/A'), 'N/A');
        queues.delete(name);
      }
    }
    for (const state of message.queueStates) this.setRequestQueueState(state);
    this.state.routing = new RoutingTable(message.urlGroups, this.siteCounters);
    this.tlsFront.disableTls13On(this.state.routing.tls13DisabledPorts());
    this.state.kernelCache.applyUrlGroups(message.urlGroups);
    const failures = await this.endpoints.apply(this.state.routing.endpoints());
    for (const conflict of this.state.routing.conflicts) {
      const message = `site ${conflict.siteName}: binding ${conflict.binding} is not served: ${conflict.reason}`;
      this.logger.error({ site: conflict.siteName, binding: conflict.binding }, message);
      failures.push({ endpoint: conflict.binding, code: 'BindingConflict', message });
    }
    this.logger.info(
      { sites: message.urlGroups.length, requestQueues: message.requestQueues.length, endpoints: this.endpoints.counters().length },
      'URL groups applied',
    );
    return failures;
  }

  setRequestQueueState(state: RequestQueueState): void {
    const queue = this.state.queues.get(state.applicationPool);
    if (!queue) return;
    const wasEnabled = queue.enabled;
    const refused = queue.setEnabled(state.enabled, state.disabledReason);
    if (wasEnabled !== queue.enabled) {
      this.logger.info({ pool: queue.name, enabled: queue.enabled, reason: queue.disabledReason }, `request queue ${queue.name} ${queue.enabled ? 'enabled' : 'disabled'}`);
    }
    if (!queue.enabled) this.state.kernelCache.queueDisabled(queue.name);
    this.refuseAll(refused, queue.disabledReason ?? 'AppOffline');
  }

  private applyLimits(limits: ListenerLimits): void {
    // New connections parse with the new MaxRequestBytes; the sweep reads the timers from here.
    this.state.limits = limits;
    this.http2.applyLimits(limits);
    this.state.kernelCache.configure(limits);
    this.httpErrLog.configure({
      enabled: limits.enableErrorLogging,
      directory: limits.errorLoggingDir,
      truncateSize: limits.errorLogFileTruncateSize,
    });
  }

  /** Requests that were waiting in a queue just disabled (or undeclared) get the queue's 503; an upgrade is dropped. */
  private refuseAll(requests: ListenerRequest[], reason: string): void {
    for (const request of requests) request.refuse((request.flags & RequestFlags.Upgrade) !== 0, reason);
  }

  // --- RequestQueueEvents ------------------------------------------------------------------------

  workerDemanded(queue: RequestQueue<ListenerRequest>, reason: DemandReason): void {
    const message = {
      type: 'WorkerDemanded',
      applicationPool: queue.name,
      reason,
      queuedRequests: queue.queuedRequests,
      attachedWorkers: queue.activeWorkers,
    } satisfies WorkerDemanded;
    this.logger.debug(message, `worker demanded for ${queue.name} (${reason})`);
    startupMark('httpsys WorkerDemanded');
    for (const channel of this.activationChannels) channel.notify(message);
  }

  queueActive(queue: RequestQueue<ListenerRequest>): void {
    const message = { type: 'RequestQueueActive', applicationPool: queue.name } satisfies RequestQueueActive;
    for (const channel of this.activationChannels) channel.notify(message);
  }

  /**
   * A channel that sent ApplyUrlGroups is the listener adapter's (w3svc's): activation is announced to it.
   * Query-only peers (inetmgr's kept connection, appcmd, `poolhost http`) are not woken by every demand.
   */
  programmedBy(channel: ControlChannel): void {
    if (this.activationChannels.has(channel)) return;
    this.activationChannels.add(channel);
    channel.onClose(() => this.activationChannels.delete(channel));
  }

  requestExpired(request: ListenerRequest): void {
    request.expire();
  }

  // --- WorkerConnectionHost ----------------------------------------------------------------------

  queueFor(applicationPool: string): RequestQueue<ListenerRequest> {
    let queue = this.state.queues.get(applicationPool);
    if (!queue) {
      queue = new RequestQueue<ListenerRequest>(applicationPool, this);
      this.state.queues.set(applicationPool, queue);
    }
    return queue;
  }

  workerAttached(worker: WorkerConnection): void {
    this.workers.add(worker);
  }

  workerGone(worker: WorkerConnection, _clean: boolean): void {
    this.workers.delete(worker);
    this.state.kernelCache.workerGone(worker);
    const queue = worker.queue;
    if (queue && !queue.declared && queue.attachedWorkers === 0 && queue.queuedRequests === 0) this.state.queues.delete(queue.name);
  }

  /** httpsys decided the promotion (it dispatches); was follows it through w3svc. */
  standbyPromoted(promoted: WorkerConnection, lost: WorkerConnection): void {
    const message = {
      type: 'StandbyPromoted',
      applicationPool: promoted.applicationPool,
      pid: promoted.pid,
      workerId: promoted.workerId,
      crashedPid: lost.pid,
      crashedWorkerId: lost.workerId,
    } satisfies StandbyPromoted;
    for (const channel of this.activationChannels) channel.notify(message);
  }

  workerDetached(worker: WorkerConnection): void {
    this.state.kernelCache.workerGone(worker);
  }

  lateCacheOffer(worker: WorkerConnection, streamId: number, payload: Buffer): void {
    this.state.kernelCache.refuseLateOffer(worker, streamId, payload);
  }

  private onWorkerConnection(socket: Socket): void {
    startupMark('httpsys data connection accepted');
    const worker = new WorkerConnection(socket, this, this.logger.child({ component: 'data-plane' }));
    socket.once('close', () => this.workers.delete(worker));
  }

  // --- timers ------------------------------------------------------------------------------------

  private sweep(): void {
    const now = Date.now();
    for (const queue of this.state.queues.values()) queue.sweep(now);
    this.state.kernelCache.scavenge(now);
    this.sweepConnections(now);
    this.drain.sweep(now);
    const minimumRate = this.state.limits.minBytesPerSecond;
    if (minimumRate <= 0) return;
    for (const worker of this.workers) {
      worker.forEachStream((request) => {
        if (!request.belowSendRate(now, minimumRate)) return;
        this.router.logHttpErr(request.head, request.carrier, undefined, request.site, 'Timer_MinBytesPerSecond', request.queue.name);
        request.cutOff();
      });
    }
  }

  /**
   * HeaderWait, IdleConnection, EntityBody and DrainEntityBody: checked here rather than with a timer per
   * connection. The connection timers use the connectionTimeout of the site its last request went to
   * (`webLimits` connectionTimeout before it has one).
   */
  private sweepConnections(now: number): void {
    const headerWait = headerWaitMs(this.state.limits);
    this.tlsFront.sweep(now, headerWait);
    this.http2.sweep(now, headerWait);
    const serverTimeout = this.state.limits.connectionTimeout;
    for (const connection of this.connections) {
      const timeout = connection.site?.connectionTimeout ?? serverTimeout;
      if (connection.receivingBody) {
        this.sweepEntityBody(connection, now, timeout);
      } else if (connection.headStartedAt !== 0) {
        if (now - connection.headStartedAt >= headerWait) this.intake.onHeaderWaitExpired(connection);
      } else if (connection.idleSince !== 0 && timeout > 0 && now - connection.idleSince >= timeout) {
        this.intake.onIdleTimeout(connection);
      }
    }
  }

  /**
   * EntityBody: re-armed whenever body bytes arrived since the last sweep, paused while httpsys itself
   * stopped reading (the worker's flow control, pipelining). DrainEntityBody: the whole drain of a body
   * whose response is already written.
   */
  private sweepEntityBody(connection: ClientConnection, now: number, timeout: number): void {
    if (connection.drainingSince !== 0) {
      if (timeout > 0 && now - connection.drainingSince >= timeout) this.intake.onEntityBodyExpired(connection);
      return;
    }
    if (connection.readBlocked || connection.bodyBytes !== connection.bodyBytesChecked) {
      connection.bodyBytesChecked = connection.bodyBytes;
      connection.bodyWaitSince = now;
      return;
    }
    if (timeout > 0 && now - connection.bodyWaitSince >= timeout) this.intake.onEntityBodyExpired(connection);
  }

  // --- DrainableListener ------------------------------------------------------------------------

  closeListeners(): Promise<EndpointFailure[]> {
    return this.endpoints.pause();
  }

  reopenListeners(): Promise<EndpointFailure[]> {
    return this.endpoints.resume();
  }

  closeConnectionsAtResponseBoundary(): void {
    for (const connection of this.connections) connection.closeAtResponseBoundary();
    this.http2.goAwayAll();
  }

  openConnections(): number {
    return this.connections.size + this.http2.sessions.size + this.tlsFront.handshakesInProgress;
  }

  cutConnections(): number {
    const open = this.openConnections();
    this.tlsFront.destroyAll();
    this.http2.destroyAll();
    for (const connection of this.connections) connection.socket.destroy();
    return open;
  }

  // --- observability -----------------------------------------------------------------------------

  /** HTTP Service Request Queues, Web Service, HTTP Service Url Groups and HTTPERR counters, copied for GetListenerCounters. */
  counters(): ListenerCounters {
    const now = Date.now();
    const cache = this.state.kernelCache.store;
    const requestQueues: RequestQueueCounterSet[] = [...this.state.queues.values()].map((queue) => queue.snapshot(now, cache.hitsOf(queue.name)));
    // Bytes of open connections are read from their sockets now; closed ones were added as they closed.
    const openBytes = new Map<number, { sent: number; received: number }>();
    for (const connection of this.connections) {
      const site = connection.countedSite;
      if (!site) continue;
      const bytes = openBytes.get(site.siteId) ?? { sent: 0, received: 0 };
      bytes.sent += connection.socket.bytesWritten;
      bytes.received += connection.socket.bytesRead;
      openBytes.set(site.siteId, bytes);
    }
    for (const session of this.http2.sessions) {
      const site = session.countedSite;
      if (!site) continue;
      const bytes = openBytes.get(site.siteId) ?? { sent: 0, received: 0 };
      bytes.sent += session.socket.bytesWritten;
      bytes.received += session.socket.bytesRead;
      openBytes.set(site.siteId, bytes);
    }
    const sites: WebServiceCounterSet[] = [];
    const urlGroups: UrlGroupCounterSet[] = [];
    for (const site of this.siteCounters.all()) {
      const bytes = openBytes.get(site.siteId);
      const webService = site.snapshot(bytes?.sent ?? 0, bytes?.received ?? 0);
      sites.push(webService);
      urlGroups.push(site.urlGroupSnapshot(webService));
    }
    return {
      type: 'ListenerCounters',
      startedAt: this.startedAt,
      requestQueues,
      sites,
      urlGroups,
      httpErr: this.httpErrLog.reasons.snapshot(),
      tlsHandshakesInProgress: this.tlsFront.handshakesInProgress,
      tlsHandshakeFailures: this.handshakeFailures.snapshot(),
      tlsHandshakes: this.handshakeCompletions.snapshot(),
      responseCache: this.state.kernelCache.counters(),
      drain: this.drain.state,
    };
  }

  /** The kernel response cache (`poolhost http show cachestate`, `http delete cache`). */
  get kernelCache(): KernelCache {
    return this.state.kernelCache;
  }

  /** The port bound for an endpoint key such as `*:8080` (tests bind port 0 through a real binding). */
  boundPort(endpointKey: string): number | null {
    return this.endpoints.address(endpointKey);
  }

  /** Buffered HTTPERR lines are written out (tests, shutdown). */
  flushHttpErrLog(): Promise<void> {
    return this.httpErrLog.flush();
  }
}

export async function createHttpSys(options: HttpSysOptions): Promise<HttpSys> {
  const httpSys = new HttpSys(options);
  await httpSys.start();
  return httpSys;
}

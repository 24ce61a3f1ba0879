// w3wp: loads the pool's applications, attaches to the pool's request queue in httpsys over the data
// plane, answers was on the control channel, and drains on stop.
import { startupMark } from '@poolhost/common/startup-trace';
import { Socket } from 'node:net';
import type { Logger } from 'pino';
import { applicationPoolProtocols, loadApplicationHostConfig } from '@poolhost/config';
import {
  ControlChannel,
  connectUnixSocket,
  createWorkerRequestCounters,
  socketPath,
  type ExecutingRequest,
  type Transport,
  type WorkerRequestCounters,
} from '@poolhost/protocol';
import { DataConnection } from './data-plane/data-connection.js';
import { NetTcpListenerChannel } from './net-tcp/net-tcp-listener-channel.js';
import { warmUp } from './hosting/application-initialization.js';
import { warmUpPlans } from './hosting/warm-up-plans.js';
import { monitorEventLoopDelaySoon, readRuntimeCounters } from './counters/worker-request-counters.js';
import { fileCacheCounters } from './handlers/static-file-handler.js';
import { poolApplications } from './configuration/pool-applications.js';
import { iisnodeApplications, loadApplications } from './hosting/load-applications.js';
import { controlHandlers } from './control/control-handlers.js';
import { WorkerExitCode } from './exit-codes.js';
import type { ApplicationTable } from './hosting/application-table.js';
import { WorkerServices } from './pipeline/worker-services.js';
import { httpContextOf } from './pipeline/http-context.js';
import { REQUEST_STAGES } from './pipeline/request-stage.js';

export interface WorkerProcessOptions {
  applicationPool: string;
  configFile: string;
  /** Where applicationHost.config is: relative physical paths map there, not to the pool's file's folder. */
  configDirectory?: string;
  runDirectory: string;
  workerId: string;
  /** An inherited, already connected socket to httpsys-data (POOLHOST_DATA_FD). */
  dataFd?: number;
  /** An inherited, already connected socket to the net.tcp activator (POOLHOST_NET_TCP_FD). */
  netTcpFd?: number;
  /** Requests taken at once (declared in ATTACH). */
  capacity: number;
  /** The control connection to was (the socket on POOLHOST_CONTROL_FD), when there is one. */
  control: Transport | null;
  /** A spare's channel to was, already open (its handlers are replaced by the worker's); else one is opened on `control`. */
  channel?: ControlChannel;
  /** A spare's data socket, already open and watched; else `dataFd` or a new connection. */
  dataSocket?: Socket;
  logger: Logger;
  exit(code: number): void;
}

/** The margin kept before shutdownTimeLimit so was never has to kill a draining worker. */
function shutdownMargin(limitMs: number): number {
  return Math.min(1_000, Math.floor(limitMs * 0.1));
}

export class WorkerProcess {
  private connection: DataConnection | null = null;
  /** The pool's net.tcp connections, when an application of it is reachable over net.tcp. */
  private netTcp: NetTcpListenerChannel | null = null;
  private channel: ControlChannel | null = null;
  private applications: ApplicationTable | null = null;
  private shutdownTimeLimit = 90_000;
  private stopping: Promise<void> | null = null;
  private readonly logger: Logger;
  readonly services: WorkerServices;

  constructor(private readonly options: WorkerProcessOptions) {
    this.logger = options.logger;
    this.services = new WorkerServices(options.applicationPool, options.logger);
    // Buffered W3C log lines are written before the process ends, however it ends.
    process.once('exit', () => {
      this.services.flush();
      // iisnode applications' node processes never outlive their worker.
      for (const application of iisnodeApplications) application.close();
    });
  }

  /** Requests served, with net.tcp connections counted as requests (idle timeout and recycling by count see them). */
  get requestsServed(): number {
    return (this.connection?.requestsServed ?? 0) + (this.netTcp?.connectionsServed ?? 0);
  }

  /** The pool's processModel.shutdownTimeLimit (ms), once the configuration is read. */
  get configuredShutdownTimeLimit(): number {
    return this.shutdownTimeLimit;
  }

  get requestsInFlight(): number {
    return (this.connection?.inFlight ?? 0) + (this.netTcp?.openConnections ?? 0);
  }

  /** W3SVC_W3WP counters (zeros before the data connection exists). */
  get requestCounters(): WorkerRequestCounters {
    const connection = this.connection;
    return {
      ...(connection ? connection.counters : createWorkerRequestCounters()),
      websocketActiveRequests: connection?.upgradedStreams ?? 0,
      ...readRuntimeCounters(),
      fileCache: fileCacheCounters,
    };
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.channel) {
      this.channel = options.channel;
      this.channel.handle(controlHandlers(this));
    } else if (options.control) {
      this.channel = new ControlChannel(options.control, {
        peer: 'was',
        handlers: controlHandlers(this),
        onProtocolError: (error) => this.logger.warn({ err: error }, 'control protocol error'),
      });
    }
    if (this.channel) {
      // No worker may outlive its was.
      this.channel.onClose(() => void this.stop('was disconnected', this.shutdownTimeLimit));
    }
    try {
      startupMark('w3wp start');
      const config = loadApplicationHostConfig(options.configFile, options.configDirectory !== undefined ? { configDirectory: options.configDirectory } : {});
      const pool = config.applicationPools.find((candidate) => candidate.name.toLowerCase() === options.applicationPool.toLowerCase());
      if (!pool) throw new Error(`application pool "${options.applicationPool}" is not declared in ${options.configFile}`);
      this.shutdownTimeLimit = pool.processModel.shutdownTimeLimit;
      startupMark('w3wp configuration read');
      const applications = poolApplications(config, pool.name, this.logger);
      this.applications = await loadApplications(
        applications,
        {
          listenWaitMs: Math.min(pool.processModel.startupTimeLimit, 10_000),
          portPlaceholder: `\\\\.\\pipe\\poolhost-${process.pid}`,
          runDirectory: options.runDirectory,
          // iisnode's recycle signal: IIS's RecycleProcess, here was's overlapped recycle of this worker.
          // iisnode's recycle signal: an overlapped recycle now (5078), as iisnode recycles at once.
          requestRecycle: () => this.channel?.notify({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail: 'the application wrote "recycle" to IISNODE_CONTROL_PIPE' }),
        },
        this.services,
        this.logger,
      );
      startupMark('w3wp applications loaded');
      // Application Initialization: preloadEnabled applications answer their warm-up requests before
      // the worker attaches to its queue and reports ready (leaving 1 s of startupTimeLimit for that).
      await warmUp(warmUpPlans(applications, this.applications, this.logger), options.runDirectory, Math.max(1_000, pool.processModel.startupTimeLimit - 1_000), this.logger);
      // The listener adapters this pool's applications are reachable through (docs/non-http-activation.md).
      const protocols = applicationPoolProtocols(config, pool.name);
      if (protocols.includes('net.tcp')) {
        const activator = options.netTcpFd !== undefined
          ? new Socket({ fd: options.netTcpFd, readable: true, writable: true })
          : await connectUnixSocket(socketPath(options.runDirectory, 'net-tcp-data'));
        // Closed by stop() itself once drained; only an unplanned loss ends the worker.
        this.netTcp = new NetTcpListenerChannel(
          this.applications,
          this.logger,
          () => {
            if (!this.stopping) this.onDataConnectionLost();
          },
          // After an activator restart the worker connects itself (was handed it only the first connection).
          () => connectUnixSocket(socketPath(options.runDirectory, 'net-tcp-data')),
        );
        await this.netTcp.attach(activator, pool.name, options.workerId);
      }
      if (protocols.includes('http')) {
        const socket = options.dataSocket ?? (options.dataFd !== undefined
          ? new Socket({ fd: options.dataFd, readable: true, writable: true })
          : await connectUnixSocket(socketPath(options.runDirectory, 'httpsys-data')));
        this.connection = new DataConnection(socket, this.applications, {
          lost: () => this.onDataConnectionLost(),
          streamEnded: () => this.drainProgress?.(),
        }, this.logger);
        startupMark('w3wp ATTACH');
        await this.connection.attach(pool.name, options.capacity, options.workerId);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error }, `worker failed to start: ${message}`);
      this.channel?.notify({ type: 'WorkerStartupFailed', message });
      this.connection?.socket.destroy();
      this.netTcp?.close();
      setImmediate(() => options.exit(WorkerExitCode.Failed));
      throw error;
    }
    this.logger.info({ applications: this.applications.all.length, capacity: options.capacity }, 'worker attached and ready');
    monitorEventLoopDelaySoon();
    const channel = this.channel;
    if (channel) {
      channel.notify({ type: 'WorkerReady', pid: process.pid, capacity: options.capacity });
      this.services.recycleRequestsTo((detail) => channel.notify({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail, applicationFailedToLoad: true }));
    }
  }

  private drainProgress: (() => void) | null = null;

  /** Resolves when httpsys has confirmed the DETACH sent by stop() (or at once with no connection). */
  stoppedTakingRequests(): Promise<void> {
    const connection = this.connection;
    const detached = [...(this.netTcp ? [this.netTcp.detach()] : []), ...(connection && !connection.socket.destroyed ? [connection.detach()] : [])];
    if (detached.length === 0) return Promise.resolve();
    return withTimeout(Promise.all(detached).then(() => undefined), 2_000);
  }

  /**
   * Stop: DETACH (httpsys sends nothing new), let requests in flight finish, cut long-lived streams
   * (upgrades, SSE) at shutdownTimeLimit minus a margin, close the data connection, exit 0.
   */
  stop(reason: string, shutdownTimeLimit: number): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const connection = this.connection;
      this.logger.info({ reason, shutdownTimeLimit }, `worker stopping (${reason})`);
      const deadline = Date.now() + Math.max(0, shutdownTimeLimit - shutdownMargin(shutdownTimeLimit));
      // net.tcp: no new connection; the open ones (long-lived, often) run until they end or the deadline.
      const netTcp = this.netTcp;
      const tcpDrained = netTcp
        ? (async () => {
            await withTimeout(netTcp.detach(), Math.max(0, deadline - Date.now()));
            await netTcp.drain(deadline);
            if (netTcp.openConnections > 0) this.logger.warn({ connections: netTcp.openConnections }, 'shutdown time limit reached; closing the remaining net.tcp connections');
            netTcp.close();
          })()
        : Promise.resolve();
      if (connection && !connection.socket.destroyed) {
        await withTimeout(connection.detach(), Math.max(0, deadline - Date.now()));
        await new Promise<void>((resolve) => {
          const check = (): void => {
            if (connection.streams.size === 0) resolve();
          };
          this.drainProgress = check;
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          timer.unref();
          check();
        });
        this.drainProgress = null;
        if (connection.streams.size > 0) {
          this.logger.warn({ streams: connection.streams.size }, 'shutdown time limit reached; closing the remaining streams');
          for (const stream of [...connection.streams.values()]) stream.cut();
        }
        await connection.close();
      }
      await tcpDrained;
      this.logger.info('worker stopped');
      this.channel?.close();
      this.options.exit(WorkerExitCode.Stopped);
    })();
    return this.stopping;
  }

  private onDataConnectionLost(): void {
    if (this.stopping && (this.connection?.streams.size ?? 0) === 0) return;
    this.logger.error(`lost a data connection (httpsys or the net.tcp activator); exiting with ${WorkerExitCode.DataConnectionLost}`);
    this.options.exit(WorkerExitCode.DataConnectionLost);
  }

  /** An application threw and nothing caught it: answer what can still be answered, then crash. */
  crash(error: unknown): void {
    this.logger.fatal({ err: error }, 'unhandled exception in application code; the worker process ends');
    const connection = this.connection;
    if (connection) {
      for (const stream of connection.streams.values()) stream.failWithServerError();
      connection.writer.flush();
    }
    this.options.exit(WorkerExitCode.Failed);
  }

  executingRequests(): ExecutingRequest[] {
    const connection = this.connection;
    const now = Date.now();
    const requests: ExecutingRequest[] = [];
    // net.tcp connections are shown as requests, with their age (issue #19).
    this.netTcp?.executingRequests(now, requests);
    if (!connection) return requests;
    for (const stream of connection.streams.values()) {
      const context = httpContextOf(stream.req);
      requests.push({
        requestId: `${process.pid.toString(16).padStart(8, '0')}${stream.id.toString(16).padStart(8, '0')}`,
        siteId: stream.head.siteId,
        verb: stream.head.method,
        url: stream.head.url,
        clientIp: stream.head.clientIp,
        stage: context ? (REQUEST_STAGES[context.stageIndex] ?? 'EndRequest') : 'ExecuteRequestHandler',
        module: context ? context.module : stream.upgraded ? 'iisnode' : 'IIS Web Core',
        elapsedMs: now - stream.startedAt,
      });
    }
    return requests;
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

export async function createWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const worker = new WorkerProcess(options);
  await worker.start();
  return worker;
}

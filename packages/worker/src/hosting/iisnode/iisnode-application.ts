// An iisnode application (docs/hosting.md, "iisnode's hosting"): its entry script runs in Node processes
// this worker starts, as iisnode runs node.exe processes from w3wp.exe, and its `<iisnode>` settings
// (with iisnode.yml over them) mean what they mean under iisnode: NODE_ENV and appSettings in the
// processes' environment, process count and per-process request limit, watched files that recycle the
// processes overlapped, log files with quotas, the developer error page, iisnode-debug, promoted
// server variables, x-forwarded-for, the recycle signal.
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../../pipeline/http-context.js';
import { addForwardedHeaders } from '../../pipeline/forwarded-headers.js';
import { serverVariable } from '../../pipeline/server-variables.js';
import type { ProcessNodeHost } from '../node-host.js';
import { readConfigOverrides, ConfigOverridesError } from './config-overrides.js';
import type { ControlPipe } from './control-pipe.js';
import { configOverridesErrorPage, configurationErrorPage, devErrorPage } from './dev-error-page.js';
import { iisnodeAttributesWithoutEffect, resolveIisnodeSettings, type IisnodeSettings } from './iisnode-settings.js';
import { LogDirectory } from './log-directory.js';
import { NodeProcessManager, NotEnoughQuota, type ProcessSlotSpec } from './node-process-manager.js';
import { NodeProcessFailure, type NodeProcess } from './node-process.js';
import { proxyToNode, proxyUpgradeToNode } from './proxy-to-node.js';
import { watchFiles, type WatchedFilesHandle } from './watched-files.js';

export interface IisnodeApplicationOptions {
  entryScript: string;
  /** The `<iisnode>` section of the effective configuration. */
  section: RawElement | undefined;
  /** `<appSettings>` of the application's web.config files, read when the processes start. */
  appSettings: () => Map<string, string>;
  /** Where the processes' sockets go (the run directory). */
  socketDirectory: string;
  /** poolhost's interceptor script. */
  defaultInterceptor: string;
  controlPipe: ControlPipe;
  /** A short name unique in this worker, for socket names. */
  id: string;
  logger: Logger;
}

/** iisnode's HRESULTs on its error pages: the pipe could not be opened (2), it broke (0x6d). */
const HRESULT = { fileNotFound: 0x2, brokenPipe: 0x6d, configuration: 0x80070057 } as const;

export class IisnodeApplication implements ProcessNodeHost {
  readonly kind = 'iisnode-process' as const;
  readonly entryScript: string;
  private readonly folder: string;
  private settings: IisnodeSettings | null = null;
  private settingsError: Error | null = null;
  private manager: NodeProcessManager | null = null;
  private watcher: WatchedFilesHandle | null = null;
  private totalRequests = 0;

  constructor(private readonly options: IisnodeApplicationOptions) {
    this.entryScript = options.entryScript;
    this.folder = dirname(options.entryScript);
    this.readSettings();
    this.watch();
  }

  acceptsUpgrade(): boolean {
    return this.settings !== null;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const settings = this.settings;
    if (!settings || !this.manager) return void socket.destroy();
    if (settings.enableXFF) addForwardedHeaders(req, false);
    let process: NodeProcess;
    try {
      process = this.manager.pick();
    } catch {
      return void socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    }
    process.ready.then(
      () => proxyUpgradeToNode(req, socket, head, process),
      () => socket.end('HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'),
    );
  }

  execute(context: HttpContext): void {
    const settings = this.settings;
    if (settings === null || this.manager === null) return this.configurationError(context);
    const { req, application } = context;
    if (settings.enableXFF) addForwardedHeaders(req, application.isHttps(req.socket.localPort ?? 0));
    for (const name of settings.promoteServerVars) {
      const value = serverVariable(context, name);
      if (value !== '') req.headers[`x-iisnode-${name.toLowerCase()}`] = value;
    }
    let process: NodeProcess;
    try {
      process = this.manager.pick();
    } catch (error) {
      if (error instanceof NotEnoughQuota) return context.sendError(503, 1000, error);
      throw error;
    }
    this.totalRequests++;
    const startedAt = Date.now();
    context.pipeline.resumeAfterResponse(context);
    const extraHeaders = settings.debugHeaderEnabled ? (node: NodeProcess) => ['iisnode-debug', this.debugHeader(settings, node, startedAt)] : null;
    process.ready.then(
      () => proxyToNode(context, process, {
        extraHeaders,
        // The process is likely ending: its last stderr lines (the exception) belong on the page.
        failed: (error) => afterExitOrSoon(process, () => this.fail(context, settings, process, 1013, 'Internal Server Error', HRESULT.brokenPipe, error)),
      }),
      (failure: unknown) => {
        const subStatus = failure instanceof NodeProcessFailure ? failure.subStatus : 1001;
        this.fail(context, settings, process, subStatus, 'Internal Server Error', HRESULT.fileNotFound, failure);
      },
    );
  }

  close(): void {
    this.watcher?.close();
    this.manager?.close();
  }

  /** iisnode's answer to an error it detects: the dev error page (200) or IIS's 500.10xx page. */
  private fail(context: HttpContext, settings: IisnodeSettings, process: NodeProcess, subStatus: number, reason: string, hresult: number, error: unknown): void {
    this.options.logger.warn({ err: error, nodePid: process.pid, subStatus }, `iisnode could not process the request (HTTP 500.${subStatus}): ${(error as Error).message}`);
    const res = context.res;
    if (res.headersSent) return void res.destroy();
    if (!settings.devErrorsEnabled) return context.sendError(500, subStatus, error);
    context.subStatus = subStatus;
    res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-cache' });
    res.end(devErrorPage(500, subStatus, reason, hresult, process.stderr(), settings.loggingEnabled));
  }

  /** web.config's `<iisnode>` or iisnode.yml cannot be used: iisnode's page for a local caller, 500.1000 otherwise. */
  private configurationError(context: HttpContext): void {
    const error = this.settingsError!;
    if (!isLocalCall(context.req)) return context.sendError(500, 1000, error);
    context.subStatus = 1000;
    context.res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-cache' });
    context.res.end(error instanceof ConfigOverridesError ? configOverridesErrorPage(error.message) : configurationErrorPage(error.message));
  }

  private debugHeader(settings: IisnodeSettings, node: NodeProcess, startedAt: number): string {
    const memory = process.memoryUsage();
    const manager = this.manager!;
    const active = manager.processes.reduce((sum, candidate) => sum + candidate.activeRequests, 0);
    return (
      `http://bit.ly/NsU2nd#iisnode_ver=poolhost&node=${settings.nodeProcessCommandLine}&dns=${hostname()}` +
      `&worker_pid=${process.pid}&node_pid=${node.pid}&worker_mem_ws=${Math.round(memory.rss / 1024)}&worker_mem_pagefile=${Math.round(memory.heapTotal / 1024)}` +
      `&app_processes=${manager.processes.length}&process_active_req=${node.activeRequests}&app_active_req=${active}` +
      `&worker_total_req=${this.totalRequests}&np_retry=0&req_time=${Date.now() - startedAt}&hresult=0`
    );
  }

  /** (Re)reads web.config's section and iisnode.yml; a bad value keeps the application answering with iisnode's error page. */
  private readSettings(): void {
    const section = this.options.section;
    try {
      const overridesName = resolveIisnodeSettings(section).configOverrides;
      const overridesFile = resolve(this.folder, overridesName);
      const overrides = overridesName ? readConfigOverrides(overridesFile) : new Map<string, string>();
      try {
        this.settings = resolveIisnodeSettings(section, overrides);
      } catch (error) {
        // web.config's values passed alone: the bad value is iisnode.yml's.
        throw new ConfigOverridesError(overridesFile, 0, (error as Error).message);
      }
      this.settingsError = null;
      this.reportAttributesWithoutEffect(section);
    } catch (error) {
      this.options.logger.error({ err: error }, `iisnode settings of ${this.entryScript} cannot be used: ${(error as Error).message}`);
      this.settings = null;
      this.settingsError = error as Error;
    }
  }

  private reportedWithoutEffect = '';

  /** Logged once per distinct list (a watchedFiles re-read that changes nothing stays quiet). */
  private reportAttributesWithoutEffect(section: RawElement | undefined): void {
    const withoutEffect = iisnodeAttributesWithoutEffect(section, 'node processes');
    const text = withoutEffect.join(', ');
    if (text === this.reportedWithoutEffect) return;
    this.reportedWithoutEffect = text;
    if (text !== '') this.options.logger.warn({ attributes: withoutEffect }, `iisnode settings of ${this.entryScript} that have no effect on poolhost: ${text}`);
  }

  private slotSpec(settings: IisnodeSettings): ProcessSlotSpec {
    const { executable, executableArguments } = nodeCommandLine(settings.nodeProcessCommandLine);
    const interceptor = customInterceptor(settings.interceptor, this.folder) ?? this.options.defaultInterceptor;
    const logs = settings.loggingEnabled
      ? new LogDirectory(resolve(this.folder, settings.logDirectory), {
          maxFileBytes: settings.maxLogFileSizeInKB * 1024,
          maxTotalBytes: settings.maxTotalLogFileSizeInKB * 1024,
          maxFiles: settings.maxLogFiles,
        })
      : null;
    const environment: NodeJS.ProcessEnv = { ...process.env, IISNODE_VERSION: 'poolhost' };
    delete environment.POOLHOST_DATA_FD;
    delete environment.NODE_CHANNEL_FD;
    for (const [key, value] of this.options.appSettings()) environment[key] = value;
    if (settings.node_env !== '' && settings.node_env.toLowerCase() !== '%node_env%') environment.NODE_ENV = settings.node_env;
    if (settings.recycleSignalEnabled) environment.IISNODE_CONTROL_PIPE = this.options.controlPipe.open();
    return {
      count: settings.nodeProcessCountPerApplication,
      maxConcurrentRequests: settings.maxConcurrentRequestsPerProcess,
      gracefulShutdownTimeout: settings.gracefulShutdownTimeout,
      spec: (generation, index) => ({
        executable,
        executableArguments,
        interceptor,
        entryScript: this.entryScript,
        folder: this.folder,
        socketPath: join(this.options.socketDirectory, `${this.options.id}-${generation}-${index}.sock`),
        environment,
        readyWithinMs: Math.max(1, settings.maxNamedPipeConnectionRetry) * Math.max(1, settings.namedPipeConnectionRetryDelay),
        logs,
      }),
    };
  }

  /** Starts watching the files named by watchedFiles (iisnode.yml among them by default), and the processes' manager. */
  private watch(): void {
    if (this.settings) this.manager = new NodeProcessManager(this.slotSpec(this.settings), this.options.logger);
    const watchedFiles = this.settings?.watchedFiles ?? '*.js;iisnode.yml';
    this.watcher = watchFiles(this.folder, watchedFiles, (files) => this.onWatchedFilesChanged(files));
  }

  private onWatchedFilesChanged(files: string[]): void {
    const before = this.settings?.watchedFiles;
    this.readSettings();
    const reason = `watched files changed: ${[...new Set(files)].join(', ')}`;
    if (this.settings === null) return;
    if (this.manager === null) this.manager = new NodeProcessManager(this.slotSpec(this.settings), this.options.logger);
    else void this.manager.recycle(reason, this.slotSpec(this.settings));
    if (this.settings.watchedFiles !== before) {
      this.watcher?.close();
      this.watcher = watchFiles(this.folder, this.settings.watchedFiles, (changed) => this.onWatchedFilesChanged(changed));
    }
  }
}

/** nodeProcessCommandLine: iisnode's default `node.exe` (or any node.exe path) is this worker's Node; otherwise the executable and its arguments as written. */
export function nodeCommandLine(commandLine: string): { executable: string; executableArguments: string[] } {
  const words = [...commandLine.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
  const [first = 'node.exe', ...rest] = words;
  const isWindowsNode = /(^|[\\/])node(\.exe)?$/i.test(first) && (first.includes('\\') || first.toLowerCase().endsWith('.exe') || first === 'node');
  if (isWindowsNode && !existsSync(first)) return { executable: process.execPath, executableArguments: rest };
  return { executable: first, executableArguments: rest };
}

/** interceptor: iisnode's default (a path to its interceptor.js) means poolhost's; another existing script is used as written. */
function customInterceptor(interceptor: string, folder: string): string | null {
  const path = interceptor.replace(/^"|"$/g, '').trim();
  if (path === '' || /[\\/]iisnode[\\/]interceptor\.js$/i.test(path)) return null;
  const absolute = isAbsolute(path) ? path : resolve(folder, path);
  return existsSync(absolute) ? absolute : null;
}

/** iisnode's IsLocalCall: loopback on either side, or the client's address is the server's. */
function isLocalCall(req: IncomingMessage): boolean {
  const remote = req.socket.remoteAddress ?? '';
  const local = req.socket.localAddress ?? '';
  const loopback = (address: string): boolean => address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  return remote === local || loopback(remote) || loopback(local);
}

function afterExitOrSoon(process: NodeProcess, then: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    then();
  };
  const timer = setTimeout(once, 1_000);
  process.onceExited(once);
}

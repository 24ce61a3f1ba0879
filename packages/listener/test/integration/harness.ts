// Test harness: httpsys built in-process from its factory on a temp run directory, programmed over a
// real control socket, with real w3wp children (the bundled executable) attached to a temp config.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import {
  ControlChannel,
  connectControlSocket,
  createSocketTransport,
  executablePath,
  socketPath,
  type ApplyUrlGroups,
  type ControlMessage,
  type ListenerLimits,
  type RequestQueueSettings,
  type RequestQueueState,
  type UrlGroup,
} from '@poolhost/protocol';
import { createHttpSys, type HttpSys, type HttpSysOptions } from '../../src/index.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PoolSpec {
  name: string;
  queueLength?: number;
  maxProcesses?: number;
  loadBalancerCapabilities?: 'HttpLevel' | 'TcpLevel';
  enabled?: boolean;
  /** Files of the application folder (path -> content). */
  files: Record<string, string>;
  /** Application path on site 1; `/` by default. */
  path?: string;
}

export class Harness {
  readonly root = mkdtempSync(join(tmpdir(), 'poolhost-listener-'));
  readonly runDirectory = join(this.root, 'run');
  readonly logDirectory = join(this.root, 'httperr');
  readonly configFile = join(this.root, 'applicationHost.config');
  httpSys!: HttpSys;
  control!: ControlChannel;
  port = 0;
  /** A second port with explicit-host bindings only (www.contoso.com started, stopped.example stopped). */
  hostOnlyPort = 0;
  readonly children = new Set<ChildProcess>();
  private workersStarted = 0;
  readonly events: ControlMessage[] = [];
  private readonly controls = new WeakMap<ChildProcess, ControlChannel>();

  constructor(
    readonly pools: PoolSpec[],
    readonly limitOverrides: Partial<ListenerLimits> = {},
    readonly connectionTimeout = 120_000,
    /** More options for httpsys (shared configuration, redirection.config followed). */
    readonly httpSysOptions: Partial<HttpSysOptions> = {},
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    this.hostOnlyPort = await freePort();
    this.writeConfig();
    const logger = pino({ level: process.env.POOLHOST_TEST_LOG ?? 'silent' });
    this.httpSys = await createHttpSys({ runDirectory: this.runDirectory, logger, ...this.httpSysOptions });
    this.control = await connectControlSocket(socketPath(this.runDirectory, 'httpsys'), {
      peer: 'httpsys',
      handlers: {
        WorkerDemanded: (message) => {
          this.events.push(message);
        },
        StandbyPromoted: (message) => {
          this.events.push(message);
        },
      },
    });
    await this.apply();
  }

  limits(): ListenerLimits {
    return {
      headerWaitTimeout: 0,
      connectionTimeout: 120_000,
      minBytesPerSecond: 240,
      maxFieldLength: 16_384,
      maxRequestBytes: 16_384,
      urlSegmentMaxLength: 260,
      urlSegmentMaxCount: 255,
      enableErrorLogging: true,
      errorLoggingDir: this.logDirectory,
      errorLogFileTruncateSize: 1_048_576,
      enableHttp2Tls: true,
      enableHttp2Cleartext: false,
      http2MaxConcurrentStreams: 100,
      http2MaxStreamResetsPerMinute: 1000,
      http2HeaderTableSize: 4096,
      uriEnableCache: true,
      uriMaxUriBytes: 262144,
      uriScavengerPeriod: 120,
      maxCacheSize: 0,
      ...this.limitOverrides,
    };
  }

  urlGroups(siteState: UrlGroup['state'] = 'Started'): UrlGroup[] {
    return [
      {
        siteId: 1,
        siteName: 'Default Web Site',
        state: siteState,
        bindings: [
          { protocol: 'http', bindingInformation: `*:${this.port}:`, ip: '*', port: this.port, host: '' },
        ],
        applications: this.pools.map((pool) => ({ path: pool.path ?? '/', applicationPool: pool.name })),
        connectionTimeout: this.connectionTimeout,
        maxConnections: 4294967295,
        maxBandwidth: 4294967295,
        maxUrlSegments: 32,
      },
      {
        siteId: 2,
        siteName: 'Contoso',
        state: 'Started',
        bindings: [{ protocol: 'http', bindingInformation: `*:${this.hostOnlyPort}:www.contoso.com`, ip: '*', port: this.hostOnlyPort, host: 'www.contoso.com' }],
        applications: [{ path: '/', applicationPool: this.pools[0]!.name }],
        connectionTimeout: this.connectionTimeout,
        maxConnections: 4294967295,
        maxBandwidth: 4294967295,
        maxUrlSegments: 32,
      },
      {
        siteId: 3,
        siteName: 'Stopped',
        state: 'Stopped',
        bindings: [{ protocol: 'http', bindingInformation: `*:${this.hostOnlyPort}:stopped.example`, ip: '*', port: this.hostOnlyPort, host: 'stopped.example' }],
        applications: [{ path: '/', applicationPool: this.pools[0]!.name }],
        connectionTimeout: this.connectionTimeout,
        maxConnections: 4294967295,
        maxBandwidth: 4294967295,
        maxUrlSegments: 32,
      },
    ];
  }

  message(siteState: UrlGroup['state'] = 'Started'): ApplyUrlGroups {
    const requestQueues: RequestQueueSettings[] = this.pools.map((pool) => ({
      applicationPool: pool.name,
      queueLength: pool.queueLength ?? 1000,
      loadBalancerCapabilities: pool.loadBalancerCapabilities ?? 'HttpLevel',
      maxProcesses: pool.maxProcesses ?? 1,
    }));
    const queueStates: RequestQueueState[] = this.pools.map((pool) =>
      pool.enabled === false ? { applicationPool: pool.name, enabled: false, disabledReason: 'AppOffline' } : { applicationPool: pool.name, enabled: true },
    );
    return { type: 'ApplyUrlGroups', urlGroups: this.urlGroups(siteState), requestQueues, queueStates, limits: this.limits() };
  }

  async apply(siteState: UrlGroup['state'] = 'Started'): Promise<ControlMessage> {
    return this.control.request(this.message(siteState));
  }

  private writeConfig(): void {
    const pools = this.pools.map((pool) => `      <add name="${pool.name}" />`).join('\n');
    const applications = this.pools
      .map((pool) => {
        const folder = join(this.root, 'apps', pool.name);
        mkdirSync(folder, { recursive: true });
        for (const [file, content] of Object.entries(pool.files)) {
          mkdirSync(join(folder, file, '..'), { recursive: true });
          writeFileSync(join(folder, file), content);
        }
        return `        <application path="${pool.path ?? '/'}" applicationPool="${pool.name}">\n          <virtualDirectory path="/" physicalPath="${folder}" />\n        </application>`;
      })
      .join('\n');
    writeFileSync(
      this.configFile,
      `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
${pools}
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
${applications}
        <bindings>
          <binding protocol="http" bindingInformation="*:${this.port}:" />
        </bindings>
      </site>
      <site name="Contoso" id="2">
        <application path="/" applicationPool="${this.pools[0]!.name}">
          <virtualDirectory path="/" physicalPath="${join(this.root, 'apps', this.pools[0]!.name)}" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="*:${this.hostOnlyPort}:www.contoso.com" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
`,
    );
  }

  /** Spawns w3wp for a pool as was does (control connection on fd 3, env), resolving once it reports ready. */
  startWorker(pool: string, extraEnv: Record<string, string> = {}, execArgv: string[] = []): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...execArgv, executablePath('w3wp'), '-ap', pool], {
      env: {
        ...process.env,
        APP_POOL_ID: pool,
        POOLHOST_CONFIG: this.configFile,
        POOLHOST_RUN_DIR: this.runDirectory,
        POOLHOST_WORKER_ID: `${pool}-${++this.workersStarted}`,
        POOLHOST_LOG_LEVEL: process.env.POOLHOST_TEST_LOG ?? 'warn',
        POOLHOST_CONTROL_FD: '3',
        ...extraEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return new Promise((resolve, reject) => {
      this.controls.set(
        child,
        new ControlChannel(createSocketTransport(child.stdio[3] as Socket), {
          peer: `w3wp ${child.pid}`,
          handlers: {
            WorkerReady: () => resolve(child),
            WorkerStartupFailed: (message) => reject(new Error(message.message)),
          },
        }),
      );
      child.once('exit', (code) => reject(new Error(`w3wp exited with ${code} before it was ready`)));
    });
  }

  /** was's end of a started worker's control channel. */
  controlOf(child: ChildProcess): ControlChannel {
    const control = this.controls.get(child);
    if (!control) throw new Error(`worker ${child.pid} was not started by this harness`);
    return control;
  }

  async stop(): Promise<void> {
    for (const child of this.children) {
      if (child.pid && child.exitCode === null) child.kill('SIGKILL');
    }
    this.control?.close();
    await this.httpSys?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Polls until `condition` holds: a test synchronises on what the listener says, not on a guessed pause. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request with a keep-alive-free agent; the body is collected. */
export function request(port: number, path: string, options: { method?: string; host?: string; body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: false, headers: { host: options.host ?? 'localhost', ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes and collects the whole answer until the server closes (or `until` matches). */
export function rawRequest(port: number, bytes: string | Buffer, until?: (text: string) => boolean, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (until && until(Buffer.concat(chunks).toString('latin1'))) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length) resolve(Buffer.concat(chunks));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

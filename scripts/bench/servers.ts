// The servers under test, each started by the bench and ended by it (by PID, whole tree):
// poolhost, plain Node, Node cluster, nginx → Node over a Unix socket, PM2 cluster mode.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processTree } from './process-stats.js';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const poolhostBin = join(repositoryRoot, 'packages', 'poolhost', 'dist', 'poolhost.js');
const pm2Bin = join(repositoryRoot, 'scripts', 'bench', 'node_modules', '.bin', 'pm2');

export interface BenchServer {
  readonly name: string;
  readonly port: number;
  /** Root processes; the measured tree is these and all their descendants. */
  roots(): number[];
  stop(): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** One GET; resolves with status and body (or rejects on a connection error). `secure`: over TLS, any certificate. */
export function get(port: number, path: string, timeoutMs = 5_000, secure = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs };
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    };
    const req = secure ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse) : request(options, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Thrown by a waitUntil check when waiting longer cannot help (the process being waited for has exited). */
export class WaitAborted extends Error {}

export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      // not yet
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Ends a process tree: SIGTERM to the roots, then SIGKILL to whatever of the tree is left after `graceMs`. */
export async function endTree(roots: number[], graceMs = 5_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const tree = processTree(roots).map((entry) => entry.pid);
  for (const pid of roots) kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(alive)) await sleep(50);
  for (const pid of tree) if (alive(pid)) kill(pid, 'SIGKILL');
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie of ours counts as gone
    return !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ');
  } catch {
    return false;
  }
}

function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd?: string): ChildProcess {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer) => {
    if (log.length < 200_000) log += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', () => {
    try {
      writeFileSync(logFile, log);
    } catch {
      // the bench's work folder is already gone (the run ended)
    }
  });
  (child as ChildProcess & { logText: () => string }).logText = () => log;
  return child;
}

function childLog(child: ChildProcess): string {
  return (child as ChildProcess & { logText?: () => string }).logText?.() ?? '';
}

// --- poolhost -----------------------------------------------------------------------------------

export interface PoolSpec {
  name: string;
  attributes?: Record<string, string>;
  processModel?: Record<string, string>;
  /** Raw XML children of the pool's <add> (recycling, failure …). */
  children?: string;
}

export interface ApplicationSpec {
  path: string;
  pool: string;
  physicalPath: string;
}

export interface PoolhostSetup {
  pools: PoolSpec[];
  applications: ApplicationSpec[];
  /** Raw <system.webServer> contents. */
  webServer?: string;
  /** Raw XML inside the site element. */
  siteChildren?: string;
  /** Raw XML after <system.webServer> (e.g. <location> tags). */
  extra?: string;
  /** The site's binding is https with this certificate (an ipport=0.0.0.0:port SSL store entry). */
  tls?: BenchCertificate;
  /** `<applicationPools spareWorkers>`. */
  spareWorkers?: number;
  /** The site's binding is `net.tcp` (`PORT:127.0.0.1`) and its applications enable only net.tcp (raw TCP, no HTTP). */
  netTcp?: boolean;
}

export interface BenchCertificate {
  certFile: string;
  keyFile: string;
}

function xmlAttributes(values: Record<string, string> | undefined): string {
  return Object.entries(values ?? {})
    .map(([name, value]) => ` ${name}="${value.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"`)
    .join('');
}

export function poolhostConfig(port: number, setup: PoolhostSetup): string {
  const pools = setup.pools
    .map((pool) => {
      const inner = [pool.processModel ? `<processModel${xmlAttributes(pool.processModel)} />` : '', pool.children ?? ''].join('');
      return `      <add name="${pool.name}"${xmlAttributes(pool.attributes)}>${inner}</add>`;
    })
    .join('\n');
  const applications = setup.applications
    .map((application) => `        <application path="${application.path}" applicationPool="${application.pool}"${setup.netTcp ? ' enabledProtocols="net.tcp"' : ''}><virtualDirectory path="/" physicalPath="${application.physicalPath}" /></application>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools${setup.spareWorkers ? ` spareWorkers="${setup.spareWorkers}"` : ''}>
${pools}
    </applicationPools>
    <sites>
      <site name="Bench" id="1">
${applications}
        <bindings>${setup.netTcp ? `<binding protocol="net.tcp" bindingInformation="${port}:127.0.0.1" />` : `<binding protocol="${setup.tls ? 'https' : 'http'}" bindingInformation="*:${port}:" />`}</bindings>
${setup.siteChildren ?? ''}
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
${setup.webServer ?? ''}
  </system.webServer>
${setup.extra ?? ''}
</configuration>
`;
}

export class PoolhostServer implements BenchServer {
  readonly runDirectory: string;
  readonly configFile: string;
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly folder: string,
    setup: PoolhostSetup,
    /** Set on top of the bench's environment; a variable set to undefined is removed. */
    private readonly env: Record<string, string | undefined> = {},
    /** More `poolhost start` arguments (e.g. `--metrics 127.0.0.1:PORT`). */
    private readonly args: string[] = [],
  ) {
    mkdirSync(folder, { recursive: true });
    this.runDirectory = join(folder, 'run');
    this.configFile = join(folder, 'applicationHost.config');
    writeFileSync(this.configFile, poolhostConfig(port, setup));
    if (setup.tls) {
      const entry = { ipport: `0.0.0.0:${port}`, certfile: setup.tls.certFile, keyfile: setup.tls.keyFile };
      writeFileSync(join(folder, 'sslcert.json'), `${JSON.stringify({ sslcert: [entry] }, null, 2)}\n`);
    }
  }

  async start(): Promise<void> {
    this.child = spawnLogged(
      process.execPath,
      [poolhostBin, 'start', '--config', this.configFile, '--run-dir', this.runDirectory, ...this.args],
      { ...process.env, POOLHOST_LOG_LEVEL: 'warn', ...this.env },
      join(this.folder, 'poolhost.log'),
      this.folder,
    );
    await waitUntil(`${this.name} to accept on port ${this.port}`, () => {
      if (this.child!.exitCode !== null) throw new WaitAborted(`poolhost exited with ${this.child!.exitCode}: ${childLog(this.child!)}`);
      return tcpAccepts(this.port);
    }, 60_000); // a loaded CI machine: poolhost starts four services before it accepts
  }

  get pid(): number {
    return this.child!.pid!;
  }

  roots(): number[] {
    return this.child?.pid ? [this.child.pid] : [];
  }

  /** PIDs of the pool's w3wp processes (all when no pool is named). */
  workers(): number[] {
    return processTree(this.roots())
      .filter((entry) => entry.name === 'w3wp')
      .map((entry) => entry.pid);
  }

  listenerPid(): number | undefined {
    return processTree(this.roots()).find((entry) => entry.name === 'httpsys')?.pid;
  }

  /** Runs `poolhost`'s bundled appcmd against this instance. */
  appcmd(...args: string[]): string {
    return execFileSync(process.execPath, [join(repositoryRoot, 'packages', 'appcmd', 'dist', 'appcmd.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, POOLHOST_RUN_DIR: this.runDirectory, POOLHOST_CONFIG: this.configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  log(): string {
    return this.child ? childLog(this.child) : '';
  }

  async stop(): Promise<void> {
    if (this.child?.pid) await endTree([this.child.pid], 20_000);
  }
}

// --- plain Node and cluster ---------------------------------------------------------------------

export class NodeServer implements BenchServer {
  private child: ChildProcess | null = null;

  /** `instances` > 1: a Node cluster primary forking that many workers that all run the script. */
  constructor(readonly name: string, readonly port: number, private readonly script: string, private readonly folder: string, private readonly instances = 1) {
    mkdirSync(folder, { recursive: true });
  }

  async start(): Promise<void> {
    let entry = this.script;
    if (this.instances > 1) {
      entry = join(this.folder, 'cluster.js');
      writeFileSync(
        entry,
        `const cluster = require('cluster');\nif (cluster.isPrimary) { for (let i = 0; i < ${this.instances}; i++) cluster.fork(); }\nelse require(${JSON.stringify(this.script)});\n`,
      );
    }
    this.child = spawnLogged(process.execPath, [entry], { ...process.env, PORT: String(this.port) }, join(this.folder, `${this.name}.log`));
    await waitUntil(`${this.name} to accept`, () => {
      if (this.child!.exitCode !== null) throw new WaitAborted(`${this.name} exited: ${childLog(this.child!)}`);
      return tcpAccepts(this.port);
    });
    if (this.instances > 1) await waitUntil(`${this.name} workers`, () => processTree(this.roots()).length === this.instances + 1);
  }

  roots(): number[] {
    return this.child?.pid ? [this.child.pid] : [];
  }

  async stop(): Promise<void> {
    if (this.child?.pid) await endTree([this.child.pid]);
  }
}

// --- nginx → Node over a Unix socket ------------------------------------------------------------

export class NginxServer implements BenchServer {
  private nginx: ChildProcess | null = null;
  private backend: ChildProcess | null = null;
  private readonly socketPath: string;

  /** `staticRoot`: nginx serves *.html from that folder itself (the static file scenario). */
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly script: string,
    private readonly folder: string,
    private readonly staticRoot?: string,
    /** nginx terminates TLS with this certificate. */
    private readonly tls?: BenchCertificate,
    /** and speaks HTTP/2 to clients (ALPN h2; still HTTP/1.1 to Node). */
    private readonly http2 = false,
  ) {
    mkdirSync(join(folder, 'temp'), { recursive: true });
    this.socketPath = join(folder, 'backend.sock');
  }

  async start(): Promise<void> {
    const conf = join(this.folder, 'nginx.conf');
    const staticLocation = this.staticRoot ? `location ~ \\.html$ { root ${this.staticRoot}; }` : '';
    writeFileSync(
      conf,
      `user root;
worker_processes 1;
daemon off;
master_process on;
pid ${this.folder}/nginx.pid;
error_log ${this.folder}/error.log error;
events { worker_connections 19000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${this.folder}/temp/body;
  proxy_temp_path ${this.folder}/temp/proxy;
  fastcgi_temp_path ${this.folder}/temp/fastcgi;
  uwsgi_temp_path ${this.folder}/temp/uwsgi;
  scgi_temp_path ${this.folder}/temp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_max_body_size 0;
  sendfile on;
  upstream backend { server unix:${this.socketPath}; keepalive 64; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:${this.port}${this.tls ? ' ssl' : ''}${this.http2 ? ' http2' : ''} backlog=4096;
    ${this.tls ? `ssl_certificate ${this.tls.certFile}; ssl_certificate_key ${this.tls.keyFile}; ssl_protocols TLSv1.2 TLSv1.3;` : ''}
    ${staticLocation}
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
    }
  }
}
`,
    );
    this.backend = spawnLogged(process.execPath, [this.script], { ...process.env, PORT: this.socketPath }, join(this.folder, 'backend.log'));
    await waitUntil('nginx backend socket', () => existsSync(this.socketPath));
    this.nginx = spawnLogged('nginx', ['-p', this.folder, '-c', conf], process.env, join(this.folder, 'nginx.log'));
    await waitUntil(`${this.name} to accept`, () => {
      if (this.nginx!.exitCode !== null) throw new WaitAborted(`nginx exited: ${childLog(this.nginx!)}`);
      return tcpAccepts(this.port);
    });
  }

  roots(): number[] {
    return [this.nginx?.pid, this.backend?.pid].filter((pid): pid is number => pid !== undefined);
  }

  async stop(): Promise<void> {
    await endTree(this.roots(), 5_000, 'SIGTERM');
  }
}

// --- PM2 cluster mode ---------------------------------------------------------------------------

export class Pm2Server implements BenchServer {
  private readonly home: string;

  constructor(readonly name: string, readonly port: number, private readonly script: string, private readonly folder: string, private readonly instances = 2) {
    this.home = join(folder, 'pm2-home');
    mkdirSync(this.home, { recursive: true });
  }

  private pm2(...args: string[]): string {
    return execFileSync(pm2Bin, args, { env: { ...process.env, PM2_HOME: this.home, PORT: String(this.port) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async start(): Promise<void> {
    this.pm2('start', this.script, '-i', String(this.instances), '--name', 'bench', '--no-autorestart', '--time');
    await waitUntil(`${this.name} to accept`, () => tcpAccepts(this.port));
    await waitUntil(`${this.name} instances`, () => processTree(this.roots()).length >= this.instances + 1);
  }

  /** `pm2 reload`: PM2's zero-downtime restart of every instance. */
  reload(): void {
    this.pm2('reload', 'bench');
  }

  private daemonPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  roots(): number[] {
    const pid = this.daemonPid();
    return pid ? [pid] : [];
  }

  async stop(): Promise<void> {
    const roots = this.roots();
    const tree = processTree(roots).map((entry) => entry.pid);
    try {
      this.pm2('kill');
    } catch {
      // fall through to the kill below
    }
    await endTree(tree, 3_000, 'SIGTERM');
  }
}

// --- HAProxy in front of several servers (a web farm on one machine) ------------------------------

/**
 * HAProxy (Debian's) balancing round robin over `backends`, each started here on its own port: the
 * measured tree is HAProxy and every backend, so CPU per request is the whole farm's. The backend
 * section is docs/web-farm.md's without the health checks (the same for every contender).
 */
export class HaproxyFarmServer implements BenchServer {
  private haproxy: ChildProcess | null = null;
  private readonly backends: Array<BenchServer & { start(): Promise<void> }> = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly folder: string,
    private readonly hosts: number,
    /** One backend on `port`, its files in `folder`. */
    private readonly createBackend: (port: number, folder: string) => BenchServer & { start(): Promise<void> },
  ) {
    mkdirSync(folder, { recursive: true });
  }

  async start(): Promise<void> {
    for (let index = 1; index <= this.hosts; index++) {
      const backend = this.createBackend(await freePort(), join(this.folder, `host${index}`));
      this.backends.push(backend);
      await backend.start();
    }
    const conf = join(this.folder, 'haproxy.cfg');
    writeFileSync(
      conf,
      `global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout 502 503 504

frontend farm
  bind 127.0.0.1:${this.port}
  default_backend farm

backend farm
  balance roundrobin
  http-request disable-l7-retry unless METH_GET or METH_HEAD or METH_OPTIONS
${this.backends.map((backend, index) => `  server host${index + 1} 127.0.0.1:${backend.port}`).join('\n')}
`,
    );
    this.haproxy = spawnLogged('haproxy', ['-db', '-f', conf], process.env, join(this.folder, 'haproxy.log'));
    await waitUntil(`${this.name} to accept`, () => {
      if (this.haproxy!.exitCode !== null) throw new WaitAborted(`haproxy exited: ${childLog(this.haproxy!)}`);
      return tcpAccepts(this.port);
    });
  }

  roots(): number[] {
    return [this.haproxy?.pid, ...this.backends.flatMap((backend) => backend.roots())].filter((pid): pid is number => pid !== undefined);
  }

  async stop(): Promise<void> {
    if (this.haproxy?.pid) await endTree([this.haproxy.pid], 5_000);
    for (const backend of this.backends) await backend.stop();
  }
}

// HAProxy from Debian's package, started by a test in the foreground (-db) with a configuration the test
// writes, and asked through its runtime API (a stats socket at admin level), as an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export class HaproxyInstance {
  private readonly directory = mkdtempSync(join(tmpdir(), 'poolhost-haproxy-'));
  readonly socket = join(this.directory, 'admin.sock');
  private child: ChildProcess | null = null;
  output = '';

  /** `configuration` gets its `global` section (the stats socket) from here; {{socket}} is not needed. */
  constructor(private readonly configuration: string) {}

  async start(): Promise<void> {
    const file = join(this.directory, 'haproxy.cfg');
    writeFileSync(file, `global\n  stats socket ${this.socket} level admin\n  log stderr format raw local0 info\n\n${this.configuration}`);
    const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    await waitFor('haproxy to answer on its runtime API', async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${this.output}`);
      return (await this.command('show info').catch(() => '')).includes('Name: HAProxy');
    }, 10_000);
  }

  /** One runtime API command; its whole answer. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.socket);
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  /** A server's row of `show stat` as column name -> value. */
  async serverStat(backend: string, server: string): Promise<Record<string, string>> {
    const [header, ...rows] = (await this.command('show stat')).trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    for (const row of rows) {
      const values = row.split(',');
      if (values[0] === backend && values[1] === server) return Object.fromEntries(columns.map((name, index) => [name, values[index] ?? '']));
    }
    throw new Error(`haproxy has no server ${backend}/${server}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export async function startHaproxy(configuration: string, after: (fn: () => Promise<void>) => void): Promise<HaproxyInstance> {
  const haproxy = new HaproxyInstance(configuration);
  after(() => haproxy.stop());
  await haproxy.start();
  return haproxy;
}

/** The start of a test's configuration: HTTP mode, short timeouts, and a frontend on `frontPort` for backend `shop`. */
export function haproxyFarmFrontend(frontPort: number): string {
  return `defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout check 5s

frontend farm
  bind 127.0.0.1:${frontPort}
  default_backend shop
`;
}

/** What poolhost's agent check answers now, read as HAProxy reads it (the site's name, then one line). */
export function agentAnswer(port: number, site: string): Promise<string> {
  return agentAnswerAt('127.0.0.1', port, site);
}

/** The same, from a host at `address` (another network namespace of a farm test). */
export function agentAnswerAt(address: string, port: number, site: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, address);
    let text = '';
    socket.on('connect', () => socket.write(`${site}\n`));
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', (error) => resolve(error.message));
  });
}

// A modest steady load for balancer tests: `clients` keep-alive loops of GET through one front port,
// counting the answers, the failures (kept with what went wrong), and who served each answer (the
// first word of the body: a PID, or a host name for an application that answers `<host> <pid>`).
import { Agent, request } from 'node:http';
import { waitFor } from './wait.js';

export interface GetLoadOptions {
  path?: string;
  /** Whether an answer counts as served; default: 200 and a body whose first word is a PID or a name. */
  accept?: (status: number, body: string) => boolean;
}

export class GetLoad {
  completed = 0;
  readonly failures: string[] = [];
  /** Answers per server (the first word of each accepted body). */
  readonly servedBy = new Map<string, number>();
  private running = true;
  private readonly agent: Agent;
  private readonly loops: Promise<void>[];
  private readonly path: string;
  private readonly accept: (status: number, body: string) => boolean;

  constructor(private readonly port: number, clients: number, options: GetLoadOptions = {}) {
    this.agent = new Agent({ keepAlive: true, maxSockets: clients });
    this.path = options.path ?? '/';
    this.accept = options.accept ?? ((status, body) => status === 200 && /^[\w.-]+( \d+)?$/.test(body));
    this.loops = Array.from({ length: clients }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const outcome = await this.get();
      if (outcome.ok) {
        this.completed++;
        const server = outcome.body.split(' ')[0]!;
        this.servedBy.set(server, (this.servedBy.get(server) ?? 0) + 1);
      } else {
        this.failures.push(outcome.body);
      }
    }
  }

  private get(): Promise<{ ok: boolean; body: string }> {
    return new Promise((resolve) => {
      const outgoing = request({ host: '127.0.0.1', port: this.port, path: this.path, agent: this.agent }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve(this.accept(response.statusCode ?? 0, body) ? { ok: true, body } : { ok: false, body: `${new Date().toISOString()} ${response.statusCode} ${body.slice(0, 80)}` }),
        );
        response.on('error', (error) => resolve({ ok: false, body: `${new Date().toISOString()} ${error.message}` }));
      });
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', (error) => resolve({ ok: false, body: `${new Date().toISOString()} ${error.message}` }));
      outgoing.end();
    });
  }

  /** Answers served by `server` so far. */
  served(server: string): number {
    return this.servedBy.get(server) ?? 0;
  }

  /** Resolves once `count` more requests have completed. */
  async more(count: number, timeoutMs = 30_000): Promise<void> {
    const target = this.completed + count;
    await waitFor(`${count} more requests through the balancer`, () => this.completed >= target, timeoutMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }
}

// Load from several clients at once, counting every outcome: keep-alive GET loops through Node's client,
// and one-request-per-connection raw exchanges that also count how many responses a request got.
import { Agent } from 'node:http';
import { httpRequest } from '../../support/http.js';
import { rawExchange } from './raw-client.js';

export interface LoadResult {
  total: number;
  statuses: Map<number, number>;
  /** Errors and non-2xx answers, with the request's path. */
  failures: { path: string; status: number; error?: string; text?: string }[];
  /** Bodies of the successes, by path. */
  successes: Map<string, string>;
  maxLatencyMs: number;
}

export interface LoadRun {
  stop(): Promise<LoadResult>;
  /** Completed requests so far. */
  completed(): number;
  /**
   * The clients that completed no request in some part of [from, to] cut in `parts` equal parts, as
   * "client C in part P/N": [] when every client was served all through. "Not starved" is asserted
   * this way rather than as a request count or a latency, which depend on how busy the machine is.
   */
  starved(from: number, to: number, parts?: number): string[];
}

function emptyResult(): LoadResult {
  return { total: 0, statuses: new Map(), failures: [], successes: new Map(), maxLatencyMs: 0 };
}

function record(result: LoadResult, path: string, status: number, text: string, error: string | undefined, latency: number): void {
  result.total++;
  result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
  result.maxLatencyMs = Math.max(result.maxLatencyMs, latency);
  if (status >= 200 && status < 300) result.successes.set(path, text);
  else result.failures.push({ path, status, ...(error ? { error } : {}), text: text.slice(0, 200) });
}

/** `clients` keep-alive clients each sending GETs back to back until stop(). */
export function getLoad(port: number, clients: number, pathOf: (client: number, sequence: number) => string, timeoutMs = 15_000): LoadRun {
  const result = emptyResult();
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const completedAt: number[][] = Array.from({ length: clients }, () => []);
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let sequence = 0; running; sequence++) {
      const path = pathOf(client, sequence);
      const started = Date.now();
      try {
        const response = await httpRequest({ port, path, agent, timeoutMs });
        record(result, path, response.status, response.text, undefined, Date.now() - started);
      } catch (error) {
        record(result, path, 0, '', String(error), Date.now() - started);
      }
      completedAt[client]!.push(Date.now());
    }
  });
  return {
    completed: () => result.total,
    starved(from, to, parts = 2) {
      const starved: string[] = [];
      const width = (to - from) / parts;
      for (const [client, times] of completedAt.entries()) {
        for (let part = 0; part < parts; part++) {
          const start = from + part * width;
          const end = start + width;
          if (!times.some((at) => at >= start && at <= end)) starved.push(`client ${client} in part ${part + 1}/${parts}`);
        }
      }
      return starved;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

export interface RawLoadResult extends LoadResult {
  /** Requests whose connection carried more than one response. */
  answeredTwice: string[];
  /** Requests the server neither answered nor closed within the timeout. */
  hung: string[];
}

/** `clients` clients each sending one request per connection (Connection: close) until stop(). */
export interface RawLoadRun {
  stop(): Promise<RawLoadResult>;
  completed(): number;
}

export function rawLoad(port: number, clients: number, requestOf: (client: number, sequence: number) => { path: string; bytes: Buffer }, timeoutMs = 15_000): RawLoadRun {
  const result: RawLoadResult = { ...emptyResult(), answeredTwice: [], hung: [] };
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let sequence = 0; running; sequence++) {
      const { path, bytes } = requestOf(client, sequence);
      const exchange = await rawExchange(port, bytes, timeoutMs);
      if (!exchange.closedByServer) result.hung.push(path);
      const responses = exchange.response.match(/^HTTP\/1\.1 \d{3} /gm)?.length ?? 0;
      if (responses > 1) result.answeredTwice.push(path);
      const body = exchange.response.slice(exchange.response.indexOf('\r\n\r\n') + 4);
      record(result, path, exchange.status, body, exchange.status === 0 ? 'no response' : undefined, exchange.elapsedMs);
    }
  });
  return {
    completed: () => result.total,
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

export function statusSummary(result: LoadResult): string {
  return [...result.statuses].map(([status, count]) => `${status}x${count}`).join(' ');
}

// HAProxy's agent check (`agent-check agent-port N`, reference peers-2.md §4.1): HAProxy connects, may send
// its `agent-send` string (here: a site's name and a newline), and reads one line of tokens before the
// connection closes. poolhost answers `up ready N%` with N from the site's free capacity, `maint` for
// a stopped site, `drain` while the host drains, and `down#reason` when a pool it needs cannot serve (site-health.ts). Without a site
// name the answer is the host's least healthy started site.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@poolhost/common';
import type { SiteHealth } from './site-health.js';

/** How long a check may take to send its agent-send line before it is answered for the whole host. */
export const AGENT_SEND_WAIT_MS = 200;
const maxLineBytes = 256;

/** One line of HAProxy agent tokens. */
export function agentLine(health: SiteHealth): string {
  if (health.state === 'maint') return 'maint\n';
  // Only new traffic stops; HAProxy's persistent sessions still come until the listeners close.
  if (health.state === 'drain') return 'drain\n';
  // HAProxy splits the line into words at spaces, tabs and commas, so the reason it shows in its logs and
  // stats (`last_agt`) is one word: `down#application_pool_'Shop'_is_disabled`.
  if (health.state === 'down') return `down#${agentWord(health.reason)}\n`;
  return `up ready ${health.weightPercent}%\n`;
}

function agentWord(text: string): string {
  return text.replace(/[\s,]+/g, '_');
}

export interface AgentCheckResponder {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `answer(site)`: the health of the named site, or of the host for ''. */
export function createAgentCheckResponder(host: string, port: number, answer: (site: string) => Promise<SiteHealth>, logger: Logger): AgentCheckResponder {
  let server: Server | null = null;
  let bound = port;
  const sockets = new Set<Socket>();

  const serve = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = '';
    let answered = false;
    const reply = (site: string) => {
      if (answered) return;
      answered = true;
      clearTimeout(wait);
      answer(site).then(
        (health) => socket.end(agentLine(health)),
        (error: unknown) => socket.end(`down#${agentWord(error instanceof Error ? error.message : String(error))}\n`),
      );
    };
    const wait = setTimeout(() => reply(''), AGENT_SEND_WAIT_MS);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) reply(received.slice(0, end).trim());
      else if (received.length > maxLineBytes) reply('');
    });
    socket.on('end', () => reply(received.trim()));
  };

  return {
    get port() {
      return bound;
    },
    async start() {
      server = createServer({ allowHalfOpen: true }, serve);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      if (address && typeof address === 'object') bound = address.port;
      logger.info({ port: bound }, `HAProxy agent check answered on ${host}:${bound}`);
    },
    async stop() {
      if (!server) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

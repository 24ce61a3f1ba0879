// The host drain, as HTTP.SYS' owner of the sockets carries it out (`poolhost drain`, docs/web-farm.md):
// Serving -> Draining at once (the health answers say drain/404: the balancers stop sending new work);
// after the delay the listening sockets close, so a new connection is refused, and every client
// connection closes at its next response boundary (HTTP/1.1 `Connection: close`, HTTP/2 GOAWAY);
// Draining -> Drained when none is left, or at the deadline, which cuts the rest. Undrain listens again.
// Checked from httpsys' sweep (every 250 ms), so a drain costs no timer and nothing on the request path.
// The listeners count as closed only once closeListeners() resolves (poolhost has closed its copies too):
// until then a connect may still complete, so the drain neither says so nor counts connections before.
import type { Logger } from 'pino';
import { StateMachine } from '@poolhost/common';
import type { ListenerDrained, ListenerDrainState } from '@poolhost/protocol';

/** What the drain does to httpsys (HttpSys implements it). */
export interface DrainableListener {
  /** Stops listening on every endpoint; resolves once poolhost has closed the sockets it holds too, so connects are refused. */
  closeListeners(): Promise<unknown>;
  /** Listens on the bindings' endpoints again. */
  reopenListeners(): Promise<unknown>;
  /** Marks each client connection to close at its next response boundary (idempotent: late arrivals too). */
  closeConnectionsAtResponseBoundary(): void;
  /** Client connections open: HTTP/1.x, HTTP/2 sessions, TLS handshakes in progress. */
  openConnections(): number;
  /** Destroys every client connection; returns how many there were. */
  cutConnections(): number;
}

type DrainEvent = 'drain' | 'drained' | 'resume';

/** The listening sockets, as this drain left them: `Closing` until closeListeners() resolves. */
type ListenersState = 'Open' | 'Closing' | 'Closed';

const transitions = [
  { from: 'Serving', event: 'drain', to: 'Draining' },
  { from: 'Draining', event: 'drained', to: 'Drained' },
  { from: ['Draining', 'Drained'], event: 'resume', to: 'Serving' },
] as const;

export class ListenerDrain {
  private readonly machine: StateMachine<ListenerDrainState, DrainEvent>;
  private startedAt = 0;
  private closeListenersAt = 0;
  private deadline = 0;
  private timeLimitMs = 0;
  private listeners: ListenersState = 'Open';
  /** The close in progress; a close that resolves after a resume (or a newer drain's close) is stale. */
  private closing: Promise<unknown> | null = null;
  /** closeListeners/reopenListeners run one after the other, in the order decided: a resume during a close reopens after it. */
  private listenerCalls: Promise<unknown> = Promise.resolve();
  private connectionsAtClose = 0;
  private finished: Promise<ListenerDrained> | null = null;
  private settle: ((result: ListenerDrained) => void) | null = null;
  private last: ListenerDrained | null = null;

  constructor(
    private readonly listener: DrainableListener,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.machine = new StateMachine<ListenerDrainState, DrainEvent>('listener', 'Serving', transitions, logger);
  }

  get state(): ListenerDrainState {
    return this.machine.state;
  }

  /** Starts a drain (a second request while one runs waits for the same end). */
  drain(delayMs: number, timeLimitMs: number, now = this.clock()): Promise<ListenerDrained> {
    if (this.machine.state === 'Drained' && this.last) return Promise.resolve(this.last);
    if (this.finished) return this.finished;
    this.startedAt = now;
    this.closeListenersAt = now + delayMs;
    this.timeLimitMs = timeLimitMs;
    this.connectionsAtClose = 0;
    this.finished = new Promise((resolve) => (this.settle = resolve));
    this.machine.fire('drain', `poolhost drain: new connections refused in ${delayMs} ms, connections closed within ${timeLimitMs} ms after that`);
    this.sweep(now);
    return this.finished;
  }

  /** Undrain: listen again; a drain still running ends as `Serving`. */
  async resume(now = this.clock()): Promise<void> {
    if (this.machine.state === 'Serving') return;
    const reopen = this.listeners !== 'Open';
    this.listeners = 'Open';
    this.closing = null;
    this.machine.fire('resume', 'poolhost undrain');
    this.finish('Serving', 0, now);
    this.last = null;
    if (reopen) await this.inOrder(() => this.listener.reopenListeners());
  }

  /** From httpsys' sweep: the delay, then the listeners' close, then the connections, then the deadline. */
  sweep(now: number): void {
    if (this.machine.state !== 'Draining') return;
    if (this.listeners === 'Open') {
      if (now < this.closeListenersAt) return;
      this.closeListeners();
      return;
    }
    if (this.listeners === 'Closing') return;
    this.listener.closeConnectionsAtResponseBoundary();
    if (this.listener.openConnections() === 0) {
      this.machine.fire('drained', 'no client connection left');
      this.finish('Drained', 0, now);
    } else if (now >= this.deadline) {
      const cut = this.listener.cutConnections();
      this.logger.warn({ connectionsCut: cut }, `drain: ${cut} client connections still open at the deadline (${this.timeLimitMs} ms) were cut`);
      this.machine.fire('drained', `deadline passed, ${cut} connections cut`);
      this.finish('Drained', cut, now);
    }
  }

  /** Draining, the delay over: the listeners close; the connections' step starts once they are closed. */
  private closeListeners(): void {
    this.listeners = 'Closing';
    const closing = this.inOrder(() => this.listener.closeListeners());
    this.closing = closing;
    const closed = (failure?: unknown): void => {
      if (this.closing !== closing) return; // resumed meanwhile: the resume reopens after this close
      this.closing = null;
      this.listeners = 'Closed';
      const now = this.clock();
      this.deadline = now + this.timeLimitMs;
      this.connectionsAtClose = this.listener.openConnections();
      const connections = `${this.connectionsAtClose} client connections close at their next response boundary`;
      if (failure === undefined) this.logger.info({ connections: this.connectionsAtClose }, `drain: listeners closed; ${connections}`);
      else this.logger.error({ err: failure, connections: this.connectionsAtClose }, `drain: closing the listeners failed (${(failure as Error).message}); ${connections}`);
      this.sweep(now);
    };
    closing.then(() => closed(), (error: unknown) => closed(error ?? new Error('no reason given')));
  }

  private inOrder(call: () => Promise<unknown>): Promise<unknown> {
    const done = this.listenerCalls.then(call);
    this.listenerCalls = done.catch(() => undefined);
    return done;
  }

  private finish(state: ListenerDrainState, connectionsCut: number, now: number): void {
    const result: ListenerDrained = { type: 'ListenerDrained', state, elapsedMs: now - this.startedAt, connectionsAtClose: this.connectionsAtClose, connectionsCut };
    this.last = result;
    this.finished = null;
    const settle = this.settle;
    this.settle = null;
    settle?.(result);
  }
}

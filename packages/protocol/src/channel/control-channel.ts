// Request/reply correlation for control messages: a seq on send, the same number back as `re`,
// one timeout per request. Handlers only ever see typed payloads.
import type {
  ControlEvent,
  ControlMessage,
  ControlMessageType,
  ControlRequest,
  MessageOfType,
  Replies,
  ReplyTo,
} from '../messages/catalogue.js';
import type { Envelope, RemoteErrorInfo, Transport } from './transport.js';

/** A request's handler returns its reply (catalogue `Replies`); an event's handler returns nothing. */
export type HandlerResult<T extends ControlMessageType> = T extends keyof Replies ? Replies[T] | Promise<Replies[T]> : void | Promise<void>;

export type MessageHandler<T extends ControlMessageType> = (message: MessageOfType<T>, channel: ControlChannel) => HandlerResult<T>;

/** Each service declares exactly the messages it accepts on a channel. */
export type HandlerTable = { [T in ControlMessageType]?: MessageHandler<T> };

export class ChannelClosedError extends Error {
  readonly code = 'ChannelClosed';
  constructor(peer: string) {
    super(`the control channel to ${peer} is closed`);
  }
}

export class ChannelTimeoutError extends Error {
  readonly code = 'ChannelTimeout';
  constructor(peer: string, type: string, timeoutMs: number) {
    super(`${peer} did not answer ${type} within ${timeoutMs} ms`);
  }
}

/** An error the peer's handler reported. */
export class RemoteError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface PendingRequest {
  resolve(message: ControlMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface ControlChannelOptions {
  /** Names the peer in errors and logs, e.g. `was` or `w3wp 4242`. */
  peer: string;
  handlers: HandlerTable;
  defaultTimeoutMs?: number;
  /** Called when a peer sends a message this side has no handler for, or a handler throws. */
  onProtocolError?: (error: Error) => void;
}

export class ControlChannel {
  private nextSeq = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private closedFlag = false;
  private readonly closeListeners: Array<() => void> = [];
  readonly peer: string;
  private handlers: HandlerTable;

  constructor(private readonly transport: Transport, private readonly options: ControlChannelOptions) {
    this.peer = options.peer;
    this.handlers = options.handlers;
    transport.onEnvelope((envelope) => this.receive(envelope));
    transport.onClose(() => this.onTransportClosed());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends an event; nothing comes back. */
  notify(message: ControlEvent): void {
    this.transport.send({ message });
  }

  /**
   * Sends a request and resolves with the peer's reply — of the type the catalogue pairs with it — or
   * rejects on timeout, close or remote error.
   */
  request<M extends ControlRequest>(message: M, timeoutMs?: number): Promise<ReplyTo<M>> {
    if (this.closedFlag) return Promise.reject(new ChannelClosedError(this.peer));
    const seq = this.nextSeq++;
    const limit = timeoutMs ?? this.options.defaultTimeoutMs ?? 10_000;
    return new Promise<ReplyTo<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new ChannelTimeoutError(this.peer, message.type, limit));
      }, limit);
      this.pending.set(seq, { resolve: resolve as (m: ControlMessage) => void, reject, timer });
      this.transport.send({ seq, message });
    });
  }

  onClose(listener: () => void): void {
    if (this.closedFlag) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.transport.close();
  }

  /**
   * Replaces the handler table. A spare worker's channel changes hands once: its spare-time table until it
   * is assigned to a pool, that pool's worker table after.
   */
  handle(handlers: HandlerTable): void {
    this.handlers = handlers;
  }

  private receive(envelope: Envelope): void {
    if (envelope.re !== undefined) {
      const request = this.pending.get(envelope.re);
      if (!request) return; // a reply after its timeout
      this.pending.delete(envelope.re);
      clearTimeout(request.timer);
      if (envelope.error) request.reject(new RemoteError(envelope.error.code, envelope.error.message));
      else if (envelope.message) request.resolve(envelope.message);
      else request.reject(new RemoteError('EmptyReply', `${this.peer} sent an empty reply`));
      return;
    }
    const message = envelope.message;
    if (!message || typeof message.type !== 'string') return;
    const handler = this.handlers[message.type] as MessageHandler<ControlMessageType> | undefined;
    if (!handler) {
      const error = new RemoteError('UnknownMessage', `${message.type} is not accepted here`);
      if (envelope.seq !== undefined) this.replyError(envelope.seq, error);
      this.options.onProtocolError?.(error);
      return;
    }
    let result: ControlMessage | void | Promise<ControlMessage | void>;
    try {
      result = handler(message as never, this);
    } catch (error) {
      this.finish(envelope.seq, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => this.finish(envelope.seq, undefined, reply),
        (error: unknown) => this.finish(envelope.seq, error),
      );
    } else {
      this.finish(envelope.seq, undefined, result);
    }
  }

  private finish(seq: number | undefined, error: unknown, reply?: ControlMessage | void): void {
    if (error !== undefined) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (seq !== undefined) this.replyError(seq, failure);
      else this.options.onProtocolError?.(failure);
      return;
    }
    if (seq === undefined) return;
    this.transport.send({ re: seq, message: reply ?? { type: 'Acknowledged' } });
  }

  private replyError(seq: number, error: Error): void {
    const info: RemoteErrorInfo = {
      code: (error as { code?: unknown }).code !== undefined ? String((error as { code?: unknown }).code) : 'Error',
      message: error.message,
    };
    this.transport.send({ re: seq, error: info });
  }

  private onTransportClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const [seq, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(new ChannelClosedError(this.peer));
      this.pending.delete(seq);
    }
    for (const listener of this.closeListeners) listener();
  }
}

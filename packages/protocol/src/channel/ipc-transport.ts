// The Node IPC channel that was opens to each w3wp it spawns (`process.send` on the worker side).
import type { Envelope, Transport } from './transport.js';

/** Either side of a Node IPC channel: `process` in the child, the ChildProcess in the parent. */
export interface IpcEndpoint {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  connected?: boolean;
  disconnect?(): void;
}

export function createIpcTransport(endpoint: IpcEndpoint): Transport {
  const closeListeners: Array<(error?: Error) => void> = [];
  // A child whose parent died before this ran (while its modules were still loading) has already
  // missed the 'disconnect' event: it must see the channel as closed, or it outlives its parent.
  let closed = endpoint.connected === false;
  endpoint.on('disconnect', () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  });
  return {
    send(envelope) {
      if (closed || !endpoint.send || endpoint.connected === false) return;
      // A send racing the peer's exit fails with EPIPE/ERR_IPC_CHANNEL_CLOSED; the disconnect event reports it.
      endpoint.send(envelope, () => undefined);
    },
    onEnvelope(listener) {
      endpoint.on('message', (message) => {
        if (message !== null && typeof message === 'object') listener(message as Envelope);
      });
    },
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    close() {
      if (endpoint.connected) endpoint.disconnect?.();
    },
  };
}

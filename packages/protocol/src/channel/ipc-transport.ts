// The Node IPC channel that was opens to each w3wp it spawns (`process.send` on the worker side), and
// poolhost to httpsys. It is the one transport that can carry an OS handle: a message with a `handle`
// (a listening socket, `ListenSocket`) has it sent beside the JSON, and put back on arrival.
import type { Envelope, Transport } from './transport.js';

/** Either side of a Node IPC channel: `process` in the child, the ChildProcess in the parent. */
export interface IpcEndpoint {
  send?(message: unknown, sendHandle: unknown, callback: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown, sendHandle?: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  connected?: boolean;
  disconnect?(): void;
}

interface CarriesHandle {
  handle?: unknown;
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
      let handle: unknown;
      const carrier = envelope.message as CarriesHandle | undefined;
      if (carrier?.handle !== undefined) {
        ({ handle } = carrier);
        envelope = { ...envelope, message: { ...envelope.message!, handle: undefined } as Envelope['message'] };
      }
      // A send racing the peer's exit fails with EPIPE/ERR_IPC_CHANNEL_CLOSED; the disconnect event reports it.
      endpoint.send(envelope, handle, () => undefined);
    },
    onEnvelope(listener) {
      endpoint.on('message', (message, handle) => {
        if (message === null || typeof message !== 'object') return;
        const envelope = message as Envelope;
        if (handle !== undefined && envelope.message) (envelope.message as CarriesHandle).handle = handle;
        listener(envelope);
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

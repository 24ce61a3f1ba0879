// Newline-delimited JSON over a Unix stream socket. Control traffic only: the data plane has its own framing.
import type { Socket } from 'node:net';
import type { Envelope, Transport } from './transport.js';

/** Control messages are small; a peer sending a line this long is broken or hostile. */
const maxLineBytes = 16 * 1024 * 1024;

export function createSocketTransport(socket: Socket): Transport {
  const envelopeListeners: Array<(envelope: Envelope) => void> = [];
  const closeListeners: Array<(error?: Error) => void> = [];
  let pending = '';
  // A socket already destroyed (its peer gone before this transport existed) has emitted its 'close'.
  let closed = socket.destroyed;
  let closeError: Error | undefined;

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > 0) deliver(line);
      newline = pending.indexOf('\n');
    }
    if (pending.length > maxLineBytes) socket.destroy(new Error(`control message longer than ${maxLineBytes} bytes`));
  });
  socket.on('error', (error) => {
    closeError = error;
  });
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(closeError);
  });

  function deliver(line: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(line) as Envelope;
    } catch {
      socket.destroy(new Error('malformed control message (not JSON)'));
      return;
    }
    for (const listener of envelopeListeners) listener(envelope);
  }

  return {
    send(envelope) {
      if (closed || socket.destroyed) return;
      socket.write(JSON.stringify(envelope) + '\n');
    },
    onEnvelope(listener) {
      envelopeListeners.push(listener);
    },
    onClose(listener) {
      if (closed) listener(closeError);
      else closeListeners.push(listener);
    },
    close() {
      socket.end();
      socket.destroySoon?.();
    },
  };
}

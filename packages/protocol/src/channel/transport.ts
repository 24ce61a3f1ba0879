// A transport moves envelopes between two processes; the channel above it does correlation.
import type { ControlMessage } from '../messages/catalogue.js';

export interface RemoteErrorInfo {
  code: string;
  message: string;
}

/** What travels on the wire: an event (no seq), a request (seq), or a reply (re). */
export interface Envelope {
  seq?: number;
  re?: number;
  message?: ControlMessage;
  error?: RemoteErrorInfo;
}

export interface Transport {
  send(envelope: Envelope): void;
  onEnvelope(listener: (envelope: Envelope) => void): void;
  onClose(listener: (error?: Error) => void): void;
  close(): void;
}

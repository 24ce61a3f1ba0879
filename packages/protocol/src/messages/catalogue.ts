// The one catalogue of control messages. Requests are imperative, events past-tense facts, replies nouns.
import type { ConfigPlaneMessage } from './config-plane.js';
import type { ActivationMessage } from './activation.js';
import type { RequestQueueActivityMessage } from './request-queue-activity.js';
import type { WorkerControlMessage } from './worker-control.js';
import type { ManagementMessage } from './management.js';
import type { ListenSocketMessage } from './listen-sockets.js';
import type { PerformanceCounterMessage } from './performance-counters.js';

export type ControlMessage =
  | ConfigPlaneMessage
  | ActivationMessage
  | RequestQueueActivityMessage
  | WorkerControlMessage
  | ManagementMessage
  | ListenSocketMessage
  | PerformanceCounterMessage;
export type ControlMessageType = ControlMessage['type'];
export type MessageOfType<T extends ControlMessageType> = Extract<ControlMessage, { type: T }>;

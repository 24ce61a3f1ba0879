// The one catalogue of control messages. Requests are imperative, events past-tense facts, replies nouns.
// `Replies` pairs every request with its reply, so ControlChannel.request() infers what comes back and
// a handler table is checked for what its handlers return. A message that is no key of Replies is an
// event (or a reply): sent with notify(), its handler returns nothing.
import type { ConfigPlaneMessage, ConfigPlaneReplies } from './config-plane.js';
import type { ActivationMessage, ActivationReplies } from './activation.js';
import type { RequestQueueActivityMessage } from './request-queue-activity.js';
import type { WorkerControlMessage, WorkerControlReplies } from './worker-control.js';
import type { ManagementMessage, ManagementReplies } from './management.js';
import type { ListenSocketMessage, ListenSocketReplies } from './listen-sockets.js';
import type { PerformanceCounterMessage, PerformanceCounterReplies } from './performance-counters.js';
import type { ResponseCacheMessage, ResponseCacheReplies } from './response-cache.js';
import type { NetTcpMessage, NetTcpReplies } from './net-tcp.js';
import type { HostDrainMessage, HostDrainReplies } from './host-drain.js';

export type ControlMessage =
  | ConfigPlaneMessage
  | ActivationMessage
  | RequestQueueActivityMessage
  | WorkerControlMessage
  | ManagementMessage
  | ListenSocketMessage
  | PerformanceCounterMessage
  | ResponseCacheMessage
  | NetTcpMessage
  | HostDrainMessage;
export type ControlMessageType = ControlMessage['type'];
export type MessageOfType<T extends ControlMessageType> = Extract<ControlMessage, { type: T }>;

/** Request type -> reply. */
export interface Replies extends ConfigPlaneReplies, ActivationReplies, WorkerControlReplies, ManagementReplies, ListenSocketReplies, PerformanceCounterReplies, ResponseCacheReplies, NetTcpReplies, HostDrainReplies {}

export type ControlRequestType = keyof Replies;
export type ControlRequest = MessageOfType<ControlRequestType>;
/** What may be sent with notify(): anything that is not a request. */
export type ControlEvent = Exclude<ControlMessage, ControlRequest>;
/** The reply to a request message. */
export type ReplyTo<M extends ControlRequest> = Replies[M['type']];

// Compile-time checks: every key of Replies is a message type and every reply a message.
type Assert<T extends true> = T;
export type RepliesAreMessages = Assert<Replies[ControlRequestType] extends ControlMessage ? true : false>;
export type RequestsAreMessages = Assert<ControlRequestType extends ControlMessageType ? true : false>;

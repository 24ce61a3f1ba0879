export type * from './messages/config-plane.js';
export type * from './messages/activation.js';
export type * from './messages/worker-control.js';
export type * from './messages/management.js';
export type * from './messages/host-drain.js';
export type * from './messages/catalogue.js';
export type * from './messages/performance-counters.js';
export { queueWaitBucketsMs, webServiceVerbs, applicationPoolStateCodes, createWorkerRequestCounters, createFileCacheCounters, tlsHandshakeOutcomes, tlsProtocolVersions, tlsAlpnProtocols } from './messages/performance-counters.js';
export type { Envelope, Transport, RemoteErrorInfo } from './channel/transport.js';
export { createSocketTransport } from './channel/socket-transport.js';
export { createIpcTransport, type IpcEndpoint } from './channel/ipc-transport.js';
export {
  ControlChannel,
  ChannelClosedError,
  ChannelTimeoutError,
  RemoteError,
  type HandlerTable,
  type MessageHandler,
  type ControlChannelOptions,
} from './channel/control-channel.js';
export {
  listenUnixSocket,
  listenControlSocket,
  connectUnixSocket,
  connectingUnixSocket,
  connectControlSocket,
  maintainControlConnection,
} from './channel/control-socket.js';
export {
  defaultRunDirectory,
  resolveRunDirectory,
  ensureRunDirectory,
  socketPath,
  pidFilePath,
  administrationTokenPath,
  createAdministrationToken,
  readAdministrationToken,
  acmeChallengeDirectory,
  ACME_CHALLENGE_PATH,
  acmeTlsAlpnDirectory,
  ACME_TLS_ALPN_PROTOCOL,
  type SocketName,
} from './run-directory.js';
export { parseListenAddress, isLoopback, formatListenAddress, hostAllowed, type ListenAddress } from './administration-address.js';
export { executablePath, repositoryRoot, type ExecutableName } from './executables.js';
export * from './data-plane/index.js';
export type * from './messages/request-queue-activity.js';
export { requestQueueActivityIntervalMs } from './messages/request-queue-activity.js';
export type * from './messages/listen-sockets.js';
export { listenEndpointKey } from './messages/listen-sockets.js';
export type * from './messages/response-cache.js';
export type * from './messages/net-tcp.js';

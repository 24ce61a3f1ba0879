export { createNetTcpActivator, type NetTcpActivator, type NetTcpActivatorOptions } from './net-tcp-activator.js';
export { ConnectionQueue, type ConnectionQueueCounters, type PendingConnection } from './connection-queue/connection-queue.js';
export { AttachedWorker } from './data-plane/attached-worker.js';
export { TcpEndpoints, type TcpRoute } from './endpoints/tcp-endpoints.js';

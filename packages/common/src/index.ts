export { createLogger, type Logger, type LoggerOptions, type ServiceName } from './logger.js';
export { StateMachine, InvalidTransitionError, type Transition } from './state-machine.js';
export { isProcessAlive } from './process-alive.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { runService, ServiceExitCode, type ServiceDefinition, type ServiceLifecycle } from './service/run-service.js';
export { flushOutput } from './service/flush-output.js';
export { protectFromOomKiller, serviceOomScoreAdj } from './service/oom-protection.js';
export { W3cLogWriter, type LogRecord, type W3cLogSite } from './w3c-log/w3c-log-writer.js';
export { IpcPipe } from './ipc-pipe/ipc-pipe.js';

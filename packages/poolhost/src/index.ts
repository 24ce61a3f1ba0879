export { createPoolhost, type Poolhost, type PoolhostOptions } from './poolhost.js';
export { ServiceSupervisor, defaultRestartPolicy, type RestartPolicy } from './services/service-supervisor.js';
export { createChildProcessServiceLauncher, type ServiceLauncher, type LaunchedService, type ServiceName } from './services/service-launcher.js';
export { formatServerStatus, formatTable } from './commands/status-table.js';
export { formatConfigError } from './commands/config-error.js';
